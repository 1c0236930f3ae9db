"""The work of one backend in bench_screening.py: load, ingest vs baseline, crash, coverage."""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_registry import database_url, summarize

SAMPLE_COLUMNS = ("campaign_id", "tube_id", "person_id", "sampled_at", "district_id",
                  "street_id", "community_id", "grid_id")


def run_backend(args: argparse.Namespace) -> None:
    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ["FANGKONG_DATABASE_URL"] = database_url(args.one, args.cache)
    os.environ["FANGKONG_DATA_DIR"] = str(args.cache / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    from fangkong.cli.commands import migrate, setup_django

    setup_django()
    migrate()
    from fangkong.registry.load import load_city

    load_city(src=Path(os.environ["FANGKONG_BENCH_CITY"]), progress=True)
    from benchmarks.screening_round import bench_actor, build_round
    from fangkong.core.models import AdminUnit, Level

    actor = bench_actor()
    districts = list(AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")
                     .values_list("pk", flat=True))
    print("building the round", flush=True)
    rnd = build_round(actor=actor, code="BENCH", district_ids=districts, skip_every=100)
    result: dict[str, Any] = {"backend": args.one}
    result["ingest"] = ingest_case(args.one, actor, rnd)
    crash_round = build_round(actor=actor, code="CRASH", district_ids=districts[-1:],
                              skip_every=0)
    result["crash"] = crash_case(args, crash_round)
    result["coverage"] = coverage_cases(actor, rnd.campaign, districts[0], args.repeat)
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result))


def ingest_case(backend: str, actor: Any, rnd: Any) -> dict[str, Any]:
    from django.db import connection

    from fangkong.testing.ingest import store_batch
    from fangkong.testing.models import Sample

    began = time.perf_counter()
    name = _baseline(backend, rnd.rows)
    baseline_s = time.perf_counter() - began
    assert Sample.objects.filter(campaign=rnd.campaign).count() == rnd.scans
    with connection.cursor() as cursor:  # TRUNCATE: a DELETE leaves ours a million dead rows
        cursor.execute("TRUNCATE screening_sample, screening_hold" if backend == "postgresql"
                       else "DELETE FROM screening_sample")
        cursor.execute("ANALYZE")
    print(f"baseline {name}: {rnd.scans:,} rows in {baseline_s:.1f} s", flush=True)
    began = time.perf_counter()
    for n, batch in enumerate(rnd.batches):
        store_batch(actor=actor, batch=batch)
        if n % 1000 == 0:
            print(f"  ours: {n:,}/{len(rnd.batches):,} batches", flush=True)
    ours_s = time.perf_counter() - began
    stored = Sample.objects.filter(campaign=rnd.campaign).count()
    began = time.perf_counter()
    for batch in rnd.batches:
        store_batch(actor=actor, batch=batch)
    resend_s = time.perf_counter() - began
    twice = Sample.objects.filter(campaign=rnd.campaign).count() - stored
    assert stored == rnd.scans, (stored, rnd.scans)
    return {"scans": rnd.scans, "batches": len(rnd.batches), "baseline": name,
            "baseline_s": baseline_s, "ours_s": ours_s, "resend_s": resend_s,
            "stored_twice": twice}


def _baseline(backend: str, rows: list[tuple[Any, ...]]) -> str:
    """The same rows as ours stores, loaded the fastest plain way the backend offers."""
    from django.db import connection, transaction

    columns = (*SAMPLE_COLUMNS, "kind", "channel")
    with transaction.atomic(), connection.cursor() as cursor:
        if backend == "postgresql":
            buf = io.StringIO()
            for r in rows:
                buf.write("\t".join(str(v) if v is not None else r"\N" for v in r))
                buf.write("\tscreening\tsite\n")
            buf.seek(0)
            raw = cursor.cursor  # psycopg cursor under Django's wrapper
            with raw.copy(f"COPY screening_sample ({', '.join(columns)}) FROM STDIN") as copy:
                while chunk := buf.read(1 << 20):
                    copy.write(chunk)
            return "COPY"
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO screening_sample ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(sql, [(*r, "screening", "site") for r in rows])
        return "executemany"


def crash_case(args: argparse.Namespace, rnd: Any) -> dict[str, Any]:
    """Kill a worker once ``kill_after`` of the batches are acknowledged; re-send all."""
    from fangkong.testing.models import Sample

    work = args.cache / "crash-batches.pickle"
    acks = args.cache / "crash-acks.txt"
    work.write_bytes(pickle.dumps(rnd.batches))
    acks.unlink(missing_ok=True)
    worker = _worker(work, acks)
    target = int(len(rnd.batches) * args.kill_after)
    while _count(acks) < target and worker.poll() is None:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    acked = set(acks.read_text().split()) if acks.is_file() else set()
    print(f"killed after {len(acked):,} acknowledged batches; re-sending all", flush=True)
    again = _worker(work, args.cache / "crash-acks-2.txt")
    if again.wait() != 0:
        raise RuntimeError("the re-sending worker failed")
    stored = set(Sample.objects.filter(campaign=rnd.campaign)
                 .values_list("person__id_number", flat=True))
    acked_ids = [e.id_number for b in rnd.batches if b.client_key in acked
                 for e in b.events if e.type == "scan"]
    total = Sample.objects.filter(campaign=rnd.campaign).count()
    return {"batches": len(rnd.batches), "acked": len(acked), "acked_scans": len(acked_ids),
            "lost": sum(1 for i in acked_ids if i not in stored),
            "duplicates": total - len(stored), "stored": total, "expected": rnd.scans}


def _worker(work: Path, acks: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "benchmarks.screening_worker", str(work),
                             str(acks)], cwd=Path(__file__).resolve().parents[1])


def _count(path: Path) -> int:
    return path.read_text().count("\n") if path.is_file() else 0


def coverage_cases(actor: Any, campaign: Any, district_id: int,
                   repeat: int) -> list[dict[str, Any]]:
    from fangkong.core.models import AdminUnit, Level
    from fangkong.testing import coverage

    district = AdminUnit.objects.get(pk=district_id)
    grid = AdminUnit.objects.filter(district_id=district_id, level=Level.GRID).order_by(
        "code").first()
    assert grid is not None

    def whole_list(node: Any) -> int:
        after, n = None, 0
        while True:
            page, after = coverage.untested(campaign, actor=actor, node=node, after=after,
                                            size=500)
            n += len(page)
            if after is None:
                return n

    cases = [
        ("untested list, one grid (all pages)", lambda: whole_list(grid), grid),
        ("untested list, whole district (all pages)", lambda: whole_list(district), district),
        ("untested list, district, first page of 50",
         lambda: len(coverage.untested(campaign, actor=actor, node=district, size=50)[0]),
         district),
        ("coverage table of the district's streets",
         lambda: len(coverage.child_rows(campaign, actor=actor, node=district)), district),
    ]
    rows = []
    for label, run, node in cases:
        times, found = [], 0
        for _ in range(repeat):
            began = time.perf_counter()
            found = run()
            times.append(time.perf_counter() - began)
        median, p95 = summarize(times)
        naive = _naive(campaign, node, repeat=max(3, repeat // 5))
        rows.append({"query": label, "median_ms": median, "p95_ms": p95, "naive_ms": naive,
                     "rows": found})
        print(f"  {label}: {median:.1f} ms (naive {naive:.1f} ms)", flush=True)
    return rows


def _naive(campaign: Any, node: Any, *, repeat: int) -> float:
    """Every resident id of the node and every sampled id into Python sets, then subtract."""
    from fangkong.core.models import LEVEL_FIELD, Level
    from fangkong.registry.models import Person
    from fangkong.testing.models import Exemption, Sample

    column = f"{LEVEL_FIELD[Level(node.level)]}_id"
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        residents = set(Person.objects.filter(**{column: node.pk}, inactive_since__isnull=True,
                                              temporary=False).values_list("pk", flat=True))
        done = set(Sample.objects.filter(campaign=campaign).values_list("person_id", flat=True))
        done |= set(Exemption.objects.filter(campaign=campaign)
                    .values_list("person_id", flat=True))
        missing = sorted(residents - done)
        list(Person.objects.filter(pk__in=missing[:5000]).values_list("pk", "name"))
        times.append(time.perf_counter() - began)
    return summarize(times)[0]
