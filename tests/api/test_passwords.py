"""One set of password rules for registration, reset, change and `flask users create`."""

from __future__ import annotations

import pytest

from api.services import passwords
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("aaaaaaaaaa", "repeats too few characters"),
        (" " * 10, "only spaces"),
        ("abababababab", "repeats too few characters"),
        ("password123", "very common password"),
        ("qwertyuiop", "common password"),
        ("Password1!", "similar to a commonly used password"),
        ("iloveyou2024", "commonly used password"),
        ("Ana.Sousa-horse-battery", "email address"),
        ("my ANA.SOUSA secret", "email address"),
        ("short", "10 to 256 characters"),
    ],
)
def test_registration_refuses_weak_passwords_saying_what_to_do(client, password, says):
    response = client.post(
        "/api/v1/auth/register", json={"email": "ana.sousa@example.org", "password": password}
    )
    assert response.status_code == 422, response.json
    [problem] = response.json["errors"]["password"]
    assert says in problem
    assert "words" in problem  # and what to do instead


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "benchmark password", "a long passphrase", "lantern orchard velvet"],
)
def test_reasonable_passphrases_are_accepted(client, password):
    response = client.post(
        "/api/v1/auth/register", json={"email": "client1@example.org", "password": password}
    )
    assert response.status_code == 202, response.json


def test_a_short_local_part_is_not_searched_for():
    # "jo" is inside too many good passwords to refuse them all.
    assert passwords.problems("jolly lantern orchard", "jo@example.org") == []
    assert passwords.problems("bob lantern orchard", "bob@example.org") != []


def test_only_the_start_of_a_very_long_password_is_estimated():
    strong_start = "lantern orchard velvet " * 11  # 253 characters
    assert passwords.problems(strong_start, "x@example.org") == []
    assert passwords.problems("a" * 257)[0].startswith("Use at most 256 characters")


def test_the_command_line_applies_the_same_rules(runner):
    weak = runner.invoke(
        args=["users", "create", "doc@example.org", "--role", "clinician"],
        input="password123\npassword123\n",
    )
    assert weak.exit_code != 0
    assert "common password" in weak.output
    mine = runner.invoke(
        args=["users", "create", "doctor.who@example.org", "--role", "clinician"],
        input="doctor.who tardis blue\ndoctor.who tardis blue\n",
    )
    assert mine.exit_code != 0
    assert "email address" in mine.output
    good = runner.invoke(
        args=["users", "create", "doc@example.org", "--role", "clinician"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert good.exit_code == 0, good.output
