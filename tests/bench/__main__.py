"""`make bench`: run every tests/bench/bench_*.py on SQLite and PostgreSQL, write RESULTS.md.

Missed targets are reported, not fatal: the exit status is non-zero only when a benchmark
crashes or an explicitly configured PostgreSQL is unreachable.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from api import migrate
from tests.bench.harness import (
    DEFAULT_REPEATS,
    RESULTS_PATH,
    Context,
    Result,
    render,
    render_section,
    sections_of,
    summary_line,
)

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# A schema of its own keeps benchmark data away from the test suite's `public` schema.
SCHEMA = "bench"


def discover(only: list[str] | None) -> list[str]:
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if only:
        names = [n for n in names if any(o in n for o in only)]
    return names


def postgres_base_url() -> tuple[str, bool]:
    """The server URL and whether it was configured explicitly (then it must be reachable)."""
    for name in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL"):
        if os.environ.get(name):
            return os.environ[name], True
    return DEFAULT_POSTGRES_URL, False


def postgres_version(url: str) -> str | None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SHOW server_version"))
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


def _reset_schema(base_url: str, drop_only: bool = False) -> None:
    engine = sa.create_engine(base_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            if not drop_only:
                connection.execute(sa.text(f'CREATE SCHEMA "{SCHEMA}"'))
    finally:
        engine.dispose()


def fresh_database(backend: str, base_url: str | None, workdir: Path, name: str) -> str:
    """An empty database migrated to head, one per benchmark module and backend."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'{name}.sqlite3'}"
    else:
        assert base_url is not None
        _reset_schema(base_url)
        separator = "&" if "?" in base_url else "?"
        url = f"{base_url}{separator}options=-csearch_path%3D{SCHEMA}"
    migrate.upgrade(url)
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("-k", action="append", help="run only modules whose name contains this")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument(
        "--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", DEFAULT_REPEATS))
    )
    parser.add_argument("--no-memory", action="store_true", help="skip tracemalloc peaks")
    parser.add_argument("--profile", action="store_true", help="profile even when targets met")
    args = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m tests.bench", *given]) if given else "make bench"

    notes: list[str] = []
    backends = args.backend or ["sqlite", "postgresql"]
    pg_url, pg_version = None, None
    if "postgresql" in backends:
        pg_url, explicit = postgres_base_url()
        pg_version = postgres_version(pg_url)
        if pg_version is None:
            shown = sa.engine.make_url(pg_url).render_as_string(hide_password=True)
            if explicit:
                print(f"PostgreSQL at {shown} is configured but unreachable", file=sys.stderr)
                return 2
            note = f"PostgreSQL skipped: nothing reachable at {shown} (set BENCH_DATABASE_URL)"
            print(note)
            notes.append(note)
            backends = [b for b in backends if b != "postgresql"]

    results: list[Result] = []
    sections: dict[str, str] = {}
    if args.k and RESULTS_PATH.exists():
        # A limited run keeps the other modules' latest figures.
        sections = sections_of(RESULTS_PATH.read_text())
    crashed = False
    with tempfile.TemporaryDirectory(prefix="cadence-bench-") as tmp:
        for name in discover(args.k):
            module = importlib.import_module(f"tests.bench.{name}")
            module_started, module_clock = datetime.now(UTC), time.perf_counter()
            module_results: list[Result] = []
            module_notes: list[str] = list(notes)
            for backend in backends if getattr(module, "NEEDS_DATABASE", True) else ["none"]:
                print(f"{name} on {backend}", flush=True)
                try:
                    url = (
                        None
                        if backend == "none"
                        else fresh_database(backend, pg_url, Path(tmp), name)
                    )
                    ctx = Context(
                        backend,
                        url,
                        repeats=args.repeats,
                        memory=not args.no_memory,
                        profile=args.profile,
                    )
                    found = module.run(ctx)
                    module_notes.extend(ctx.notes)
                except Exception:
                    crashed = True
                    trace = traceback.format_exc()
                    print(trace, file=sys.stderr)
                    found = [Result(name, backend, float("nan"), error=True, details=trace)]
                for result in found:
                    print("  " + summary_line(result), flush=True)
                module_results.extend(found)
            results.extend(module_results)
            sections[name] = render_section(
                name,
                module_results,
                command=command,
                notes=list(dict.fromkeys(module_notes)),
                started=module_started,
                seconds=time.perf_counter() - module_clock,
            )
    if pg_url is not None and pg_version is not None:
        _reset_schema(pg_url, drop_only=True)

    text = render(sections, repeats=args.repeats, postgres_version=pg_version)
    RESULTS_PATH.write_text(text)
    print(f"\nSummary ({len(results)} figures, written to {RESULTS_PATH})")
    for result in results:
        print("  " + summary_line(result))
    missed = [r for r in results if r.status == "MISSED"]
    if missed:
        print(f"{len(missed)} target(s) MISSED (reported, not fatal)")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
