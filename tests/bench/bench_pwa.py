"""Size of the PWA's own files (HTML, CSS, JS, manifest, service worker), gzipped.

The service worker fetches all of them once, in the background, for offline use; what a phone
waits for before the first screen is measured by tests/bench/bench_lighthouse.py. The budget
was 100 KiB for the client's screens alone; it is 200 KiB since the shell also holds the
clinician's and researcher's screens and two complete languages.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.bench.harness import Context, Result

NEEDS_DATABASE = False
PWA = Path(__file__).resolve().parents[2] / "pwa"
OWN = (".html", ".css", ".js", ".webmanifest")
TARGET_BYTES = 200 * 1024


def run(ctx: Context) -> list[Result]:
    files = sorted(p for p in PWA.rglob("*") if p.suffix in OWN)
    raw = sum(p.stat().st_size for p in files)
    packed = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in files)
    return [
        Result(
            "PWA app shell, own files gzipped (each file on its own)",
            ctx.backend,
            packed,
            target=TARGET_BYTES,
            unit="B",
            note=f"{len(files)} files, {raw / 1024:.1f} KiB before gzip; icons not counted",
        )
    ]
