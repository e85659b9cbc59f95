"""A small HTTP load client for benchmarks against a real server on loopback: threads, one
request at a time each, latencies kept. Bounded by a deadline and a request count."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    body: dict | None = None
    headers: dict = field(default_factory=dict)


@dataclass
class LoadResult:
    latencies: list[float]
    errors: list[str]
    seconds: float

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        ok = self.requests - len(self.errors)
        return ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


def send(port: int, request: Request) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = None if request.body is None else json.dumps(request.body)
        headers = {"Content-Type": "application/json", **request.headers}
        connection.request(request.method, request.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_load(
    port: int,
    users: int,
    seconds: float,
    next_request: Callable[[int, int], Request],
    pause: float = 0.0,
    max_requests: int = 1_000_000,
) -> LoadResult:
    """`users` threads each send next_request(user, n) until `seconds` pass; 2xx is success."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    budget = iter(range(max_requests))

    def user_loop(user: int):
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if next(budget, None) is None:
                    return
            request = next_request(user, n)
            start = time.perf_counter()
            try:
                status, _ = send(port, request)
                problem = (
                    None if 200 <= status < 300 else f"{request.method} {request.path}: {status}"
                )
            except OSError as error:
                problem = f"{request.method} {request.path}: {error}"
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)
            n += 1
            if pause:
                time.sleep(pause)

    started = time.monotonic()
    threads = [threading.Thread(target=user_loop, args=(u,)) for u in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return LoadResult(latencies, errors, time.monotonic() - started)
