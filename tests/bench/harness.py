"""Timing, results and the RESULTS.md report shared by every tests/bench/bench_*.py module.

A benchmark module exposes `run(ctx: Context) -> list[Result]`. It is called once per database
backend, each time with a freshly migrated database; a module that sets `NEEDS_DATABASE = False`
is called once, with `ctx.backend == "none"` and no database.
"""

from __future__ import annotations

import cProfile
import gc
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"
DEFAULT_REPEATS = 5


@dataclass
class Timing:
    """Seconds of each repeat (warm-up excluded)."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _sample(fn: Callable[[], object]) -> float:
    # A full collection first: cyclic garbage the previous call left (ORM sessions and objects)
    # would otherwise be collected, and billed, during whichever call happens to come next.
    gc.collect()
    return timed(fn)[0]


def measure(fn: Callable[[], object], repeats: int = DEFAULT_REPEATS, warmup: int = 1) -> Timing:
    for _ in range(warmup):
        fn()
    return Timing([_sample(fn) for _ in range(repeats)])


def measure_together(
    fns: dict[str, Callable[[], object]], repeats: int = DEFAULT_REPEATS, warmup: int = 1
) -> dict[str, Timing]:
    """Time several functions in alternation, so drifts in machine load affect all alike;
    each call starts after a full collection, so none pays for another's garbage."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            samples[name].append(_sample(fn))
    return {name: Timing(values) for name, values in samples.items()}


def peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes allocated by Python during one call (tracemalloc slows it; never timed)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def profile(fn: Callable[[], object], limit: int = 15) -> str:
    """cProfile of one call: the functions with the most own time, then the most cumulative."""
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(r"(api|scoring|weekly|srm|metrics|clock)", limit)
    return out.getvalue()


@dataclass
class Result:
    """One figure. With a baseline the target bounds measured/baseline, else measured itself."""

    name: str
    backend: str
    measured: float
    baseline: float | None = None
    target: float | None = None
    unit: str = "s"
    note: str = ""
    details: str = ""  # longer text (e.g. a profile) printed under the table
    error: bool = False
    at_least: bool = False  # the target is a floor (throughput), not a ceiling

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.measured / self.baseline

    @property
    def compared(self) -> float | None:
        return self.ratio if self.baseline is not None else self.measured

    @property
    def passed(self) -> bool | None:
        if self.error:
            return False
        if self.target is None or self.compared is None:
            return None
        if self.at_least:
            return self.compared >= self.target
        return self.compared <= self.target

    @property
    def status(self) -> str:
        if self.error:
            return "ERROR"
        return {True: "met", False: "MISSED", None: "-"}[self.passed]


@dataclass
class Context:
    """What a benchmark run gets: the backend, a fresh database URL, and the run's settings."""

    backend: str  # "sqlite", "postgresql" or "none"
    database_url: str | None
    repeats: int = DEFAULT_REPEATS
    memory: bool = True
    profile: bool = False  # profile even when the target is met
    notes: list[str] = field(default_factory=list)

    def log(self, message: str) -> None:
        print(f"  [{self.backend}] {message}", flush=True)


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "B":
        return f"{value / 1024:.1f} KiB" if value < 1024 * 1024 else f"{value / 2**20:.1f} MiB"
    return f"{value:g} {unit}".strip()


def _fmt_target(result: Result) -> str:
    if result.target is None:
        return "-"
    sign = "≥" if result.at_least else "≤"
    if result.baseline is not None:
        return f"{sign} {result.target:g}×"
    return f"{sign} {fmt_value(result.target, result.unit)}"


def _git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        # The report itself is rewritten by every run: it does not make the code uncommitted.
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", f":!{RESULTS_PATH.relative_to(ROOT)}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{revision or 'unknown'}{' (uncommitted changes)' if dirty else ''}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(postgres_version: str | None) -> list[tuple[str, str]]:
    import sqlite3

    import psycopg

    return [
        (
            "CPUs (nproc)",
            str(
                len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
            ),
        ),
        ("CPU", _cpu_model()),
        ("OS", platform.platform()),
        ("Python", sys.version.split()[0]),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres_version or "not run"),
        ("SQLAlchemy / psycopg", f"{sa.__version__} / {psycopg.__version__}"),
        ("Commit", _git_revision()),
    ]


SECTION = "## "
HEADER_ROWS = [
    "| Benchmark | Backend | Measured | Baseline | Ratio | Target | Status | Notes |",
    "|---|---|---:|---:|---:|---:|---|---|",
]


def render_section(
    module: str,
    results: list[Result],
    *,
    command: str,
    notes: list[str],
    started: datetime,
    seconds: float,
) -> str:
    """One benchmark module's figures, with when and how they were measured."""
    lines = [
        f"{SECTION}{module}",
        "",
        f"Measured by `{command}` on {started.astimezone(UTC):%Y-%m-%d %H:%M} UTC "
        f"in {seconds:.0f} s, commit {_git_revision()}.",
        "",
        *HEADER_ROWS,
    ]
    for r in results:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}×"
        cells = [
            r.name,
            r.backend,
            fmt_value(r.measured, r.unit),
            fmt_value(r.baseline, r.unit),
            ratio,
            _fmt_target(r),
            f"**{r.status}**" if r.status in ("MISSED", "ERROR") else r.status,
            r.note.replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    for r in (r for r in results if r.details):
        lines += ["", f"Details of {r.name} ({r.backend}):", "", "```", r.details.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def sections_of(text: str) -> dict[str, str]:
    """The per-module sections of an existing results file, by module name."""
    found = {}
    for chunk in ("\n" + text).split("\n" + SECTION)[1:]:
        name = chunk.split("\n", 1)[0].strip()
        if name.startswith("bench_"):
            found[name] = SECTION + chunk.rstrip("\n") + "\n"
    return found


def render(
    sections: dict[str, str],
    *,
    repeats: int,
    postgres_version: str | None,
) -> str:
    """The whole file: every module's latest section, and the machine of the latest run."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench`; a run limited with `-k` replaces only the sections of the "
        "modules it ran, so each section says when and on which commit it was measured. "
        "Do not edit by hand.",
        "",
        f"Times are medians of at least {repeats} repeats after a warm-up (quick cases repeat "
        "more, as their Notes say); a measurement and its baseline are timed in alternation "
        "in the same run, and the ratio is measured / baseline.",
        "",
        f"{SECTION}Machine of the latest run",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {key} | {value} |" for key, value in machine(postgres_version)]
    text = "\n".join(lines) + "\n"
    for name in sorted(sections):
        text += "\n" + sections[name]
    return text


def summary_line(result: Result) -> str:
    ratio = "" if result.ratio is None else f" ratio {result.ratio:.2f}"
    target = "" if result.target is None else f" (target {_fmt_target(result)})"
    return (
        f"{result.status:>6}  {result.name} [{result.backend}]: "
        f"{fmt_value(result.measured, result.unit)} vs {fmt_value(result.baseline, result.unit)}"
        f"{ratio}{target}  {result.note}"
    )
