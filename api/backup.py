"""Online backups of the SQLite database (PostgreSQL is backed up with pg_dump)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from api import files


class BackupNotSupported(Exception):
    pass


def backup(database_url: str, target: Path, *, force: bool = False) -> int:
    """Copy a live SQLite database to `target` (0600, never through a symlink, replacing a
    file only with `force`); returns the pages copied. The copy is made in one step, inside
    one read transaction: with WAL, writers go on meanwhile and the copy is the database as it
    was when the step began (copying in several steps would restart on every write)."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupNotSupported(
            "db backup copies SQLite databases only; back up PostgreSQL with pg_dump "
            "(see docs/operations.md)."
        )
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).is_file():
        raise BackupNotSupported(f"no SQLite database file at {source_path!r}")
    target = Path(target)
    if target.resolve() == Path(source_path).resolve():
        raise files.UnsafePath("the backup target is the database itself")
    os.close(files.create_private(target, force=force))
    pages = 0

    def count(_status, remaining, total):
        nonlocal pages
        pages = total - remaining

    # mode=rw: neither connection may create a file of its own (a typo would back up nothing).
    source = sqlite3.connect(f"{Path(source_path).resolve().as_uri()}?mode=rw", uri=True)
    try:
        destination = sqlite3.connect(f"{target.resolve().as_uri()}?mode=rw", uri=True)
        try:
            source.backup(destination, pages=-1, progress=count)
            # A self-contained file: no -wal beside it to copy or lose.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        source.close()
    return pages
