import os

import pytest
import sqlalchemy as sa

from api import create_app, db
from api.config import config_for_tests
from api.models import User
from api.services import audit
from tests.authenticator import Authenticator
from tests.conftest import PASSWORD, backends, reset_postgres


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
    # Staff sign in with a code from the authenticator enrolled from the printed URI.
    code = Authenticator.from_output(result.output).code()
    token = client.post(
        "/api/v1/auth/token",
        json={"email": "doc@example.org", "password": PASSWORD, "otp": code},
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


# --- migrations that would destroy the audit trail or the pseudonym mapping --------------


SCRATCH_SCHEMA = "cli_scratch"


@pytest.fixture(params=backends())
def scratch_app(request, tmp_path):
    """An app on a database of its own: these tests migrate down and up again."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    else:
        base = os.environ["TEST_DATABASE_URL"]
        reset_postgres(base, SCRATCH_SCHEMA)
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{SCRATCH_SCHEMA}"
    app = create_app(config_for_tests(url))
    yield app
    app.extensions["cadence.engine"].dispose()


def _revision(app) -> str | None:
    with app.extensions["cadence.engine"].connect() as connection:
        return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))


def test_db_downgrade_below_the_trail_or_pseudonyms_needs_yes_destroy_data(scratch_app):
    runner = scratch_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    head = _revision(scratch_app)
    with scratch_app.app_context():
        audit.record("auth:sign_in", "ok")

    for target in ("0002", "0003", "base"):
        refused = runner.invoke(args=["db", "downgrade", target])
        assert refused.exit_code != 0
        assert "--yes-destroy-data" in refused.output and "pg_dump" in refused.output
        assert _revision(scratch_app) == head
    unknown = runner.invoke(args=["db", "downgrade", "nonsense"])
    assert unknown.exit_code == 1 and "No such revision" in unknown.output  # not a traceback
    with scratch_app.extensions["cadence.engine"].connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM audit_events")) == 1

    done = runner.invoke(args=["db", "downgrade", "0002", "--yes-destroy-data"])
    assert done.exit_code == 0, done.output
    assert _revision(scratch_app) == "0002"
    assert (
        "audit_events" not in sa.inspect(scratch_app.extensions["cadence.engine"]).get_table_names()
    )


def test_db_downgrade_of_a_step_that_keeps_the_data_needs_no_flag(scratch_app):
    runner = scratch_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0006"]).exit_code == 0
    result = runner.invoke(args=["db", "downgrade"])  # one step: the flag work queue
    assert result.exit_code == 0, result.output
    assert _revision(scratch_app) == "0005"
