"""A backup taken while the service runs and takes writes restores every diary intact: the
same entries with the same ETags. SQLite: `flask --app wsgi db backup`; PostgreSQL: the
pg_dump / pg_restore procedure of docs/operations.md."""

import os
import subprocess
import threading
from datetime import date, timedelta

import sqlalchemy as sa

from api import create_app
from api.config import config_for_tests
from tests.servers import BIN, ROOT, Server

CLIENTS = 3
DAYS = 21
FIRST = date(2026, 9, 7)
PASSWORD = "a long passphrase"


def _day(client: int, i: int) -> dict:
    return {
        "mood": (client + i) % 7 - 3,
        "note": f"day {i} of client {client}",
        "activities": {
            "out_of_bed": {"time": f"07:{(client * 7 + i) % 60:02d}"},
            "to_bed": {"time": f"23:{(client + i) % 60:02d}"},
        },
    }


def _seed(server: Server) -> list[str]:
    tokens = []
    for n in range(CLIENTS):
        account = {"email": f"backup{n}@example.org", "password": PASSWORD}
        status, _, _ = server.request(
            "POST", "/api/v1/auth/register", {**account, "timezone": "UTC"}
        )
        assert status == 202
        _, body, _ = server.request("POST", "/api/v1/auth/token", account)
        tokens.append(body["token"])
        for i in range(DAYS):
            day = FIRST + timedelta(days=i)
            status, _, _ = server.request(
                "PUT", f"/api/v1/entries/{day}", _day(n, i), body["token"]
            )
            assert status == 201
    return tokens


def _diaries_via_server(server: Server, tokens: list[str], days: int) -> dict:
    """(token, day) → (entry, ETag) read from the running service."""
    found = {}
    for token in tokens:
        for i in range(days):
            day = FIRST + timedelta(days=i)
            status, body, headers = server.request("GET", f"/api/v1/entries/{day}", token=token)
            if status == 200:
                found[(token, str(day))] = (body, headers["ETag"])
    return found


def _diaries_via_app(database_url: str, tokens: list[str], days: int) -> dict:
    app = create_app(config_for_tests(database_url))
    try:
        client = app.test_client()
        found = {}
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}"}
            for i in range(days):
                day = FIRST + timedelta(days=i)
                response = client.get(f"/api/v1/entries/{day}", headers=headers)
                if response.status_code == 200:
                    found[(token, str(day))] = (response.json, response.headers["ETag"])
        return found
    finally:
        app.extensions["cadence.engine"].dispose()


def _keep_writing(server: Server, token: str, stop: threading.Event, written: list) -> None:
    """New days only, so that every restored entry must equal the live one."""
    i = DAYS
    while not stop.is_set() and i < DAYS + 60:
        status, _, _ = server.request(
            "PUT", f"/api/v1/entries/{FIRST + timedelta(days=i)}", _day(0, i), token
        )
        written.append(status)
        i += 1


def _back_up(server_database: str, tmp_path) -> str:
    """Back up the live database; returns the URL of a restored copy."""
    if server_database.startswith("sqlite"):
        target = tmp_path / "backup.sqlite3"
        result = subprocess.run(
            [BIN / "flask", "--app", "wsgi", "db", "backup", str(target)],
            cwd=ROOT,
            env={**os.environ, "CADENCE_DATABASE_URL": server_database},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert not (tmp_path / "backup.sqlite3-wal").exists()
        return f"sqlite:///{target}"
    url = sa.engine.make_url(server_database)
    libpq = url.set(drivername="postgresql")
    dump = tmp_path / "cadence.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump),
         libpq.render_as_string(hide_password=False)],
        check=True,
    )  # fmt: skip
    restored = f"{url.database}_restore"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{restored}"'))
    admin.dispose()
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
         libpq.set(database=restored).render_as_string(hide_password=False), str(dump)],
        check=True,
    )  # fmt: skip
    return url.set(database=restored).render_as_string(hide_password=False)


def _drop_restored_postgres(url: str) -> None:
    if url.startswith("postgresql"):
        restored = sa.engine.make_url(url)
        admin = sa.create_engine(restored.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{restored.database}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_taken_under_writes_restores_every_diary_intact(server_database, tmp_path):
    server = Server(server_database, workers=2)
    server.migrate()
    server.start()
    try:
        tokens = _seed(server)
        stop, written = threading.Event(), []
        writer = threading.Thread(target=_keep_writing, args=(server, tokens[0], stop, written))
        writer.start()
        try:
            restored_url = _back_up(server_database, tmp_path)
        finally:
            stop.set()
            writer.join(timeout=60)
        assert written and set(written) == {201}
        live = _diaries_via_server(server, tokens, DAYS + len(written))
    finally:
        server.stop()

    try:
        restored = _diaries_via_app(restored_url, tokens, DAYS + len(written))
    finally:
        _drop_restored_postgres(restored_url)
    seeded = {(t, str(FIRST + timedelta(days=i))) for t in tokens for i in range(DAYS)}
    assert seeded <= set(restored)  # everything written before the backup began
    assert set(restored) <= set(live)
    assert {key: restored[key] for key in restored} == {key: live[key] for key in restored}
    assert all(entry["note"] for entry, _ in restored.values())
