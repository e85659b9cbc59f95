import pytest

from api.config import Config


def test_settings_come_from_cadence_variables():
    config = Config.from_env(
        {
            "CADENCE_DATABASE_URL": "postgresql+psycopg://db/x",
            "CADENCE_TOKEN_TTL_HOURS": "12",
            "CADENCE_SRM_TRIM_GUARD": "7.5",
            "CADENCE_SRM_SD_KIND": "population",
            "UNRELATED": "1",
        }
    )
    assert config.database_url == "postgresql+psycopg://db/x"
    assert config.token_ttl_hours == 12
    assert config.srm_settings().trim_guard == 7.5
    assert config.srm_settings().sd_kind == "population"
    assert Config.from_env({}).max_range_days == 366


def test_bad_values_name_the_variable():
    with pytest.raises(ValueError, match="CADENCE_TOKEN_TTL_HOURS"):
        Config.from_env({"CADENCE_TOKEN_TTL_HOURS": "soon"})
    with pytest.raises(ValueError, match="sd_kind"):
        Config.from_env({"CADENCE_SRM_SD_KIND": "median"}).srm_settings()
