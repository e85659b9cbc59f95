"""Study export vs the database's own CSV dump of the same rows, and the export's peak memory.

Data: 2,100 seeded clients x 11 weeks (about 1,000,000 activity rows) in one study, and the
first 210 of them (about 100,000 rows) in a second study.

Throughput: `export.write_package` of the large study as CSV vs the database dumping the events
query (the mapping, diary days and activities joined, in the same order) as CSV to a file, once
for the events table alone (the target: the streaming, de-identification and zip path) and once
for the whole package (daily, weekly with every score worked out, life events, codebook):
PostgreSQL `COPY (...) TO STDOUT WITH CSV` read through psycopg, SQLite the `sqlite3` shell's
`-csv` mode (Python's csv module over a raw cursor when the shell is not installed). The time
ratio export / dump is the inverse of the throughput ratio: ≤ 2× means ≥ 0.5 of the dump's
rows per second.

Memory: peak RSS of a child process running `flask --app wsgi export study ID --out PATH`
(both formats), for each study, measured by a fresh parent through RUSAGE_CHILDREN.

Scale: the same figures for a study of BENCH_EXPORT_ROWS activity rows (default 10M,
about ten minutes on both databases; 2M for a quicker run), seeded in bulk
(tests/bench/export_scale.py).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from api.config import Config
from api.db import make_engine
from api.models import Study, StudyParticipant, User
from api.services import deid, export
from api.services.export import queries
from tests.bench import export_scale
from tests.bench.data import populate
from tests.bench.harness import ROOT, Context, Result, measure_together

CLIENTS, WEEKS, SMALL = 2100, 11, 210
# Windows wide enough that the export's cuts at the ends of each participant's window
# (api/services/deid.py) leave out none of the seeded days: it then writes what the dump does.
DATA_FROM, FAR_OFF = date(2000, 1, 3), date(2100, 1, 4)
TARGET_TIME_RATIO = 2.0  # throughput ≥ 0.5 of the dump's
TARGET_RSS = 200 * 2**20
TARGET_FLAT = 1.25  # peak RSS at 1M rows / at 100k rows
_MAX_RSS = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _study(connection: sa.Connection, owner: int, name: str, client_ids: list[int]) -> int:
    study_id = connection.execute(
        sa.insert(Study).returning(Study.id),
        {
            "owner_id": owner,
            "name": name,
            "code": deid.new_pseudonym()[1:6] + "-" + deid.new_pseudonym()[1:6],
            "consent_version": "1",
            "consent_text": "Bench consent",
            # Every seeded day is in scope (the default starts at each participant's joining).
            "data_from": DATA_FROM,
            "created_at": datetime.now(UTC),
        },
    ).scalar_one()
    pseudonyms: set[str] = set()
    while len(pseudonyms) < len(client_ids):
        pseudonyms.add(deid.new_pseudonym())
    now = datetime.now(UTC)
    connection.execute(
        sa.insert(StudyParticipant),
        [
            {
                "study_id": study_id,
                "client_id": client_id,
                "pseudonym": pseudonym,
                "shift_weeks": deid.new_shift_weeks(),
                "consent_version": "1",
                "joined_at": now,
            }
            for client_id, pseudonym in zip(client_ids, sorted(pseudonyms), strict=True)
        ],
    )
    return study_id


def _setup(ctx: Context) -> tuple[int, int, int, int]:
    engine = make_engine(ctx.database_url)
    try:
        start = time.perf_counter()
        data = populate(engine, CLIENTS, WEEKS, seed=7, label="export")
        with engine.begin() as connection:
            owner = connection.execute(
                sa.insert(User).returning(User.id),
                {
                    "email": "researcher@bench.example.org",
                    "password_hash": "$bench$not-a-password-hash",
                    "role": "researcher",
                    "timezone": "UTC",
                    "tracked_activities": [],
                    "reminder_times": [],
                    "created_at": datetime.now(UTC),
                },
            ).scalar_one()
            large = _study(connection, owner, "large", data.client_ids)
            small = _study(connection, owner, "small", data.client_ids[:SMALL])
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("ANALYZE")
        with engine.connect() as connection:
            small_rows = connection.scalar(
                sa.select(sa.func.count())
                .select_from(sa.table("entry_activities"))
                .where(sa.column("client_id").in_(data.client_ids[:SMALL]))
            )
        message = (
            f"{CLIENTS} clients x {WEEKS} weeks: {data.entries} diary days, "
            f"{data.activity_rows} activity rows ({small_rows} for the first {SMALL}) inserted in "
            f"{time.perf_counter() - start:.0f} s"
        )
        ctx.log(message)
        ctx.notes.append(f"export data on {ctx.backend}: {message}")
        return large, small, data.activity_rows, small_rows
    finally:
        engine.dispose()


def _dump_sql(engine: sa.Engine, study_id: int) -> str:
    statement = queries.dump_query(study_id)
    return str(statement.compile(engine, compile_kwargs={"literal_binds": True}))


def _dump(engine: sa.Engine, url: str, sql: str, path: Path) -> str:
    """Dump the rows as CSV with the database's own tools; returns how."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            with open(path, "wb") as out, cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                for chunk in copy:
                    out.write(chunk)
            connection.rollback()
        return "COPY (...) TO STDOUT WITH CSV through psycopg"
    database = sa.engine.make_url(url).database
    shell = shutil.which("sqlite3")
    if shell:
        with open(path, "wb") as out:
            subprocess.run([shell, "-csv", database, sql], stdout=out, check=True)
        return "the sqlite3 shell's -csv mode"
    with sqlite3.connect(database) as connection, open(path, "w", newline="") as out:
        csv.writer(out).writerows(connection.execute(sql))
    return "Python's csv module over a raw sqlite3 cursor (no sqlite3 shell installed)"


def _peak_rss(ctx: Context, study_id: int, out: Path) -> int:
    command = [
        sys.executable,
        "-c",
        _MAX_RSS,
        str(Path(sys.executable).parent / "flask"),
        "--app",
        "wsgi",
        "export",
        "study",
        str(study_id),
        "--out",
        str(out),
    ]
    env = {**os.environ, "CADENCE_DATABASE_URL": ctx.database_url, "CADENCE_LOG_LEVEL": "WARNING"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1]) * 1024  # ru_maxrss is in KiB on Linux


def run(ctx: Context) -> list[Result]:
    assert ctx.database_url is not None
    large, small, rows, small_rows = _setup(ctx)
    engine = make_engine(ctx.database_url)
    results = []
    try:
        with sa.orm.Session(engine) as session:
            study = session.get(Study, large)
            session.expunge(study)
        settings = Config(database_url=ctx.database_url).srm_settings()
        sql = _dump_sql(engine, large)
        with tempfile.TemporaryDirectory(prefix="cadence-bench-export-") as tmp:
            directory = Path(tmp)
            how = _dump(engine, ctx.database_url, sql, directory / "dump.csv")
            counts: dict[str, int] = {}

            def dump():
                _dump(engine, ctx.database_url, sql, directory / "dump.csv")

            def package(tables=export.TABLES):
                with open(directory / "export.zip", "wb") as out:
                    counts.update(
                        export.write_package(
                            engine, study, out, ("csv",), settings, None, tables, today=FAR_OFF
                        )[1]
                    )

            repeats = 2
            ctx.log(f"timing export vs dump of {rows} rows, {repeats} repeats each")
            timings = measure_together(
                {"dump": dump, "events": lambda: package(("events",)), "package": package},
                repeats,
                warmup=0,
            )
            assert counts["events"] == rows, counts
            dumped = timings["dump"].median
            size = (directory / "export.zip").stat().st_size
            for key, name, target in (
                ("events", "events table (CSV in a zip)", TARGET_TIME_RATIO),
                ("package", "whole package, weekly scores included (CSV zip)", None),
            ):
                exported = timings[key].median
                results.append(
                    Result(
                        f"study export, {name}: {rows} activity rows vs database CSV dump",
                        ctx.backend,
                        exported,
                        baseline=dumped,
                        target=target,
                        note=(
                            f"{rows / exported:,.0f} rows/s vs dump {rows / dumped:,.0f} rows/s "
                            f"= {dumped / exported:.2f} of the dump's throughput; dump by {how}; "
                            f"median of {repeats}"
                            + (
                                f"; zip {size / 2**20:.1f} MiB with {json.dumps(counts)}"
                                if key == "package"
                                else ""
                            )
                        ),
                    )
                )
                ctx.log(results[-1].note)
            peaks = {}
            for label, study_id, count in (("100k", small, small_rows), ("1M", large, rows)):
                start = time.perf_counter()
                peaks[label] = _peak_rss(ctx, study_id, directory / f"cli-{label}.zip")
                seconds = time.perf_counter() - start
                results.append(
                    Result(
                        f"study export CLI peak RSS, both formats: {count} activity rows",
                        ctx.backend,
                        peaks[label],
                        target=TARGET_RSS,
                        unit="B",
                        note=f"whole child process (Python, pyarrow, SQLAlchemy); {seconds:.1f} s",
                    )
                )
                ctx.log(f"peak RSS {label}: {peaks[label] / 2**20:.1f} MiB in {seconds:.1f} s")
            results.append(
                Result(
                    "study export CLI peak RSS: 1M rows / 100k rows",
                    ctx.backend,
                    peaks["1M"],
                    baseline=peaks["100k"],
                    target=TARGET_FLAT,
                    unit="B",
                    note="flat memory: the ratio stays near 1 as the study grows tenfold",
                )
            )
            # At BENCH_EXPORT_ROWS (tests/bench/export_scale.py), beside the 1M-row figures.
            results += export_scale.run_scale(
                ctx, engine, study, rows, peaks["1M"], settings, directory
            )
    finally:
        engine.dispose()
    return results
