"""Size of the PWA's own files (HTML, CSS, JS, manifest, service worker), gzipped."""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.bench.harness import Context, Result

NEEDS_DATABASE = False
PWA = Path(__file__).resolve().parents[2] / "pwa"
OWN = (".html", ".css", ".js", ".webmanifest")
TARGET_BYTES = 100 * 1024


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
