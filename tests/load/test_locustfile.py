"""The load test's scenario cannot rot: the locustfile of ``benchmarks/load`` runs headless
for 10 s (its own process, as the benchmark runs it) against the project's waitress server
serving the test database, with a fixture built by the benchmark's own builder on a small
synthetic city, and every role's every request is answered 2xx (a 503 from the shedder is
allowed, nothing else), with the writes stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.urls import resolve

from fangkong.cli.commands import make_server
from fangkong.healthcode import shedding
from fangkong.healthcode.models import Checkin, GateScan
from fangkong.healthcode.shedding import GUARD
from fangkong.testing.models import Tube, TubeStatus
from tests.healthcode.test_shedding import server_connections_closed  # noqa: F401 (the server threads close their connections)
from tests.web import browser as web

rule_versions = web.rule_versions  # an earlier live-server test may have flushed the policies

ROOT = Path(__file__).resolve().parents[2]
NAMES = {"code.json", "checkins", "tokens/verify", "gate/scans", "sampling/lookup",
         "sampling/batches", "lab/results", "command page", "command live tiles"}


@pytest.fixture
def world(tmp_path: Path, transactional_db: None, rule_versions: None) -> Path:
    """A 1,500-resident synthetic city, its codes, and the locust fixture written to a file."""
    from benchmarks.load import fixture

    from fangkong.healthcode.keys import ensure_active_key
    from fangkong.healthcode.recompute import do_recompute_all
    from fangkong.registry.load import load_city
    from fangkong.synth.generate import generate_city

    generate_city(out=tmp_path / "city", residents=1500, seed=7, days=1, ping_share=0.0,
                  progress=False)
    load_city(src=tmp_path / "city", progress=False)
    ensure_active_key()
    do_recompute_all()
    path = tmp_path / "fixture.json"
    fixture.write(path, lab_batches=2, gate_tokens=20)
    return path


@pytest.fixture
def server(settings: Any) -> Iterator[int]:
    """``fangkong serve``'s server in a thread of this process, so it serves the test
    database; its port. Four threads (shedding limit 2) on PostgreSQL; one on SQLite, whose
    shared in-memory test database allows one writer and does not wait for a lock."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.HEALTHCODE_MAX_IN_FLIGHT = 0
    resolve("/api/v1/healthcode/gate/scans")  # import every view before the clock starts
    threads = 1 if connections["default"].vendor == "sqlite" else 4
    made = make_server(host="127.0.0.1", port=0, threads=threads)
    loop = threading.Thread(target=made.run, daemon=True)
    loop.start()
    yield made.effective_port
    made.trigger.pull_trigger(made.close)
    made.task_dispatcher.shutdown(timeout=5)
    loop.join(5)
    connections.close_all()
    GUARD.in_flight, GUARD.server_threads = 0, shedding.DEFAULT_THREADS


def run_locust(*, port: int, fixture: Path, record: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
           "FANGKONG_LOAD_FIXTURE": str(fixture), "FANGKONG_LOAD_RECORD": str(record),
           "FANGKONG_LOAD_PLAN": "0.1:10", "FANGKONG_LOAD_LABS": "1",
           "FANGKONG_LOAD_VIEWERS": "2"}
    return subprocess.run(  # noqa: S603 (our own locust, our own arguments)
        [str(Path(sys.executable).parent / "locust"), "-f",
         "benchmarks/load/locustfile.py,benchmarks/load/ramp.py", "--headless", "--host",
         f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


# The server's threads would keep their PostgreSQL connections, and the test database
# could not be dropped.
@pytest.mark.usefixtures("server_connections_closed")
def test_every_role_of_the_screening_morning_is_answered(world: Path, server: int,
                                                         tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    done = run_locust(port=server, fixture=world, record=record)
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    ok = {name for _, name, _, status in rows if 200 <= status < 300}
    bad = sorted({(name, status) for _, name, _, status in rows
                  if not 200 <= status < 300 and status != 503})
    assert ok == NAMES, (NAMES - ok, bad, done.stdout[-3000:], done.stderr[-3000:])
    assert bad == [], (bad, done.stdout[-3000:])
    assert Checkin.objects.exists() and GateScan.objects.exists()
    assert Tube.objects.filter(status=TubeStatus.RESULTED).exists()
    assert Tube.objects.filter(status=TubeStatus.SEALED).exists()  # uploads during the run
