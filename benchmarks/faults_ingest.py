"""Faults during ingest: door devices upload gate scans to ``fangkong serve`` while the server
is killed (``kill -9``) and started again, or while its database connections are terminated
(``pg_terminate_backend``, PostgreSQL only).

Each device sends batches of scans, each scan with its own client key, as a real gate does: a
batch counts as acknowledged when a 2xx answer came back; anything else (connection refused or
reset mid-request, 5xx, 503 shedding) means the device keeps the batch and sends it again, the
same keys, until it is acknowledged. At the end the database is counted: every acknowledged
scan must be stored exactly once, with exactly one check-in (every scan admitted someone).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks.faults_procs import Place, Server, terminate_backends, world

BATCH = 20  # scans per upload; a gate that was offline a while sends hundreds


@dataclass
class Device:
    """One gate: what it sent, what the server acknowledged, and what went wrong."""

    name: str
    venue: int
    acked: list[str] = field(default_factory=list)  # device/key of acknowledged scans
    batches: int = 0
    sends: int = 0
    failures: dict[str, int] = field(default_factory=dict)

    def fail(self, why: str) -> None:
        self.failures[why] = self.failures.get(why, 0) + 1


class Gates:
    """Devices uploading in threads until told to stop."""

    def __init__(self, *, server: Server, fixture: dict[str, Any], devices: int) -> None:
        self.server, self.fixture = server, fixture
        self.devices = [Device(name=f"gate-{n}", venue=fixture["venues"][n % len(
            fixture["venues"])]) for n in range(devices)]
        self.stop = threading.Event()
        self.headers = {"Cookie": f"sessionid={fixture['session']}; csrftoken={fixture['csrf']}",
                        "X-CSRFToken": fixture["csrf"], "Content-Type": "application/json",
                        "Accept-Language": "en"}

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._upload, args=(d,), daemon=True)
                   for d in self.devices]
        for t in threads:
            t.start()
        return threads

    def _upload(self, device: Device) -> None:
        pseudonyms = self.fixture["pseudonyms"]
        while not self.stop.is_set():
            n = device.batches
            at = dt.datetime.now(dt.UTC).isoformat()
            events = [{"client_key": f"b{n}-{k}", "scanned_at": at,
                       "pseudonym": pseudonyms[(n * BATCH + k) % len(pseudonyms)],
                       "colour": "green", "result": "pass", "reason": "green",
                       "temperature": "36.6"} for k in range(BATCH)]
            body = json.dumps({"device": device.name, "venue_id": device.venue,
                               "events": events}).encode()
            self._send_until_acknowledged(device, body)
            device.acked.extend(f"{device.name}/{e['client_key']}" for e in events)
            device.batches += 1

    def _send_until_acknowledged(self, device: Device, body: bytes) -> None:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
                conn.connect()
            except ConnectionRefusedError:
                time.sleep(0.2)  # the server is down: nothing was sent
                continue
            device.sends += 1
            try:
                conn.request("POST", "/api/v1/healthcode/gate/scans", body, self.headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:  # killed mid-request (a reset,
                # or an answer cut short: IncompleteRead): the answer is lost
                device.fail(type(exc).__name__)
                continue
            if 200 <= response.status < 300:
                reply = json.loads(answer)
                if reply["rejected"] or reply["stored"] + reply["duplicates"] != BATCH:
                    raise AssertionError(f"an acknowledged batch was not whole: {reply}")
                return
            device.fail(f"http {response.status}")
            time.sleep(0.05)


def inject(*, server: Server, place: Place, fault: str, kills: int, rng: random.Random) -> int:
    """``kills`` faults at random moments while the devices upload; the number that hit a
    live target (a server running, or at least one connection terminated)."""
    hits = 0
    for _ in range(kills):
        time.sleep(rng.uniform(0.2, 1.0))
        if fault == "kill9":
            hits += server.kill()
            server.start()
        else:
            hits += terminate_backends(place.database_url) > 0
    return hits


def run_ingest(*, place: Place, fault: str, kills: int, devices: int = 4, seed: int = 0,
               fixture: dict[str, Any] | None = None) -> dict[str, Any]:
    """One run; the counts of the table (``lost`` and ``duplicated`` must be 0)."""
    fixture = fixture or world(place, "setup")
    server = Server(place, threads=8)
    server.start()
    gates = Gates(server=server, fixture=fixture, devices=devices)
    started = time.monotonic()
    threads = gates.run()
    try:
        hits = inject(server=server, place=place, fault=fault, kills=kills,
                      rng=random.Random(seed))
        time.sleep(0.5)  # a last batch or two after the last fault
    finally:
        gates.stop.set()
        for t in threads:
            t.join(timeout=120)
        server.stop()
    return tally(fault=fault, place=place, gates=gates, hits=hits, kills=kills,
                 seconds=time.monotonic() - started, stored=world(place, "count-ingest"))


def tally(*, fault: str, place: Place, gates: Gates, hits: int, kills: int, seconds: float,
          stored: dict[str, Any]) -> dict[str, Any]:
    acked = {key for d in gates.devices for key in d.acked}
    scans, checkins = stored["scans"], stored["checkins"]
    failures: dict[str, int] = {}
    for d in gates.devices:
        for why, n in d.failures.items():
            failures[why] = failures.get(why, 0) + n
    return {
        "kind": "ingest", "fault": fault, "backend": place.backend, "kills": kills,
        "hits": hits, "records_sent": sum(d.sends for d in gates.devices) * BATCH,
        "acknowledged": len(acked), "stored": len(scans),
        "lost": len(acked - set(scans)),
        "duplicated": sum(n - 1 for n in scans.values() if n > 1),
        "stored_unacknowledged": len(set(scans) - acked),
        "checkins_lost": sum(1 for key in acked if checkins.get(key, 0) == 0),
        "checkins_duplicated": sum(n - 1 for n in checkins.values() if n > 1)
        + stored["stray_checkins"],
        "failed_sends": failures, "uploads_audited": stored["uploads_audited"],
        "seconds": round(seconds, 1)}
