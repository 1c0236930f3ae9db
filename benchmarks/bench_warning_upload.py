"""A city's day of pharmacy records (四类药品, ~32,000 sales a day in Beijing) uploaded through
``healthcode.reports.do_import_purchases``, and ``--scale`` times that, on SQLite and PostgreSQL.

    uv run python -m benchmarks.bench_warning_upload [--scale 10] [--people 200000]

Per backend, in a fresh child process on a fresh database: ``--people`` residents with valid
ID numbers are bulk-inserted over 50 grids; a day's sales (random buyers, drug classes and
times in the last 24 h) are written as CSV files of ``--file-rows`` lines (the import takes at
most 20,000 lines a file) and uploaded one file after another by a pharmacy user, as the page
and API do. Each upload is the whole action: parse and check every line, match ID numbers,
skip sales stored before, insert the new ones with their audit rows, recompute the buyers'
health codes. Then the same files are uploaded again (all unchanged: the idempotent resend).

The baseline in the same run is the raw insert of the same sales, buyer ids already known,
into the same table: ``COPY`` on PostgreSQL, ``executemany`` on SQLite (then deleted before
the import runs). The old per-line path (one ``do_report_purchase`` per line in a savepoint,
as before this change) is timed on ``--per-row`` lines and extrapolated linearly.

Results go to benchmarks/results/warning-upload-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import (
    add_backend_options,
    machine,
    run_on_backends,
    setup_backend,
    write_results,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PG_DB = "fk_h10a_bench"
DAY = 32_000
CLASSES = ("fever", "cough", "antibiotic", "antiviral")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_warning_upload",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10,
                        help="the large case is this many days' worth (default %(default)s)")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--file-rows", type=int, default=16_000)
    parser.add_argument("--per-row", type=int, default=1_000,
                        help="lines through the old per-line path (default %(default)s)")
    add_backend_options(parser, cache="fk-bench-warning-upload")
    return parser.parse_args(argv)


def main() -> None:
    run_on_backends(parse(), module="benchmarks.bench_warning_upload", name="upload",
                    forward=("scale", "people", "file_rows", "per_row"),
                    run_backend=run_backend, report=report)


def run_backend(args: argparse.Namespace) -> None:
    setup_backend(args.one, cache=args.cache, sqlite_name="upload.sqlite3", pg_db=PG_DB)
    began = time.perf_counter()
    pharmacy, ids = make_city(args.people)
    print(f"{len(ids):,} residents in {time.perf_counter() - began:.1f} s", flush=True)
    rng = random.Random(args.seed)
    result: dict[str, Any] = {"backend": args.one, "people": len(ids), "cases": []}
    result["per_row"] = per_row_case(pharmacy, ids, rng, args.per_row)
    for days in (1, args.scale):
        result["cases"].append(upload_case(pharmacy, ids, rng, days * DAY, args.file_rows))
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result))


def make_city(people: int) -> tuple[Any, dict[str, int]]:
    """One district of 50 grids, ``people`` residents with valid ID numbers, a pharmacy user."""
    from django.contrib.auth.models import User

    from fangkong.core.jurisdiction import actor_for
    from fangkong.core.models import Level, Profile
    from fangkong.registry.models import Person
    from fangkong.synth.idcard import check_char

    city = _unit(None, Level.CITY, "9901")
    district = _unit(city, Level.DISTRICT, "990101")
    street = _unit(district, Level.STREET, "990101001")
    community = _unit(street, Level.COMMUNITY, "990101001001")
    grids = [_unit(community, Level.GRID, f"990101001001{g:02d}") for g in range(50)]
    born = dt.date(1950, 1, 1)
    rows = []
    for k in range(people):
        body = f"110101{(born + dt.timedelta(days=k // 1000)):%Y%m%d}{k % 1000:03d}"
        person = Person(name=f"居民{k}", sex="F", id_number=body + check_char(body),
                        id_last4=(body + check_char(body))[-4:])
        person.place_in(grids[k % len(grids)])
        rows.append(person)
    Person.objects.bulk_create(rows, batch_size=5000)
    user = User.objects.create_user(username="bench-pharmacy", password="x")
    Profile.objects.create(user=user, unit=district, roles=["pharmacy"])
    ids = {n or "": pk for n, pk in Person.objects.values_list("id_number", "pk")}
    return actor_for(user), ids


def _unit(parent: Any, level: Any, code: str) -> Any:
    from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level

    unit = AdminUnit(parent=parent, level=level, code=code, name=code, center_lat=39.9,
                     center_lon=116.4)
    if parent is not None:
        unit.place_in(parent)
    unit.save()
    if level != Level.CITY:
        setattr(unit, f"{LEVEL_FIELD[level]}_id", unit.pk)
        unit.save()
    return unit


def sales(ids: dict[str, int], rng: random.Random, n: int) -> list[tuple[str, str, dt.datetime]]:
    """``n`` sales in the last 24 h, distinct by (buyer, class, second)."""
    from fangkong.core import clock

    now = clock.now().replace(microsecond=0)
    numbers = list(ids)
    found: dict[tuple[str, str, dt.datetime], None] = {}
    while len(found) < n:
        when = now - dt.timedelta(seconds=rng.randrange(60, 86_400))
        found[(rng.choice(numbers), rng.choice(CLASSES), when)] = None
    return list(found)


def files_of(rows: list[tuple[str, str, dt.datetime]], per_file: int) -> list[bytes]:
    return [("id_number,drug_class,bought_at\n" + "".join(
        f"{a},{b},{c.isoformat()}\n" for a, b, c in rows[lo:lo + per_file])).encode()
        for lo in range(0, len(rows), per_file)]


def upload_case(pharmacy: Any, ids: dict[str, int], rng: random.Random, n: int,
                per_file: int) -> dict[str, Any]:
    from fangkong.healthcode.models import Purchase
    from fangkong.healthcode.reports import do_import_purchases

    rows = sales(ids, rng, n)
    baseline_s = baseline(rows, ids)
    Purchase.objects.all().delete()
    files = files_of(rows, per_file)
    before = Purchase.objects.count()
    timed = []
    for label in ("upload", "resend"):
        began, stored, unchanged = time.perf_counter(), 0, 0
        for data in files:
            answer = do_import_purchases(actor=pharmacy, data=data)
            stored, unchanged = stored + answer.stored, unchanged + answer.unchanged
        timed.append({"case": label, "seconds": time.perf_counter() - began,
                      "stored": stored, "unchanged": unchanged})
        print(f"{n:,} rows {label}: {timed[-1]['seconds']:.1f} s "
              f"(stored {stored:,}, unchanged {unchanged:,})", flush=True)
    assert Purchase.objects.count() - before == n, "every sale stored once"
    print(f"{n:,} rows baseline insert: {baseline_s:.2f} s", flush=True)
    return {"rows": n, "files": len(files), "baseline_s": baseline_s, "runs": timed}


def baseline(rows: list[tuple[str, str, dt.datetime]], ids: dict[str, int]) -> float:
    """The raw insert of the same sales into the same table, buyers' ids and places known."""
    from django.db import connection, transaction

    from fangkong.healthcode.models import Purchase
    from fangkong.registry.models import Person

    place = {pk: p for pk, *p in Person.objects.values_list(
        "pk", "district_id", "street_id", "community_id", "grid_id")}
    values: list[tuple[Any, ...]] = [(ids[a], b, c, *place[ids[a]]) for a, b, c in rows]
    cols = "person_id, drug_class, bought_at, district_id, street_id, community_id, grid_id"
    table = Purchase._meta.db_table
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row(v)
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
            cursor.executemany(sql,
                               [(*v[:2], v[2].isoformat(), *v[3:]) for v in values])
    return time.perf_counter() - began


def per_row_case(pharmacy: Any, ids: dict[str, int], rng: random.Random,
                 n: int) -> dict[str, Any]:
    """The path before this change: one ``do_report_purchase`` per line, each in a
    savepoint inside one transaction (then rolled back, so later cases start clean)."""
    from django.db import transaction

    from fangkong.healthcode.reports import do_report_purchase

    rows = sales(ids, rng, n)
    began = time.perf_counter()
    with transaction.atomic():
        for a, b, c in rows:
            with transaction.atomic():
                do_report_purchase(actor=pharmacy, drug_class=b, bought_at=c, id_number=a)
        seconds = time.perf_counter() - began
        transaction.set_rollback(True)
    print(f"old per-line path: {n:,} rows in {seconds:.1f} s", flush=True)
    return {"rows": n, "seconds": seconds, "per_day_s": seconds * DAY / n}


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    meta = {"date": today, "machine": machine(), "scale": args.scale, "people": args.people,
            "file_rows": args.file_rows,
            "command": "uv run python -m benchmarks.bench_warning_upload "
                       f"--scale {args.scale} --people {args.people}"}
    lines = [f"# Pharmacy upload ({today})", "", f"`{meta['command']}` on {meta['machine']}; "
             f"{args.people:,} residents; files of {args.file_rows:,} lines.", "",
             "| backend | rows | files | upload s | rows/s | resend s | raw insert s "
             "| upload ÷ raw |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for c in r["cases"]:
            up, again = c["runs"]
            lines.append(f"| {r['backend']} | {c['rows']:,} | {c['files']} | "
                         f"{up['seconds']:.1f} | {c['rows'] / up['seconds']:,.0f} | "
                         f"{again['seconds']:.1f} | {c['baseline_s']:.2f} | "
                         f"{up['seconds'] / c['baseline_s']:.0f}× |")
    lines += ["", "Old per-line path (before this change), extrapolated to one day:", ""]
    lines += [f"- {r['backend']}: {r['per_row']['rows']:,} lines in "
              f"{r['per_row']['seconds']:.1f} s → {r['per_row']['per_day_s']:.0f} s for "
              f"{DAY:,}" for r in results]
    big = [(r["backend"], c) for r in results for c in r["cases"] if c["rows"] > DAY]
    lines += ["", f"Extrapolated to 100 days' worth ({100 * DAY:,} rows), linear in rows:", ""]
    lines += [f"- {b}: ≈ {c['runs'][0]['seconds'] * 100 * DAY / c['rows'] / 60:.0f} min"
              for b, c in big]
    write_results(RESULTS, f"warning-upload-{today}", meta=meta, results=results, lines=lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
