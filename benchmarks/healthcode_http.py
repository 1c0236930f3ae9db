"""The HTTP cases of bench_healthcode.py, against the project's real server (waitress, as
``fangkong serve`` runs it) in its own process, loaded from this process on loopback.

Issuance: a resident's ``c/<link>/code.json`` (read the stored code, sign it, draw the QR
code) against the bare ninja and Django endpoints answering a constant of the same size.
Ingest: residents' ``c/<link>/checkins`` (one check-in per upload, as a phone sends it) at
the server's capacity and at 2, 5 and 10 times as many clients; the gate upload
``POST /api/v1/healthcode/gate/scans`` (batches of scans) for uploaded scans per minute.
Meanwhile a separate process verifies the codes the server issued against the keys
document fetched before the load, with no network: what a gate does."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import healthcode_load as load

ROOT = Path(__file__).resolve().parents[1]


class Fixture:
    """What the requests need: residents' links, venue codes, a door-staff session."""

    def __init__(self, residents: int = 2000) -> None:
        from django.contrib.auth.models import User
        from django.middleware.csrf import _get_new_csrf_string
        from django.test import Client

        from fangkong.core.models import AdminUnit, Level, Profile
        from fangkong.healthcode import checkins, resident
        from fangkong.healthcode.keys import ensure_active_key
        from fangkong.healthcode.models import PersonCode
        from fangkong.registry.models import Person, Venue

        ensure_active_key()
        people = list(Person.objects.filter(inactive_since__isnull=True).order_by("pk")
                      [:residents])
        self.links = [resident.resident_link(p) for p in people]
        venues = list(Venue.objects.order_by("pk")[:200])
        self.venue_tokens = [checkins.venue_token(v) for v in venues]
        self.venue_ids = [v.pk for v in venues]
        self.pseudonyms = list(PersonCode.objects.filter(colour="green")
                               .values_list("pseudonym", flat=True)[:5000])
        user = User.objects.create_user(f"bench-gate-{secrets.token_hex(3)}")
        Profile.objects.create(user=user, unit=AdminUnit.objects.get(level=Level.CITY),
                               roles=["door_staff"])
        client = Client()
        client.force_login(user)
        csrf = _get_new_csrf_string()
        self.gate_headers = {
            "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
            "X-CSRFToken": csrf, "Content-Type": "application/json"}
        sample = resident.code_payload(resident.current_code(people[0]))
        self.body_bytes = len(json.dumps(sample).encode())


def start_server(port: int, threads: int, *, max_in_flight: int | None, body_bytes: int,
                 log: Path) -> subprocess.Popen[bytes]:
    """The server, its stderr (Django's and waitress's log) to the file ``log``: a pipe nobody
    reads fills after 64 KiB and then blocks every thread that logs (the stall of 2026-11-24)."""
    env = {**os.environ, "FANGKONG_BENCH_BODY_BYTES": str(body_bytes),
           "FANGKONG_BENCH_MAX_IN_FLIGHT": str(max_in_flight or "")}
    with log.open("wb") as err:
        server = subprocess.Popen([sys.executable, "-m", "benchmarks.healthcode_serve",
                                   str(port), str(threads)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=err)
    load.wait_for(port)
    return server


def stop_server(server: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    """Stop it; whether it was still alive (never crashed), tracebacks and lines it logged."""
    alive = server.poll() is None
    server.terminate()
    server.wait(timeout=30)
    lines = log.read_text("utf-8", "replace").splitlines()
    return {"alive_at_end": alive, "tracebacks": sum("Traceback" in ln for ln in lines),
            "log_lines": len(lines),
            "shed_summaries": sum("load shedding:" in ln for ln in lines),
            "queue_warnings": sum("Task queue depth" in ln for ln in lines)}


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def checkin_request(fx: Fixture) -> load.MakeRequest:
    def make(thread: int, i: int) -> load.Request:
        link = fx.links[(thread * 7919 + i) % len(fx.links)]
        item = {"venue_token": fx.venue_tokens[i % len(fx.venue_tokens)], "ts": _now_iso(),
                "client_key": f"b{thread}-{i}-{secrets.token_hex(4)}"}
        return ("POST", f"{link}checkins", json.dumps({"items": [item]}).encode(),
                {"Content-Type": "application/json"})
    return make


def gate_request(fx: Fixture, batch: int) -> load.MakeRequest:
    def make(thread: int, i: int) -> load.Request:
        at, tag = _now_iso(), secrets.token_hex(4)
        events = [{"client_key": f"g{thread}-{i}-{k}-{tag}", "scanned_at": at,
                   "pseudonym": fx.pseudonyms[(i * batch + k) % len(fx.pseudonyms)],
                   "colour": "green", "result": "pass", "reason": "green",
                   "temperature": "36.5"} for k in range(batch)]
        body = {"device": f"bench-gate-{thread}", "venue_id": fx.venue_ids[thread % 10],
                "events": events}
        return ("POST", "/api/v1/healthcode/gate/scans", json.dumps(body).encode(),
                fx.gate_headers)
    return make


def get_request(paths: list[str]) -> load.MakeRequest:
    def make(thread: int, i: int) -> load.Request:
        return ("GET", paths[(thread * 7919 + i) % len(paths)], None, {})
    return make


def _offline_verifier(document: dict[str, Any], codes: list[str], seconds: float,
                      out: Any) -> None:
    from fangkong.healthcode import tokens

    keys = tokens.public_keys_from_json(document)
    ok = done = 0
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        for code in codes:
            ok += tokens.verify_token(code, public_keys=keys, now=time.time()).valid
            done += 1
    out.put({"verified": done, "valid": ok, "per_s": done / (time.perf_counter() - began)})


def issue_cases(port: int, fx: Fixture, clients: int, seconds: float) -> list[dict[str, Any]]:
    paths = [f"{link}code.json" for link in fx.links]
    rows = [{"case": "ours: resident code.json (read person and code, sign)",
             **load.drive(port, get_request(paths), clients=clients, seconds=seconds)}]
    for name, path in (("baseline: bare django-ninja GET, constant body", "/bench/ninja/constant"),
                       ("baseline: bare Django view, constant body", "/bench/django/constant")):
        rows.append({"case": name, **load.drive(port, get_request([path]), clients=clients,
                                                 seconds=seconds)})
    return rows


def issued_codes(port: int, fx: Fixture, n: int = 50) -> tuple[dict[str, Any], list[str]]:
    """The keys document and some codes, fetched once before the overload (a gate's cache)."""
    _, keys = load.fetch(port, "/public/healthcode/keys.json")
    codes = [json.loads(load.fetch(port, f"{link}code.json")[1])["token"]
             for link in fx.links[:n]]
    return json.loads(keys), codes


def ingest_cases(port: int, fx: Fixture, *, capacity_clients: int, multiples: list[int],
                 seconds: float, gate_batch: int) -> list[dict[str, Any]]:
    """Gate uploads (skipped when ``gate_batch`` is 0), then the check-in series."""
    document, codes = issued_codes(port, fx)
    rows: list[dict[str, Any]] = []
    if gate_batch:
        rows.append({"case": f"gate scans upload, {gate_batch} per batch",
                     **load.drive(port, gate_request(fx, gate_batch), clients=capacity_clients,
                                  seconds=seconds)})
        rows[0]["scans_per_min"] = rows[0]["accepted_per_s"] * gate_batch * 60
    for multiple in [1, *multiples]:
        row: dict[str, Any] = {"case": f"check-ins, {multiple}x clients"}
        verifier = None
        if multiple == max(multiples):
            queue: Any = multiprocessing.Queue()
            verifier = multiprocessing.Process(target=_offline_verifier,
                                               args=(document, codes, seconds, queue))
            verifier.start()
        row.update(load.drive(port, checkin_request(fx), clients=capacity_clients * multiple,
                              seconds=seconds))
        if verifier is not None:
            row["offline_verify"] = queue.get(timeout=seconds + 30)
            verifier.join()
        rows.append(row)
        print(f"  {row['case']}: {row['accepted_per_s']:.0f}/s accepted, "
              f"{row['shed_share']:.0%} shed, statuses {row['statuses']}", flush=True)
    return rows
