"""IP addresses and user agents leave the audit trail after CADENCE_AUDIT_IP_RETENTION_DAYS;
the trail's rows stay, and every other change to them is still refused by the database."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from api import create_app, db, jobs
from api.config import Config, config_for_tests
from api.models import AuditEvent
from tests.api.app_role import app_under_app_role

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)
AGENT = "RetentionTest/1.0"


def _sign_in_at(client, accounts, email, when):
    with time_machine.travel(when, tick=False):
        response = client.post(
            "/api/v1/auth/token",
            json={"email": email, "password": "not the password"},
            headers={"User-Agent": AGENT},
        )
    assert response.status_code == 401


def _events(app) -> list[dict]:
    with app.extensions["cadence.engine"].connect() as connection:
        table = AuditEvent.__table__
        return [r._asdict() for r in connection.execute(sa.select(table).order_by(table.c.id))]


def test_the_nightly_job_blanks_old_addresses_and_agents_only(app, client, accounts):
    person = accounts.client_account()
    _sign_in_at(client, accounts, person.email, NOW - timedelta(days=91))
    _sign_in_at(client, accounts, person.email, NOW - timedelta(days=89))
    before = [e for e in _events(app) if e["action"] == "auth:sign_in"]
    old, recent = before[-2], before[-1]
    assert old["ip"] and old["user_agent"] == AGENT and recent["user_agent"] == AGENT

    with app.app_context():
        ran = jobs.nightly(db.session(), NOW)
    assert ran

    after = {e["id"]: e for e in _events(app)}
    assert after[old["id"]] == {**old, "ip": None, "user_agent": None}
    assert after[recent["id"]] == recent
    assert len([e for e in after.values() if e["action"] == "auth:sign_in"]) == len(before)


def test_the_retention_period_is_a_setting(database_url, accounts):
    assert Config().audit_ip_retention_days == 90
    assert Config.from_env({"CADENCE_AUDIT_IP_RETENTION_DAYS": "30"}).audit_ip_retention_days == 30
    with pytest.raises(ValueError, match="RETENTION"):
        Config(audit_ip_retention_days=0)
    app = create_app(config_for_tests(database_url, audit_ip_retention_days=30))
    client = app.test_client()
    try:
        _sign_in_at(client, None, "someone@example.org", NOW - timedelta(days=31))
        with app.app_context():
            jobs.nightly(db.session(), NOW)
        (event,) = [e for e in _events(app) if e["action"] == "auth:sign_in"]
        assert event["ip"] is None and event["user_agent"] is None
    finally:
        app.extensions["cadence.engine"].dispose()


@pytest.mark.parametrize(
    "change",
    [
        {"action": "auth:other"},
        {"ip": "192.0.2.1"},
        {"user_agent": "Forged/1.0"},
        {"ip": None, "user_agent": None, "outcome": "denied"},
        {"ip": None, "user_agent": None, "detail": {"forged": 1}},
        {"ip": None, "user_agent": None, "actor_id": 1},
    ],
)
def test_every_other_update_of_the_trail_is_still_refused(app, client, change):
    _sign_in_at(client, None, "someone@example.org", NOW)
    (event,) = _events(app)
    table = AuditEvent.__table__
    engine = app.extensions["cadence.engine"]
    values = {table.c[k]: v for k, v in change.items()}
    refused = pytest.raises(sa.exc.DatabaseError, match="append-only")
    with refused, engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == event["id"]).values(values))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.id == event["id"]))
    assert _events(app) == [event]


@pytest.mark.postgresql_only
def test_the_app_role_may_blank_old_addresses_and_nothing_more(database_url):
    """docs/app_role.sql grants UPDATE on the two columns only; the trigger does the rest."""
    with app_under_app_role(database_url) as (app, _role):
        _sign_in_at(app.test_client(), None, "someone@example.org", NOW - timedelta(days=91))
        engine = app.extensions["cadence.engine"]
        for statement in (
            "UPDATE audit_events SET outcome = 'ok'",
            "UPDATE audit_events SET ip = '192.0.2.1'",
        ):
            with pytest.raises(sa.exc.DatabaseError), engine.begin() as connection:
                connection.execute(sa.text(statement))
        with app.app_context():
            assert jobs.nightly(db.session(), NOW)
        (event,) = _events(app)
        assert event["ip"] is None and event["user_agent"] is None
