"""Files with health data or secrets: the SQLite database, the VAPID key, exports and backups
are owner-only (0600), never written or read through a symlink, never silently replaced."""

import os
import stat
from dataclasses import replace

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from api import create_app, files, migrate
from api.config import config_for_tests
from api.services import push
from tests.api.test_studies import create


@pytest.fixture(autouse=True)
def usual_umask():
    """The common 022: anything not made owner-only on purpose comes out world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_sqlite_database_and_its_wal_files_are_owner_only(tmp_path):
    database = tmp_path / "instance" / "cadence.sqlite3"
    url = f"sqlite:///{database}"
    migrate.upgrade(url)
    app = create_app(config_for_tests(url))
    try:
        client = app.test_client()
        response = client.post(
            "/api/v1/auth/register",
            json={"email": "a@example.org", "password": "a long passphrase", "timezone": "UTC"},
        )
        assert response.status_code == 202
        engine = app.extensions["cadence.engine"]
        with engine.connect() as connection:  # holds the -wal and -shm open
            connection.execute(sa.text("SELECT count(*) FROM users"))
            made = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
            assert {p.name for p in made} >= {database.name, f"{database.name}-wal"}
            assert {p.name: mode(p) for p in made} == {p.name: 0o600 for p in made}
        assert mode(database.parent) == 0o700
    finally:
        app.extensions["cadence.engine"].dispose()


def test_sqlite_refuses_a_dangling_symlink_at_the_database_path(tmp_path):
    elsewhere = tmp_path / "elsewhere.sqlite3"
    database = tmp_path / "cadence.sqlite3"
    database.symlink_to(elsewhere)
    with pytest.raises(files.UnsafePath):
        migrate.upgrade(f"sqlite:///{database}")
    assert not elsewhere.exists()


def test_the_vapid_key_file_is_owner_only_and_never_read_through_a_symlink(tmp_path):
    key_file = tmp_path / "instance" / "vapid_private.pem"
    config = replace(config_for_tests("sqlite://"), vapid_key_file=str(key_file))
    made = push.load_keys(config)
    assert mode(key_file) == 0o600 and mode(key_file.parent) == 0o700
    assert push.load_keys(config).public_key == made.public_key  # made once, then read

    planted = tmp_path / "planted.pem"
    planted.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.unlink()
    key_file.symlink_to(planted)
    with pytest.raises(files.UnsafePath, match="symbolic link"):
        push.load_keys(config)


@pytest.fixture
def study(client, accounts):
    return create(client, accounts.staff("researcher"))


def test_cli_exports_are_owner_only_and_never_replace_or_follow(runner, study, tmp_path):
    out = tmp_path / "study.zip"
    # An empty study: exported only with the small-study override.
    command = ["export", "study", str(study["id"]), "--format", "csv", "--allow-small"]
    command += ["--out", str(out)]
    first = runner.invoke(args=command)
    assert first.exit_code == 0, first.output
    assert mode(out) == 0o600
    written = out.read_bytes()

    again = runner.invoke(args=command)
    assert again.exit_code != 0 and "--force" in again.output
    assert out.read_bytes() == written
    forced = runner.invoke(args=[*command, "--force"])
    assert forced.exit_code == 0, forced.output
    assert mode(out) == 0o600

    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    link = tmp_path / "link.zip"
    link.symlink_to(victim)
    for extra in ([], ["--force"]):
        through = runner.invoke(
            args=["export", "study", str(study["id"]), "--allow-small", "--out", str(link), *extra]
        )
        assert through.exit_code != 0 and "symbolic link" in through.output
        assert victim.read_text() == "not yours"


def test_db_backup_is_owner_only_and_never_replaces_or_follows(app, runner, accounts, tmp_path):
    accounts.client_account()
    backup = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["db", "backup", str(backup)])
    if app.extensions["cadence.engine"].dialect.name == "postgresql":
        assert result.exit_code != 0
        assert "pg_dump" in result.output and "docs/operations.md" in result.output
        assert not backup.exists()
        return
    assert result.exit_code == 0, result.output
    assert mode(backup) == 0o600
    with sa.create_engine(f"sqlite:///{backup}").connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM users")) == 1
    copied = backup.read_bytes()

    again = runner.invoke(args=["db", "backup", str(backup)])
    assert again.exit_code != 0 and "--force" in again.output
    assert backup.read_bytes() == copied
    assert runner.invoke(args=["db", "backup", str(backup), "--force"]).exit_code == 0

    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    link = tmp_path / "link.sqlite3"
    link.symlink_to(victim)
    through = runner.invoke(args=["db", "backup", str(link), "--force"])
    assert through.exit_code != 0 and "symbolic link" in through.output
    assert victim.read_text() == "not yours"
