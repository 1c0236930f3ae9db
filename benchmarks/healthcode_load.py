"""The load generator of bench_healthcode.py: a small threaded client on loopback (no locust:
one Python process of N threads, each holding one keep-alive HTTP/1.1 connection and sending
its next request as soon as the previous answer arrives: a closed loop with no think time).
A client answered 503 does not wait for Retry-After (the worst case: a flood of resends).

It counts answers by status, checks that each 503 carries ``Retry-After``, and keeps the
latency of accepted (2xx) answers. It shares the machine's cores with the server it loads."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (method, path, body, headers) for the i-th request of a client thread
Request = tuple[str, str, bytes | None, dict[str, str]]
MakeRequest = Callable[[int, int], Request]


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    retry_after_missing: int = 0
    errors: Counter[str] = field(default_factory=Counter)


def _client(port: int, make: MakeRequest, thread: int, stop: float,
            shared: tuple[Tally, threading.Lock]) -> None:
    tally, lock = shared
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    mine, i = Tally(), 0
    while time.perf_counter() < stop:
        method, path, body, headers = make(thread, i)
        i += 1
        began = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            mine.errors[type(exc).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            continue
        mine.statuses[response.status] += 1
        if 200 <= response.status < 300:
            mine.latencies.append(time.perf_counter() - began)
        elif response.status == 503 and not response.getheader("Retry-After"):
            mine.retry_after_missing += 1
    conn.close()
    with lock:
        tally.statuses.update(mine.statuses)
        tally.latencies.extend(mine.latencies)
        tally.retry_after_missing += mine.retry_after_missing
        tally.errors.update(mine.errors)


def drive(port: int, make: MakeRequest, *, clients: int, seconds: float) -> dict[str, Any]:
    """Run ``clients`` threads for ``seconds``; answers per second and accepted latency."""
    tally, lock = Tally(), threading.Lock()
    began = time.perf_counter()
    stop = began + seconds
    threads = [threading.Thread(target=_client, args=(port, make, t, stop, (tally, lock)))
               for t in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    total = sum(tally.statuses.values())
    accepted = sum(n for s, n in tally.statuses.items() if 200 <= s < 300)
    lat = sorted(tally.latencies)
    return {
        "clients": clients, "seconds": round(elapsed, 2), "requests": total,
        "per_s": total / elapsed, "accepted_per_s": accepted / elapsed,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "shed_share": tally.statuses.get(503, 0) / total if total else 0.0,
        "server_errors": sum(n for s, n in tally.statuses.items() if s >= 500 and s != 503),
        "retry_after_missing": tally.retry_after_missing,
        "connection_errors": dict(tally.errors),
        "p50_ms": statistics.median(lat) * 1000 if lat else None,
        "p95_ms": lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))] * 1000 if lat else None,
    }


def wait_for(port: int, path: str = "/bench/django/constant", seconds: float = 60) -> None:
    """Block until the server answers (it migrates nothing; Django's start takes seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server on port {port} did not answer in {seconds} s")


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()
