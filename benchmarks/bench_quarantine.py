"""Quarantine at city scale: room assignment for 10,000 arrivals into 200 hotels, and the
daily-check board for 100,000 people in quarantine, on SQLite and PostgreSQL.

    uv run python -m benchmarks.bench_quarantine

Rooms (no database, once): ``--arrivals`` people drawn from the synthetic city's households
(three in four arriving without their household; families with children under 14,
disabled members with a carer, elders living alone) are grouped by
``logic_rooms.group_arrivals`` and placed by ``logic_rooms.assign`` into ``--hotels``
hotels (floors of ten: nine single rooms, one family room; two accessible rooms on floor 1),
with as many rooms as ``--ratios`` x the groups. The baseline in the same run is a naive
first-fit (groups in arrival order, first free room that fits). Both are measured against
an exact maximum computed here by a plain max-flow.

Then per backend, in a fresh child process on a fresh database: the city is loaded; the
arrivals become awaiting orders and the first scenario's rooms real rooms, and the full
action ``do_assign_orders`` is timed; then ``--people`` open orders with their scheduled
tests, yesterday's and today's checks and open alerts are bulk-inserted, and the board page
``quarantine_board`` is timed through Django's test client (``--repeat`` runs) against the
plain ``count(*) ... GROUP BY`` queries its numbers need. There is no JSON API for the board.

Results go to benchmarks/results/quarantine-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import fresh_database_url

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PG_DB = "fangkong_bench_quarantine"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_quarantine", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[2:]))
    parser.add_argument("--residents", type=int, default=300_000,
                        help="synthetic city size; needs arrivals + people residents "
                             "(default %(default)s)")
    parser.add_argument("--arrivals", type=int, default=10_000,
                        help="people to place in rooms (default %(default)s)")
    parser.add_argument("--hotels", type=int, default=200, help="hotels (default %(default)s)")
    parser.add_argument("--ratios", type=float, nargs="+", default=[1.05, 0.95],
                        help="rooms per room group, one scenario each; the first is also "
                             "run on the databases (default %(default)s)")
    parser.add_argument("--people", type=int, default=100_000,
                        help="open orders behind the board (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=15,
                        help="timed runs per board case (default %(default)s)")
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"],
                        help="databases; none runs the room cases only (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "fk-bench-quarantine",
                        help="city and database files (default %(default)s)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    if args.one:
        from benchmarks.quarantine_cases import run_backend

        run_backend(args)
        return
    from benchmarks.bench_registry import ensure_city

    city = ensure_city(args)
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()  # ages only; no Django here
    rooms, work = room_cases(args, city, today)
    work_file = args.cache / "quarantine-work.json"
    work_file.write_text(json.dumps(work))
    results = []
    for backend in args.backends:
        print(f"== {backend}", flush=True)
        out = args.cache / f"quarantine-{backend}.json"
        subprocess.run([sys.executable, "-m", "benchmarks.bench_quarantine", "--one", backend,
                        *_forward(args)], check=True, cwd=ROOT,
                       env={**os.environ, "FANGKONG_BENCH_CITY": str(city),
                            "FANGKONG_BENCH_WORK": str(work_file),
                            "FANGKONG_BENCH_OUT": str(out)})
        results.append(json.loads(out.read_text()))
    from benchmarks.quarantine_report import report

    report(args, rooms, results, RESULTS)


def _forward(args: argparse.Namespace) -> list[str]:
    return ["--residents", str(args.residents), "--hotels", str(args.hotels), "--people",
            str(args.people), "--repeat", str(args.repeat), "--seed", str(args.seed),
            "--cache", str(args.cache)]


def room_cases(args: argparse.Namespace, city: Path, today: dt.date
               ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The scenarios without a database, and what the children need to rebuild the first."""
    from benchmarks.quarantine_rooms import hotel_rooms, pick_arrivals
    from benchmarks.quarantine_rooms import room_cases as cases

    people = pick_arrivals(city, args.arrivals, args.seed, today)
    ratios = {f"{r:g} rooms per group": r for r in args.ratios}
    rooms = cases(people, hotels=args.hotels, ratios=ratios)
    first = rooms[0]
    slots = hotel_rooms(hotels=args.hotels, rooms=first["rooms"], districts=[0])
    work = {"person_ids": [int(p) for p in people["person_id"]], "hotels": args.hotels,
            "rooms": [(s.facility, s.capacity, s.accessible) for s in slots],
            "people_placed": first["ours"]["people_placed"]}
    return rooms, work


def database_url(backend: str, cache: Path) -> str:
    """A fresh database of this benchmark's own (not shared with the other benchmarks)."""
    return fresh_database_url(backend, sqlite_path=cache / "quarantine.sqlite3", pg_db=PG_DB)


def machine() -> str:
    return f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
