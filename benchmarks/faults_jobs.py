"""Faults in background work: the health-code batch recompute (``fangkong healthcode
recompute``) killed or cut from its database mid-way, and the job worker (``fangkong worker``)
killed while it runs a queued job.

Recompute: each round imports new residents (no code yet), starts the city-wide recompute and
injects the fault while it writes; the codes then are partial (the batches committed before the
fault), and a second run must leave every resident with exactly one code.

Worker: a long simulation scenario is queued as the page queues it, the worker is killed while
the scenario runs, then started again; the count is whether the job ever finishes.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import time
from typing import Any

from benchmarks.faults_import import import_file, query, write_persons
from benchmarks.faults_procs import Place, fangkong, kill9, strike, world

UNCODED = ("SELECT count(*) FROM registry_person p LEFT JOIN healthcode_personcode c "
           "ON c.person_id = p.id WHERE p.inactive_since IS NULL AND c.id IS NULL")
CODES = "SELECT count(*), count(DISTINCT person_id) FROM healthcode_personcode"
AUDITED_TWICE = ("SELECT count(*) FROM (SELECT target_id FROM core_auditlog WHERE verb = "
                 "'healthcode.code.recompute' GROUP BY target_id HAVING count(*) > 1) t")


def recompute(place: Place) -> subprocess.Popen[bytes]:
    return fangkong(place, "healthcode", "recompute", log=place.folder / "recompute.log")


def run_recompute(*, place: Place, fault: str, kills: int, rows: int, seed: int = 0,
                  fixture: dict[str, Any] | None = None,
                  max_delay: float = 4.0) -> dict[str, Any]:
    """``kills`` rounds of ``rows`` new residents; ``lost`` (residents left without a code)
    and ``duplicated`` (codes beyond one a resident, recompute audits written twice) must
    be 0. The fault falls 0 to ``max_delay`` seconds into the first write transaction seen
    (on a fast machine a long delay can outlast the whole recompute: no hit)."""
    fixture = fixture or world(place, "setup")
    rng = random.Random(seed)
    out: dict[str, Any] = {"kind": "recompute", "fault": fault, "backend": place.backend,
                           "kills": kills, "hits": 0, "records_sent": 0, "acknowledged": 0,
                           "stored": 0, "lost": 0, "duplicated": 0, "partial_after_fault": 0}
    started = time.monotonic()
    for round_no in range(kills):
        path = place.folder / f"recompute-{round_no}.csv"
        write_persons(path, round_no=1000 + round_no, count=rows, grids=fixture["grids"])
        if import_file(place, path).wait(timeout=600) != 0:
            raise RuntimeError("the import of a recompute round failed; see import.log")
        (uncoded,) = query(place, UNCODED, ())
        out["records_sent"] += int(uncoded)
        # a batch of 5,000 takes a few seconds: the fault falls in the first or a later one
        out["hits"] += strike(place, recompute(place), fault=fault,
                              delay=rng.uniform(0.0, max_delay))
        (left,) = query(place, UNCODED, ())
        out["partial_after_fault"] += 0 < int(left) < int(uncoded)
        if recompute(place).wait(timeout=600) != 0:
            raise RuntimeError("a recompute run to its end failed; see recompute.log")
        (left,) = query(place, UNCODED, ())
        out["acknowledged"] += int(uncoded)
        out["lost"] += int(left)
        out["stored"] += int(uncoded) - int(left)
    codes, distinct = query(place, CODES, ())
    (twice,) = query(place, AUDITED_TWICE, ())
    out["duplicated"] = int(codes) - int(distinct) + int(twice)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def queue_empty(place: Place) -> bool:
    """Whether the embedded job queue (``jobs.sqlite3`` in the data folder) holds no task:
    a worker has taken the one just queued."""
    path = place.folder / "data" / "jobs.sqlite3"
    with sqlite3.connect(path, timeout=30) as conn:
        (count,) = conn.execute("SELECT count(*) FROM task").fetchone()
    return int(count) == 0


TABLES = {"reports": "command_situationreport", "scenarios": "simulation_scenario"}
FINISHED = {"reports": "ready", "scenarios": "done"}
DONE_VERB = {"reports": "command.report.ready", "scenarios": "simulation.scenario.done"}


def job_state(place: Place, job: str, key: str) -> tuple[str, int]:
    """A job's status, and how many times it was finished (its audit rows)."""
    (status,) = query(place, f"SELECT status FROM {TABLES[job]} WHERE id = %s",  # noqa: S608
                      (int(key),))
    (finished,) = query(place, "SELECT count(*) FROM core_auditlog WHERE target_id = %s AND "
                        "verb = %s", (key, DONE_VERB[job]))
    return str(status), int(finished)


def wait_job(place: Place, job: str, key: str, *, seconds: float) -> tuple[str, int]:
    deadline = time.monotonic() + seconds
    while True:
        status, finished = job_state(place, job, key)
        if status in {FINISHED[job], "failed"} or time.monotonic() > deadline:
            return status, finished
        time.sleep(0.5)


def wait_taken(place: Place, job: str, key: str) -> None:
    """Until the worker has taken the job: a report off the queue, a scenario claimed."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if (queue_empty(place) if job == "reports"
                else job_state(place, job, key)[0] == "running"):
            return
        time.sleep(0.01)


def start_worker(place: Place) -> subprocess.Popen[bytes]:
    """``fangkong worker`` with one worker; returns once it has started its consumer."""
    log = place.folder / "worker.log"
    seen = log.read_text("utf-8", "replace").count("consumer started") if log.exists() else 0
    worker = fangkong(place, "worker", "--workers", "1", log=log)
    deadline = time.monotonic() + 180
    while log.read_text("utf-8", "replace").count("consumer started") <= seen:
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start; see worker.log")
        time.sleep(0.1)
    return worker


def run_worker(*, place: Place, kills: int, job: str = "reports", wait_s: float = 60,
               seed: int = 0, fixture: dict[str, Any] | None = None) -> dict[str, Any]:
    """``kills`` rounds: queue a job (a situation report, or a simulation scenario), kill the
    worker as soon as it has taken the job, start it again and give it ``wait_s`` to finish.
    ``lost``: jobs never finished; ``duplicated``: jobs finished more than once."""
    if fixture is None:
        world(place, "setup")
    rng = random.Random(seed)
    out: dict[str, Any] = {"kind": f"worker:{job}", "fault": "kill9", "backend": place.backend,
                           "kills": kills, "hits": 0, "records_sent": 0, "acknowledged": 0,
                           "stored": 0, "lost": 0, "duplicated": 0}
    started = time.monotonic()
    worker = start_worker(place)
    try:
        for n in range(kills):
            queued = (world(place, "report", str(n + 1)) if job == "reports"
                      else world(place, "scenario", "2000"))
            key = str(queued["id"])
            out["records_sent"] += 1
            out["acknowledged"] += 1  # committed and queued: the page said so
            wait_taken(place, job, key)
            time.sleep(rng.uniform(0.0, 0.2))
            out["hits"] += kill9(worker)
            worker = start_worker(place)
            status, finished = wait_job(place, job, key, seconds=wait_s)
            out["stored"] += status == FINISHED[job]
            out["lost"] += status != FINISHED[job]
            out["duplicated"] += max(0, finished - 1)
    finally:
        kill9(worker)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out
