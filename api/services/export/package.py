"""The whole package: batches of participants through the writer in one snapshot, then the zip
(README.md, datapackage.json and the table files), and the audit trail."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from api import files
from api.db import utcnow
from api.models import Study, User
from api.rhythm.srm import SrmSettings
from api.services import audit
from api.services.export import codebook, queries
from api.services.export.codebook import FORMATS, TABLES
from api.services.export.writer import Writer

CSV_COMPRESSLEVEL = 1  # deflate level: the CSVs shrink ~6x at level 1, little more at 9


@dataclass(frozen=True)
class Summary:
    study_id: int
    formats: tuple[str, ...]
    participants: int
    rows: dict[str, int]
    sha256: str
    size: int


def write_package(
    engine: sa.Engine,
    study: Study,
    out: IO[bytes],
    formats: Sequence[str] = FORMATS,
    settings: SrmSettings | None = None,
    progress: Callable[[int], None] | None = None,
    tables: Sequence[str] = TABLES,
    *,
    participants_done: Callable[[int], None] | None = None,
    today: date | None = None,
) -> tuple[int, dict[str, int]]:
    """Write the zip to `out`; returns (participants, rows per table).

    After each batch of participants, `progress` gets the rows written in that batch (all
    tables) and `participants_done` the batch's participants. `today` (UTC, by default the
    clock's) ends each participant's window. `tables` narrows the package (benchmarks)."""
    settings = settings or SrmSettings()
    today = today or utcnow().date()
    formats = tuple(f for f in FORMATS if f in formats)
    tables = tuple(t for t in TABLES if t in tables)
    with tempfile.TemporaryDirectory(prefix="cadence-export-") as tmp:
        directory = Path(tmp)
        writer = Writer(directory, formats, settings, tables)
        try:
            with engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    # One snapshot for every query: a diary saved mid-export changes nothing.
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        # Dates and instants as ISO text whatever the server's default, for
                        # COPY and the driver alike; SET LOCAL ends with the transaction.
                        connection.exec_driver_sql("SET LOCAL datestyle TO 'ISO'")
                    participants = connection.scalar(queries.consenting_query(study.id))
                    for batch in queries.participant_batches(connection, study, today):
                        before = writer.written
                        writer.stream_batch(connection, study.id, batch)
                        if progress is not None:
                            progress(writer.written - before)
                        if participants_done is not None:
                            participants_done(len(batch))
        finally:
            rows = writer.close()
        descriptor = codebook.datapackage(study, formats, rows, participants)
        with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
            for name, text in (
                ("README.md", codebook.readme(study, participants, today)),
                ("datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False)),
            ):
                archive.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
            for fmt in formats:
                for table in tables:
                    archive.write(
                        writer.tables[table].paths[fmt],
                        f"{table}.{fmt}",
                        # Parquet is compressed already; deflating it again gains nothing.
                        compress_type=zipfile.ZIP_DEFLATED if fmt == "csv" else zipfile.ZIP_STORED,
                        compresslevel=CSV_COMPRESSLEVEL if fmt == "csv" else None,
                    )
    return participants, rows


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def export(
    engine: sa.Engine,
    study: Study,
    path: Path,
    formats: Sequence[str],
    *,
    actor: User | None,
    via: str,
    settings: SrmSettings | None = None,
    progress: Callable[[int], None] | None = None,
    participants_done: Callable[[int], None] | None = None,
    today: date | None = None,
) -> Summary:
    """Write the package to `path` and put the export on the audit trail. The caller creates
    `path` owner-only first (files.create_private, or mkstemp); it is never followed if a
    symlink has been put in its place since. The small-study rule is the caller's
    (check_min_participants), before this."""
    try:
        with os.fdopen(files.open_existing_for_writing(path), "wb") as out:
            participants, rows = write_package(
                engine,
                study,
                out,
                formats,
                settings,
                progress,
                participants_done=participants_done,
                today=today,
            )
    except Exception:
        audit.record(
            "research:export", "failed", actor=actor, detail={"study": study.id, "via": via}
        )
        raise
    summary = Summary(
        study.id,
        tuple(formats),
        participants,
        rows,
        sha256_of(path),
        os.path.getsize(path),
    )
    audit.record(
        "research:export",
        "ok",
        actor=actor,
        detail={
            "study": study.id,
            "via": via,
            "format": "+".join(summary.formats),
            "participants": participants,
            "rows": rows,
            "bytes": summary.size,
            "sha256": summary.sha256,
        },
    )
    return summary
