"""The schema comes only from migrations: upgrade from empty to head matches the models,
and downgrade returns to empty, on SQLite and PostgreSQL."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from api import migrate
from api.db import Base
from api.models import *  # noqa: F403
from tests.conftest import backends, reset_postgres

SCHEMA = "migration_check"


def _urls(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        # A schema of its own keeps this test away from the other tests' tables.
        separator = "&" if "?" in pg else "?"
        yield "postgresql", f"{pg}{separator}options=-csearch_path%3D{SCHEMA}"


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.mark.parametrize("backend", backends())
def test_upgrade_matches_models_and_downgrade_empties(tmp_path, backend):
    url = dict(_urls(tmp_path))[backend]
    if backend == "postgresql":
        reset_postgres(os.environ["TEST_DATABASE_URL"], SCHEMA)
    engine = sa.create_engine(url)
    try:
        migrate.upgrade(url)
        assert _tables(engine) == set(Base.metadata.tables)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []

        migrate.downgrade(url, "base", destroy_data=True)
        assert _tables(engine) == set()
        migrate.upgrade(url)
        assert _tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()


def _migrated(tmp_path, backend):
    url = dict(_urls(tmp_path))[backend]
    if backend == "postgresql":
        reset_postgres(os.environ["TEST_DATABASE_URL"], SCHEMA)
    migrate.upgrade(url)
    return url


def _trail_and_pseudonyms(url) -> tuple[int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(
                connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                for table in ("audit_events", "study_participants")
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("target", ["0002", "0003", "base"])
def test_downgrade_below_the_trail_or_the_pseudonyms_is_refused(tmp_path, backend, target):
    url = _migrated(tmp_path, backend)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO audit_events (at, action, resource, outcome, detail)"
                " VALUES (CURRENT_TIMESTAMP, 'auth:sign_in', '-', 'ok', '{}')"
            )
        )
    engine.dispose()
    heads = migrate.current_revisions(url)

    lost = "pseudonym mapping" if target == "0003" else "audit trail"
    with pytest.raises(migrate.DataLossRefused, match=lost):
        migrate.downgrade(url, target)
    assert migrate.current_revisions(url) == heads  # refused before anything changed
    assert _trail_and_pseudonyms(url) == (1, 0)

    migrate.downgrade(url, target, destroy_data=True)
    assert migrate.current_revisions(url) == (() if target == "base" else (target,))
