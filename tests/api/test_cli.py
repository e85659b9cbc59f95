import sqlalchemy as sa

from api import db
from api.models import User
from tests.conftest import PASSWORD


def _users(app):
    with app.app_context():
        return {u.email: u.role for u in db.session().scalars(sa.select(User))}


def test_users_create_prompts_hidden_and_confirmed(app, runner, client):
    result = runner.invoke(
        args=["users", "create", "Doc@Example.org", "--role", "clinician"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert _users(app) == {"doc@example.org": "clinician"}
    token = client.post(
        "/api/v1/auth/token", json={"email": "doc@example.org", "password": PASSWORD}
    )
    assert token.json["user"]["role"] == "clinician"


def test_users_create_rejects_mismatch_short_password_and_duplicates(app, runner):
    mismatch = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin"],
        input=f"{PASSWORD}\nsomething else\n",
    )
    assert mismatch.exit_code != 0
    short = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin"], input="short\nshort\n"
    )
    assert short.exit_code != 0 and "10 characters" in short.output
    assert _users(app) == {}

    ok = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "researcher"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert ok.exit_code == 0
    again = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert again.exit_code != 0 and "already registered" in again.output
    assert _users(app) == {"a@example.org": "researcher"}


def test_users_create_rejects_unknown_roles(runner):
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "god"], input="")
    assert result.exit_code != 0
    assert "god" in result.output
