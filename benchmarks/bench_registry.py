"""Person search and grid listing at city scale, on SQLite and PostgreSQL.

    uv run python benchmarks/bench_registry.py --residents 1000000

Generates (or reuses) a city, loads it into a fresh database per backend, then times the web
pages a grid worker and a district officer use, through Django's test client (routing, scoping,
query, template). The baseline is the same listing paged the common way (COUNT(*) + OFFSET,
as Django's Paginator and most peers do) at page 1 and at a deep page. Each case runs
``--repeat`` times with varied inputs; the table shows median and p95 milliseconds and the SQL
queries per page. Results go to benchmarks/results/registry-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import fresh_database_url

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fk-bench")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend
    args = parser.parse_args()
    if args.one:
        _run_one(args)
        return
    city = ensure_city(args)
    rows = []
    for backend in args.backends:
        print(f"== {backend}", flush=True)
        out = args.cache / f"result-{backend}.json"
        subprocess.run([sys.executable, __file__, "--one", backend, "--residents",
                        str(args.residents), "--seed", str(args.seed), "--repeat",
                        str(args.repeat), "--cache", str(args.cache)], check=True,
                       env={**os.environ, "FANGKONG_BENCH_CITY": str(city),
                            "FANGKONG_BENCH_OUT": str(out)})
        rows += json.loads(out.read_text())
    _report(args, rows)


def ensure_city(args: argparse.Namespace) -> Path:
    from fangkong.synth.generate import generate_city

    city = args.cache / f"city-{args.residents}-{args.seed}"
    if not (city / "meta.json").is_file():
        generate_city(out=city, residents=args.residents, seed=args.seed, days=1,
                      ping_share=0.0, progress=True)
    return city


def database_url(backend: str, cache: Path) -> str:
    """A fresh database of this benchmark's own (not shared with the other benchmarks)."""
    return fresh_database_url(backend, sqlite_path=cache / "bench.sqlite3", pg_db="fangkong_bench")


def _run_one(args: argparse.Namespace) -> None:
    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ["FANGKONG_DATABASE_URL"] = database_url(args.one, args.cache)
    os.environ["FANGKONG_DATA_DIR"] = str(args.cache / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    os.environ["FANGKONG_ALLOWED_HOSTS"] = "testserver"
    from fangkong.cli.commands import migrate, setup_django

    setup_django()
    migrate()
    from fangkong.registry.load import load_city

    began = time.perf_counter()
    counts = load_city(src=Path(os.environ["FANGKONG_BENCH_CITY"]), progress=True)
    load_s = time.perf_counter() - began
    from benchmarks.registry_cases import run_cases

    rows = run_cases(backend=args.one, repeat=args.repeat)
    total = sum(counts.values())
    rows.insert(0, {"backend": args.one, "case": "load registry (rows/s)", "median_ms": None,
                    "p95_ms": None, "queries": None, "note": f"{total:,} rows in {load_s:.1f} s"
                    f" = {total / load_s:,.0f} rows/s"})
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(rows))


def _report(args: argparse.Namespace, rows: list[dict]) -> None:
    head = ("| backend | case | median ms | p95 ms | queries/page | note |\n"
            "|---|---|---:|---:|---:|---|")
    lines = [head]
    for r in rows:
        med = "" if r["median_ms"] is None else f"{r['median_ms']:.1f}"
        p95 = "" if r["p95_ms"] is None else f"{r['p95_ms']:.1f}"
        queries = "" if r["queries"] is None else str(r["queries"])
        lines.append(f"| {r['backend']} | {r['case']} | {med} | {p95} | {queries} | "
                     f"{r['note']} |")
    table = "\n".join(lines)
    machine = f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    command = f"uv run python benchmarks/bench_registry.py --residents {args.residents}"
    md = (f"Registry pages at {args.residents:,} residents, {args.repeat} runs each "
          f"({dt.datetime.now(dt.UTC).date()}, {machine})\n\n`{command}`\n\n{table}\n")
    print(md)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"registry-{dt.datetime.now(dt.UTC).date()}"
    stem.with_suffix(".md").write_text(md)
    stem.with_suffix(".json").write_text(json.dumps(
        {"residents": args.residents, "repeat": args.repeat, "machine": machine,
         "rows": rows}, indent=1, ensure_ascii=False))


def summarize(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
