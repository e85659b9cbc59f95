"""The account-mail settings fail at start-up, not in the first mail."""

import pytest

from api.config import Config


def test_defaults():
    config = Config.from_env({})
    assert config.public_url == "http://127.0.0.1:8000"
    assert (config.verify_ttl_hours, config.reset_ttl_minutes) == (48, 30)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("CADENCE_PUBLIC_URL", "cadence.example", "CADENCE_PUBLIC_URL"),
        ("CADENCE_PUBLIC_URL", "https://cadence.example/?x=1", "CADENCE_PUBLIC_URL"),
        ("CADENCE_PUBLIC_URL", "javascript:alert(1)", "CADENCE_PUBLIC_URL"),
        ("CADENCE_RESET_TTL_MINUTES", "0", "CADENCE_RESET_TTL_MINUTES"),
        ("CADENCE_VERIFY_TTL_HOURS", "-1", "CADENCE_VERIFY_TTL_HOURS"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(name, value, says):
    with pytest.raises(ValueError, match=says):
        Config.from_env({name: value})


def test_a_public_url_with_a_path_is_taken():
    config = Config.from_env({"CADENCE_PUBLIC_URL": "https://clinic.example/cadence/"})
    assert config.public_url == "https://clinic.example/cadence/"
