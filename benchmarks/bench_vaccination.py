"""Vaccination coverage by grid and age band for a city of ``--residents`` (default 1 M,
about 2.3 doses each), on SQLite and PostgreSQL.

    uv run python -m benchmarks.bench_vaccination --residents 1000000

Per backend, in a fresh child process on a fresh database: the residents (1,000 a grid) and
their doses are bulk-inserted (``vaccination_fixture``), ANALYZEd, then timed
(``vaccination_cases``): the set-based grouped query the coverage page runs (twice: the first
run reads from disk), the dashboard's elderly-by-street history query, a pandas recount over
the exported tables (export and compute timed apart; its tallies must equal the query's), and
the naive ORM per-person loop on ``--sample`` residents, scaled up linearly.

Results go to benchmarks/results/vaccination-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
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
PG_DB = "fk_u3_bench"
TODAY = dt.date(2022, 12, 20)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_vaccination",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000,
                        help="residents through the naive per-person loop")
    add_backend_options(parser, cache="fk-bench-vaccination")
    return parser.parse_args(argv)


def main() -> None:
    run_on_backends(parse(), module="benchmarks.bench_vaccination", name="vaccination",
                    forward=("residents", "sample"),
                    run_backend=run_backend, report=report)


def run_backend(args: argparse.Namespace) -> None:
    setup_backend(args.one, cache=args.cache, sqlite_name="vaccination.sqlite3", pg_db=PG_DB)
    from benchmarks import vaccination_cases as cases
    from benchmarks import vaccination_fixture as fixture

    _city, grids = fixture.make_tree(args.residents)
    people_s = fixture.load_people(grids, args.residents, seed=args.seed, today=TODAY)
    doses, doses_s = fixture.load_doses(seed=args.seed, today=TODAY)
    fixture.analyze()
    print(f"{args.residents:,} residents in {people_s:.1f} s, {doses:,} doses in "
          f"{doses_s:.1f} s", flush=True)
    found, first_s = cases.query_case(TODAY)
    again, warm_s = cases.query_case(TODAY)
    print(f"query {first_s:.2f} s, again {warm_s:.2f} s", flush=True)
    tallies, export_s, compute_s = cases.pandas_case(TODAY)
    assert tallies == found == again, "the pandas recount equals the query"
    print(f"pandas export {export_s:.2f} s + compute {compute_s:.2f} s", flush=True)
    loop_s, sample, _statuses = cases.orm_loop_case(TODAY, args.sample)
    print(f"ORM loop {sample:,} residents {loop_s:.2f} s", flush=True)
    result: dict[str, Any] = {
        "backend": args.one, "residents": args.residents, "grids": len(grids), "doses": doses,
        "load_people_s": people_s, "load_doses_s": doses_s, "query_first_s": first_s,
        "query_s": warm_s, "dashboard_s": cases.dashboard_case(TODAY),
        "pandas_export_s": export_s, "pandas_compute_s": compute_s, "loop_sample": sample,
        "loop_sample_s": loop_s, "loop_scaled_s": loop_s * args.residents / sample,
        "cells": len(found)}
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result))


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    command = f"uv run python -m benchmarks.bench_vaccination --residents {args.residents}"
    meta = {"date": today, "machine": machine(), "command": command}
    lines = [f"# Vaccination coverage by grid ({today})", "",
             f"`{command}` on {meta['machine']}; the pandas recount's tallies equal the "
             "query's (asserted); the ORM loop is timed on "
             f"{args.sample:,} residents and scaled linearly.", "",
             "| backend | residents | doses | grids | query s (first) | query s | dashboard s "
             "| pandas export + compute s | ORM loop s (scaled) | loop ÷ query |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines.extend(
        f"| {r['backend']} | {r['residents']:,} | {r['doses']:,} | {r['grids']:,} | "
        f"{r['query_first_s']:.2f} | {r['query_s']:.2f} | {r['dashboard_s']:.2f} | "
        f"{r['pandas_export_s']:.2f} + {r['pandas_compute_s']:.2f} | "
        f"{r['loop_scaled_s']:.0f} | {r['loop_scaled_s'] / r['query_s']:.0f}× |"
        for r in results)
    lines += ["", "Load (not part of the measure): " + "; ".join(
        f"{r['backend']} residents {r['load_people_s']:.0f} s, doses {r['load_doses_s']:.0f} s"
        for r in results) + "."]
    write_results(RESULTS, f"vaccination-{today}", meta=meta, results=results, lines=lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
