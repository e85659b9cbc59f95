"""Alembic, configured in code so `flask db ...` and the tests share one setup."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from api.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Undoing these drops records nothing else can rebuild: the audit trail, and the pseudonym
# mapping that ties research exports already handed out to their participants.
DESTROYS_DATA = {
    "0003": "the audit trail and care links",
    "0004": "studies, consents and the research pseudonym mapping",
    "0008": "client request ids on the audit trail",
    "0013": "user agents on the audit trail, account deactivations and erasure tombstones",
    "0014": "who acknowledged which flag, clients' context on flags and target proposals",
    "0015": "work days marked by clients and clinicians",
    "0016": "the start of each study's data scope",
    "0017": "the history of consent texts and export jobs",
    "0018": "questionnaire answers and their assignments",
    "0019": "interpersonal inventories, goals, tasks and relapse-prevention plans",
}


class DataLossRefused(Exception):
    """A downgrade would drop data that must be kept; the caller has not said it may."""


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' must be doubled for ConfigParser interpolation (passwords in URLs may hold one).
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def current_revisions(database_url: str) -> tuple[str, ...]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()


def downgrade_steps(database_url: str, revision: str) -> list[str]:
    """The revisions a downgrade to `revision` (absolute or relative, e.g. "-1") would undo."""
    cfg = alembic_config(database_url)
    script = ScriptDirectory.from_config(cfg)
    current = current_revisions(database_url)
    if not current:
        return []
    steps = script.iterate_revisions(current, revision, select_for_downgrade=True)
    return [step.revision for step in steps]


def downgrade(database_url: str, revision: str = "base", *, destroy_data: bool = False) -> None:
    """Migrate down; refuses (before changing anything) to undo a migration in DESTROYS_DATA
    unless `destroy_data` is given."""
    if not destroy_data:
        undone = downgrade_steps(database_url, revision)
        lost = [DESTROYS_DATA[r] for r in undone if r in DESTROYS_DATA]
        if lost:
            raise DataLossRefused(
                f"Downgrading to {revision} would delete {'; '.join(lost)}. "
                "Back up first (flask --app wsgi db backup PATH, or pg_dump) and pass "
                "--yes-destroy-data to go ahead."
            )
    command.downgrade(alembic_config(database_url), revision)
