"""`flask --app wsgi serve`: one foreground process that owns gunicorn and the scheduler.

A supervisor (systemd, a container runtime, `make run` in a terminal) signals this process
only. It forwards SIGTERM/SIGINT to both children as SIGTERM (gunicorn then finishes the
requests in flight), waits for them, and exits 0. If either child dies on its own, the other
is stopped the same way and this process exits non-zero, so the supervisor sees the failure
instead of a half-running service.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable

POLL_SECONDS = 0.2
# Beyond gunicorn's own graceful timeout, before a child that will not stop is killed.
KILL_MARGIN_SECONDS = 5
THREADS = 4


def commands(host: str, port: int, workers: int, graceful_timeout: int) -> dict[str, list[str]]:
    python = sys.executable  # the same interpreter, hence the same environment
    return {
        "gunicorn": [
            python, "-m", "gunicorn",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            # Threaded workers: a browser's idle or speculative connection (Chromium preconnects)
            # waits in the worker's poller instead of holding a whole sync worker.
            "--threads", str(THREADS),
            "--graceful-timeout", str(graceful_timeout),
            "--access-logfile", "-",
            "wsgi:app",
        ],
        "scheduler": [python, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
    }  # fmt: skip


def run(
    host: str,
    port: int,
    workers: int,
    graceful_timeout: int = 30,
    say: Callable[[str], None] = print,
) -> int:
    """Serve until signalled (exit 0) or until a child dies (exit 1)."""
    received: list[int] = []

    def on_signal(signum, _frame):
        received.append(signum)

    # Handlers first: a signal arriving while the children start is not lost.
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    children: dict[str, subprocess.Popen] = {}
    try:
        for name, argv in commands(host, port, workers, graceful_timeout).items():
            children[name] = subprocess.Popen(argv)
            say(f"serve: started {name} (pid {children[name].pid})")
        died = _wait_for_signal_or_death(children, received)
        if died is None:
            say(f"serve: {signal.Signals(received[0]).name} received, stopping")
        else:
            say(f"serve: {died} exited with {children[died].returncode}; stopping the rest")
        codes = _stop(children, graceful_timeout + KILL_MARGIN_SECONDS, say)
    finally:
        for child in children.values():
            if child.poll() is None:  # only if something above raised
                child.kill()
                child.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if died is not None:
        return 1
    # A child still starting up has no handler yet and dies of the SIGTERM itself: also a stop.
    return 0 if all(code in (0, -signal.SIGTERM) for code in codes.values()) else 1


def _wait_for_signal_or_death(
    children: dict[str, subprocess.Popen], received: list[int]
) -> str | None:
    while not received:
        for name, child in children.items():
            if child.poll() is not None:
                return name
        time.sleep(POLL_SECONDS)
    return None


def _stop(
    children: dict[str, subprocess.Popen], timeout: float, say: Callable[[str], None]
) -> dict[str, int]:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    codes = {}
    for name, child in children.items():
        try:
            codes[name] = child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"serve: {name} did not stop in {timeout:.0f} s; killing it")
            child.kill()
            codes[name] = child.wait()
        say(f"serve: {name} stopped ({codes[name]})")
    return codes
