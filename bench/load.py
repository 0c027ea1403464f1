"""Load generator: a few keep-alive HTTP clients in threads, against a loopback server only.

Every loop is bounded twice: by a request budget and by a deadline.
"""

from __future__ import annotations

import http.client
import math
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOOPBACK = "127.0.0.1"
#: Errors a reused keep-alive connection may raise when the server has closed it meanwhile.
STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0  # wall seconds from the start signal until every client stopped

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def merge(self, other: Result) -> None:
        self.latencies.extend(other.latencies)
        self.errors.extend(other.errors)
        self.elapsed += other.elapsed

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: float) -> float:
        return percentile(sorted(self.latencies), q) * 1000


def percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (q in 0..100) of an already sorted list."""
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    queries: int


def timed(calls: list[Callable[[], Any]], repeat: int) -> Timing:
    """Each of ``calls`` in turn (round robin) ``repeat`` times in all after a warm-up of each;
    the SQL queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for call in calls:
        call()
    with CaptureQueriesContext(connection) as captured:
        calls[0]()
    durations = []
    for k in range(repeat):
        began = time.perf_counter()
        calls[k % len(calls)]()
        durations.append(time.perf_counter() - began)
    durations.sort()
    return Timing(
        p50_ms=statistics.median(durations) * 1000,
        p95_ms=percentile(durations, 95) * 1000,
        queries=len(captured.captured_queries),
    )


def fetch(
    port: int, path: str, headers: dict[str, str], timeout: float = 30
) -> tuple[int, bytes, dict[str, str]]:
    """One request on a fresh connection: status, body, headers."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


@dataclass
class _Window:
    """Set by the conductor just before it releases the clients."""

    deadline: float = math.inf


def _client(
    port: int,
    path: str,
    headers: dict[str, str],
    budget: int,
    window: _Window,
    start: threading.Event,
    out: Result,
) -> None:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    start.wait()
    try:
        for _ in range(budget):
            if time.perf_counter() >= window.deadline:
                break
            began = time.perf_counter()
            status = 0
            for attempt in range(2):  # a second try only for a keep-alive connection gone stale
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    break
                except STALE_CONNECTION as exc:
                    conn.close()
                    if attempt:
                        out.errors.append(type(exc).__name__)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    out.errors.append(type(exc).__name__)
                    break
            if status == 200:
                out.latencies.append(time.perf_counter() - began)
            elif status:
                out.errors.append(f"HTTP {status}")
    finally:
        conn.close()


def hammer(
    port: int,
    path: str,
    headers: dict[str, str],
    *,
    clients: int,
    requests: int,
    duration: float,
) -> Result:
    """``clients`` threads share ``requests`` GETs of ``path``, stopping after ``duration`` s."""
    start = threading.Event()
    window = _Window()
    budget = max(1, math.ceil(requests / clients))
    results = [Result() for _ in range(clients)]
    threads = [
        threading.Thread(
            target=_client,
            args=(port, path, headers, budget, window, start, result),
            daemon=True,
        )
        for result in results
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    window.deadline = began + duration
    start.set()
    for thread in threads:
        thread.join(timeout=duration + 60)
    total = Result(elapsed=time.perf_counter() - began)
    for result in results:
        total.latencies.extend(result.latencies)
        total.errors.extend(result.errors)
    if any(thread.is_alive() for thread in threads):
        total.errors.append("client thread did not finish")
    return total
