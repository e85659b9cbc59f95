"""Fixtures: every API test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from api import create_app, migrate
from api.config import config_for_tests
from api.db import Base
from tests.authenticator import Authenticator
from tests.smtp_server import SmtpServer

PASSWORD = "correct horse battery"


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="ISO_DATETIME",
        help="Run every test with the clock started at this UTC instant (e.g. 2028-02-29T12:00), "
        "to prove that nothing depends on the day the suite happens to run.",
    )


@pytest.fixture(autouse=True)
def _clock(request):
    """With --clock, time starts at the given instant and ticks on (tokens still expire)."""
    start = request.config.getoption("--clock")
    if not start:
        yield None
        return
    instant = datetime.fromisoformat(start)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    with time_machine.travel(instant, tick=True):
        yield instant


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def pytest_collection_modifyitems(config, items):
    """Tests of a PostgreSQL behaviour are not collected for SQLite (rather than skipped)."""
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        backend = params.params.get("migrated") if params else None
        only_pg = item.get_closest_marker("postgresql_only") is not None
        (drop if only_pg and backend != "postgresql" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def reset_postgres(url: str, schema: str = "public") -> None:
    """Start from an empty schema; fail loudly (not skip) when the server is unreachable."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}")
    finally:
        engine.dispose()


def backend_url(backend: str, directory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / 'test.sqlite3'}"
    return os.environ["TEST_DATABASE_URL"]


@pytest.fixture(scope="session", params=backends())
def migrated(request, tmp_path_factory) -> tuple[str, str]:
    """(backend, url) of a database migrated to head, once per backend per run."""
    url = backend_url(request.param, tmp_path_factory.mktemp(request.param))
    if request.param == "postgresql":
        reset_postgres(url)
    migrate.upgrade(url)
    if request.param == "sqlite":
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    return request.param, url


@pytest.fixture
def database_url(migrated, tmp_path) -> str:
    """An empty migrated database: a copy of the SQLite template, or PostgreSQL emptied after."""
    backend, url = migrated
    if backend == "sqlite":
        template = Path(sa.engine.make_url(url).database)
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(template, copy)
        yield f"sqlite:///{copy}"
        return
    yield url
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        # The harness connects as the table owner, which may switch the audit table's TRUNCATE
        # guard off for its own transaction: the app's role cannot (docs/operations.md).
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        guard = "TRIGGER audit_events_no_truncate"
        connection.execute(sa.text(f"ALTER TABLE audit_events DISABLE {guard}"))
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(sa.text(f"ALTER TABLE audit_events ENABLE {guard}"))
    engine.dispose()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback that keeps what it receives (tests/smtp_server.py)."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def app(database_url):
    app = create_app(config_for_tests(database_url))
    yield app
    app.extensions["cadence.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Account:
    id: int
    email: str
    token: str
    authenticator: Authenticator | None = None  # staff, and clients who turned two-factor on

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


class Accounts:
    """Registers clients and creates staff through the real routes and command."""

    def __init__(self, client, runner):
        self.client, self.runner = client, runner
        self.count = 0
        self.authenticators: dict[str, Authenticator] = {}  # by email

    def sign_in(self, email: str, password: str = PASSWORD) -> str:
        """A new token; with a fresh code from the account's authenticator when it has one."""
        body = {"email": email, "password": password}
        if email in self.authenticators:
            body["otp"] = self.authenticators[email].code()
        response = self.client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 201, response.json
        return response.json["token"]

    def client_account(self, timezone: str = "UTC", verified: bool = True, **extra) -> Account:
        """A registered client, signed in; its address confirmed by `users verify` unless
        `verified` is False (tests/api/test_verification.py follows the mailed link)."""
        self.count += 1
        email = f"client{self.count}@example.org"
        response = self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "timezone": timezone, **extra},
        )
        assert response.status_code == 202, response.json
        if verified:
            result = self.runner.invoke(args=["users", "verify", email])
            assert result.exit_code == 0, result.output
        token = self.sign_in(email)
        me = self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        return Account(me.json["id"], email, token)

    def staff(self, role: str) -> Account:
        self.count += 1
        email = f"{role}{self.count}@example.org"
        result = self.runner.invoke(
            args=["users", "create", email, "--role", role], input=f"{PASSWORD}\n{PASSWORD}\n"
        )
        assert result.exit_code == 0, result.output
        # The command printed the enrolment URI and recovery codes for an authenticator app.
        authenticator = self.authenticators[email] = Authenticator.from_output(result.output)
        token = self.sign_in(email)
        me = self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        return Account(me.json["id"], email, token, authenticator)


@pytest.fixture
def accounts(client, runner) -> Accounts:
    return Accounts(client, runner)


def row_counts(app) -> dict[str, int]:
    """Rows per table: compared before and after a rejected write."""
    engine = app.extensions["cadence.engine"]
    with engine.connect() as connection:
        return {
            t.name: connection.scalar(sa.select(sa.func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


def table_snapshot(app, table: str) -> list[tuple]:
    engine = app.extensions["cadence.engine"]
    with engine.connect() as connection:
        return sorted(connection.execute(sa.text(f"SELECT * FROM {table}")).all(), key=repr)


@pytest.fixture
def fuzz_sign_in(accounts):
    """Signs a client with a little data in again and again, so that authorised operations get
    past the guard; returns a function giving fresh headers."""
    account = accounts.client_account(timezone="Europe/London")
    accounts.client.put(
        "/api/v1/entries/2026-10-05",
        json={"mood": 1, "activities": {"out_of_bed": {"time": "07:00"}}},
        headers=account.headers,
    )
    return lambda: {"Authorization": f"Bearer {accounts.sign_in(account.email)}"}
