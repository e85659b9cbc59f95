"""Lighthouse scores of the client's main screens, signed in with data, on a phone.

A real server (SQLite in a temp dir) with a client who has four weeks of diary days; Debian's
Chromium, headless, with a profile of its own, is signed in through the app's own form with
Playwright, and the pinned Lighthouse (tools/lighthouse, `make lighthouse`) then audits each
screen in that browser with its default mobile emulation and throttling, storage kept (the
token is in IndexedDB). Each screen is audited RUNS times; the median score per category is
the figure (Lighthouse's own advice: one run varies by a few points, more on a busy machine).

A run that audited anything but the signed-in screen asked for (the sign-in page, another
route) raises: a score of the wrong page is worse than none.

Today is left empty, so before noon it shows the "last night's bedtime" card as a client's
morning does. BENCH_LIGHTHOUSE_RUNS sets the runs per screen; BENCH_LIGHTHOUSE_KEEP=DIR keeps
each run's full report (DIR/<n>.json, screens in SCREENS order, run after run) to read the
failing audits.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bench.harness import ROOT, Context, Result
from tests.servers import Server

NEEDS_DATABASE = False
TOOLS = ROOT / "tools" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
# Screen, route, and the route whose navigation link is marked current there.
SCREENS = [
    ("Today", "today", "today"),
    ("Week", "week", "week"),
    ("Trends", "trends", "trends"),
    ("Sync", "sync", "sync"),
    ("More", "more", "more"),
    ("Settings", "settings", "more"),
]
CATEGORIES = [
    ("performance", "performance"),
    ("accessibility", "accessibility"),
    ("best-practices", "best practices"),
]
TARGET = 95
# The metrics Lighthouse 12's performance score is made of.
METRICS = [
    ("FCP", "first-contentful-paint"),
    ("LCP", "largest-contentful-paint"),
    ("TBT", "total-blocking-time"),
    ("CLS", "cumulative-layout-shift"),
    ("SI", "speed-index"),
]
RUNS = int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "5"))
DAYS = 28
EMAIL = "lighthouse@example.org"
ZONE = "Europe/London"
# Those of tests/e2e/conftest.py, headless, plus a debugging port Lighthouse connects to.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=en-GB",
    "--remote-debugging-port=0",
]


def _entry(n: int) -> dict:
    return {
        "timezone": ZONE,
        "mood": n % 5 - 2,
        "activities": {
            "out_of_bed": {"time": f"07:{(n * 7) % 50:02d}", "people": 0},
            "first_contact": {"time": "07:45", "people": 2},
            "start_work": {"time": f"09:{(n * 3) % 30:02d}"},
            "dinner": {"time": f"19:{(n * 11) % 60:02d}", "people": 1},
            "to_bed": {"time": f"23:{(n * 13) % 40:02d}"},
        },
    }


def _client_with_days(server: Server) -> None:
    from tests.conftest import PASSWORD
    from tests.e2e.pwa_helpers import days_ago

    status, body, _ = server.request(
        "POST", "/api/v1/auth/register", {"email": EMAIL, "password": PASSWORD, "timezone": ZONE}
    )
    assert status == 202, body
    server.verify_emails(EMAIL)
    status, body, _ = server.request(
        "POST", "/api/v1/auth/token", {"email": EMAIL, "password": PASSWORD}
    )
    assert status == 201, body
    token = body["token"]
    # Today is left empty (the form as a client opens it in the morning); the days before it
    # give Week and Trends something to draw.
    for n in range(1, DAYS + 1):
        status, body, _ = server.request(
            "PUT", f"/api/v1/entries/{days_ago(n)}", _entry(n), token=token
        )
        assert status in (200, 201), (status, body)


class Chromium:
    """Headless Chromium with a throwaway profile and a DevTools port on loopback."""

    def __init__(self, profile: Path):
        self.profile = profile
        self.process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_ARGS, f"--user-data-dir={profile}", "about:blank"],
            env={**os.environ, "TZ": ZONE},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.port = self._port()

    def _port(self) -> int:
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self.process.returncode}")
            if active.exists() and active.read_text().strip():
                return int(active.read_text().split()[0])
            time.sleep(0.1)
        raise RuntimeError("Chromium did not open its DevTools port in 30 s")

    def version(self) -> str:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
        return out.strip().split(" built")[0] or "unknown"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _sign_in(server: Server, port: int) -> None:
    """Sign the app in through its own form, in the browser's default (on-disk) profile, and
    wait for the service worker to hold the shell: Lighthouse then opens its tabs there."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.pwa_helpers import sign_in, wait_for_shell

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        context = browser.contexts[0]
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{server.url}/#/signin")
        sign_in(page, EMAIL)
        wait_for_shell(page)
        page.close()
        # Disconnects only: the browser is ours to stop, and Lighthouse needs it first.
        browser.close()


def _lighthouse(port: int, urls: list[str], out: Path) -> list[dict]:
    runner = TOOLS / "run.mjs"
    if not (TOOLS / "node_modules" / "lighthouse").is_dir():
        raise RuntimeError("Lighthouse is not installed: run `make lighthouse` (npm ci)")
    subprocess.run(
        ["node", str(runner), "--port", str(port), "--out", str(out), *urls],
        cwd=TOOLS,
        check=True,
        timeout=180 * len(urls),
    )
    return [json.loads((out / f"{n}.json").read_text()) for n in range(len(urls))]


def _check_screen(report: dict, route: str, current: str) -> None:
    """The audit ran on the signed-in screen asked for, not on the sign-in page."""
    shown, lhr = report["shown"], report["lhr"]
    problems = []
    if lhr.get("runtimeError"):
        problems.append(f"runtime error {lhr['runtimeError']}")
    if not lhr["finalDisplayedUrl"].endswith(f"/#/{route}"):
        problems.append(f"final URL {lhr['finalDisplayedUrl']}")
    if shown["hash"] != f"#/{route}":
        problems.append(f"hash {shown['hash']!r}")
    if not shown["signOut"]:
        problems.append("no Sign out button (signed out: the sign-in page?)")
    if shown["current"] != f"#/{current}":
        problems.append(f"current navigation link {shown['current']!r}, not #/{current}")
    if problems:
        raise AssertionError(
            f"Lighthouse did not audit the signed-in {route} screen: {'; '.join(problems)} "
            f"(heading {shown['heading']!r})"
        )


def _failing(lhr: dict, category: str) -> list[str]:
    """The category's scored audits below 0.9, worst first, with their weights."""
    audits = lhr["audits"]
    found = []
    for ref in lhr["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        score = audit.get("score")
        if ref.get("weight", 0) > 0 and score is not None and score < 0.9:
            value = audit.get("displayValue") or ""
            found.append((score, f"{ref['id']} {score:.2f}{' ' + value if value else ''}"))
    return [text for _, text in sorted(found)]


def run(ctx: Context) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="cadence-lighthouse-") as tmp:
        work = Path(tmp)
        server = Server(f"sqlite:///{work / 'cadence.sqlite3'}")
        server.migrate()
        server.start()
        chromium = None
        try:
            _client_with_days(server)
            chromium = Chromium(work / "profile")
            _sign_in(server, chromium.port)
            urls = [f"{server.url}/#/{route}" for _, route, _ in SCREENS] * RUNS
            started = time.perf_counter()
            reports = _lighthouse(chromium.port, urls, work / "reports")
            seconds = time.perf_counter() - started
            version = chromium.version()
        finally:
            if chromium:
                chromium.stop()
            server.stop()
        keep = os.environ.get("BENCH_LIGHTHOUSE_KEEP")
        if keep:
            shutil.copytree(work / "reports", keep, dirs_exist_ok=True)

    lighthouse_version = reports[0]["lhr"]["lighthouseVersion"]
    ctx.notes.append(
        f"Lighthouse {lighthouse_version} (tools/lighthouse), {version} "
        f"(DevTools: {reports[0]['browser']}): mobile emulation and simulated throttling "
        f"(Lighthouse defaults), storage kept (signed in, service worker installed); {RUNS} runs "
        f"per screen in {seconds:.0f} s, the median score is the figure. Performance moves with "
        f"the machine's load: Lighthouse's benchmarkIndex (its CPU speed test, in each Notes cell) "
        f"below about 1000 means a busy machine and a higher Total Blocking Time"
    )
    results = []
    for i, (screen, route, current) in enumerate(SCREENS):
        mine = reports[i :: len(SCREENS)]
        for report in mine:
            _check_screen(report, route, current)
        for category, label in CATEGORIES:
            note = _note(mine, category)
            results.append(
                Result(
                    f"Lighthouse {label}: {screen} (#/{route}), signed in, mobile",
                    ctx.backend,
                    statistics.median(_score(r, category) for r in mine),
                    target=TARGET,
                    unit="",
                    note=f"Lighthouse {lighthouse_version}, {version}; {note}",
                    at_least=True,
                )
            )
    return results


def _score(report: dict, category: str) -> int:
    return round(report["lhr"]["categories"][category]["score"] * 100)


def _note(mine: list[dict], category: str) -> str:
    """Each run's score; for the run nearest the median, its audits below 0.9 and (performance)
    the metrics the score is made of; and how fast the machine was in each run."""
    scores = [_score(r, category) for r in mine]
    median = statistics.median(scores)
    typical = min(mine, key=lambda r: abs(_score(r, category) - median))
    note = f"runs {', '.join(map(str, scores))}"
    if category == "performance":
        audits = typical["lhr"]["audits"]
        metrics = ", ".join(f"{name} {audits[key]['displayValue']}" for name, key in METRICS)
        speed = ", ".join(f"{r['lhr']['environment']['benchmarkIndex']:.0f}" for r in mine)
        note += f" (benchmarkIndex {speed}); median run: {metrics}"
    failing = _failing(typical["lhr"], category)
    if failing:
        note += "; below 0.9: " + ", ".join(failing)
    return note
