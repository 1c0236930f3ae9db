"""Screening at city scale: scan ingest vs a raw bulk load, a kill -9 in the middle of an
ingest, and the coverage queries of a 1 M-resident round, on PostgreSQL and SQLite.

    uv run python benchmarks/bench_screening.py --residents 1000000

Each backend runs in a fresh child process on a fresh database: the city is loaded, a round
over every district is planned and its tubes issued through the platform's actions, and the
sampler batches (ten tubes, about 100 scans each) are built in memory. Then, in the same run:

* baseline: the same sample rows bulk-loaded straight into the same table (PostgreSQL
  ``COPY``, SQLite ``executemany`` in one transaction), then removed again;
* ours: every batch through ``testing.ingest.store_batch`` (checks, answers, tube updates,
  batch rows, audit), then every batch re-sent (stores nothing);
* crash: a worker process ingests a second round and is killed with SIGKILL part-way; a
  new worker re-sends every batch; acknowledged scans lost and duplicates are counted;
* coverage: the untested list of one grid and of the whole district, and the district's
  coverage table, against a naive baseline (all ids into Python sets).

Results go to benchmarks/results/screening-<date>.{json,md}.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--kill-after", type=float, default=0.4,
                        help="share of the crash round's batches acknowledged before SIGKILL")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fk-bench")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend
    args = parser.parse_args()
    if args.one:
        from benchmarks.screening_cases import run_backend

        run_backend(args)
        return
    from benchmarks.bench_registry import ensure_city

    city = ensure_city(args)
    results = []
    for backend in args.backends:
        print(f"== {backend}", flush=True)
        out = args.cache / f"screening-{backend}.json"
        subprocess.run([sys.executable, __file__, "--one", backend, "--residents",
                        str(args.residents), "--seed", str(args.seed), "--repeat",
                        str(args.repeat), "--kill-after", str(args.kill_after),
                        "--cache", str(args.cache)], check=True,
                       env={**os.environ, "FANGKONG_BENCH_CITY": str(city),
                            "FANGKONG_BENCH_OUT": str(out)})
        results.append(json.loads(out.read_text()))
    report(args, results)


def report(args: argparse.Namespace, results: list[dict]) -> None:
    ingest = ["| backend | scans | baseline | baseline s | baseline scans/s | ours s | "
              "ours scans/s | ours ÷ baseline | re-send all s | stored twice |",
              "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    crash = ["| backend | batches | acknowledged before kill | scans acknowledged | "
             "acknowledged lost | duplicates | scans after re-send / expected |",
             "|---|---:|---:|---:|---:|---:|---|"]
    cover = ["| backend | query | ours median ms | ours p95 ms | naive median ms | rows |",
             "|---|---|---:|---:|---:|---:|"]
    for r in results:
        i, c = r["ingest"], r["crash"]
        ingest.append(
            f"| {r['backend']} | {i['scans']:,} | {i['baseline']} | {i['baseline_s']:.1f} | "
            f"{i['scans'] / i['baseline_s']:,.0f} | {i['ours_s']:.1f} | "
            f"{i['scans'] / i['ours_s']:,.0f} | {i['baseline_s'] / i['ours_s']:.2f} | "
            f"{i['resend_s']:.1f} | {i['stored_twice']} |")
        crash.append(
            f"| {r['backend']} | {c['batches']:,} | {c['acked']:,} | {c['acked_scans']:,} | "
            f"{c['lost']} | {c['duplicates']} | {c['stored']:,} / {c['expected']:,} |")
        cover.extend(f"| {r['backend']} | {q['query']} | {q['median_ms']:.1f} | "
                     f"{q['p95_ms']:.1f} | {q['naive_ms']:.1f} | {q['rows']:,} |"
                     for q in r["coverage"])
    machine = f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    command = f"uv run python benchmarks/bench_screening.py --residents {args.residents}"
    today = dt.datetime.now(dt.UTC).date()
    md = (f"Screening round over {args.residents:,} residents ({today}, {machine})\n\n"
          f"`{command}`\n\nIngest (one process, batches of ten tubes):\n\n"
          + "\n".join(ingest) + "\n\nCrash (SIGKILL mid-ingest, then every batch re-sent):\n\n"
          + "\n".join(crash) + f"\n\nCoverage ({args.repeat} runs each):\n\n"
          + "\n".join(cover) + "\n")
    print(md)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"screening-{today}"
    stem.with_suffix(".md").write_text(md)
    stem.with_suffix(".json").write_text(json.dumps(
        {"residents": args.residents, "machine": machine, "results": results}, indent=1))


def elapsed(began: float) -> float:
    return time.perf_counter() - began


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
