"""The command dashboard at city scale: read-model rebuild, time to first byte and to full
render, against the same figures recounted over the raw tables, on SQLite and PostgreSQL.

    uv run python -m benchmarks.bench_command [--residents 100000 1000000]

Per city size and backend, in a fresh child process on a fresh database: the synthetic city
is loaded (``ensure_city``) and an outbreak's load bulk-inserted on the raw tables the
dashboard reads (``command_fixture``: 14 days of cases growing by a quarter a day, 10–20
contacts each, their quarantine orders and rooms, three city-wide screening rounds sampling
most residents, risk areas around the cases and their households' supply requests, hotline
tickets from 0.5 % of residents, the HQs' daily directives with a task per unit). Then:

- ``rebuild`` of the read model for the 14 days;
- for the city, its first district and that district's largest street: the page's figures
  from the read model (``figures.picture``) against the naive recount (every metric of
  every trend day counted over the raw tables for the unit's subtree, what a dashboard
  without a read model does per request), today's values checked equal;
- one new case saved (its signal marks the cells) and ``refresh_all`` timed;
- the page and its live fragment through ``fangkong serve`` (waitress, 8 threads) in its
  own process: time to the first byte and in all, median of ``--repeat`` runs after a first;
  a case saved meanwhile must show on the next page (the request refreshes its scope);
- the full render in headless Chromium: navigation until the trends' canvases and the map
  are drawn (the page's ``data-ready`` flags), median of ``--browser-repeat`` runs.

Results go to benchmarks/results/command-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import fresh_database_url

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PG_DB = "fangkong_bench_command"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_command", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[2:]))
    parser.add_argument("--residents", type=int, nargs="+", default=[100_000],
                        help="city sizes, one run each (default %(default)s)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=15,
                        help="timed runs of each page and picture (default %(default)s)")
    parser.add_argument("--naive-repeat", type=int, default=3,
                        help="timed runs of the naive recount (default %(default)s)")
    parser.add_argument("--browser-repeat", type=int, default=5,
                        help="timed page loads in Chromium (default %(default)s)")
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--port", type=int, default=8871)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "fk-bench-command",
                        help="cities and database files (default %(default)s)")
    parser.add_argument("--tag", default="", help="suffix of the results' file names")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    if args.one:
        from benchmarks.command_cases import run_backend

        run_backend(args)
        return
    from benchmarks.bench_registry import ensure_city

    results = []
    for residents in args.residents:
        city = ensure_city(argparse.Namespace(cache=args.cache, residents=residents,
                                              seed=args.seed))
        for backend in args.backends:
            print(f"== {residents:,} residents, {backend}", flush=True)
            out = args.cache / f"command-{backend}-{residents}.json"
            subprocess.run([sys.executable, "-m", "benchmarks.bench_command", "--one", backend,
                            *_forward(args, residents)], check=True, cwd=ROOT,
                           env={**os.environ, "FANGKONG_BENCH_CITY": str(city),
                                "FANGKONG_BENCH_OUT": str(out)})
            results.append(json.loads(out.read_text()))
    from benchmarks.command_report import report

    report(args, results, RESULTS)


def _forward(args: argparse.Namespace, residents: int) -> list[str]:
    return ["--residents", str(residents), "--repeat", str(args.repeat), "--naive-repeat",
            str(args.naive_repeat), "--browser-repeat", str(args.browser_repeat), "--port",
            str(args.port), "--seed", str(args.seed), "--cache", str(args.cache),
            *([] if args.browser else ["--no-browser"])]


def database_url(backend: str, cache: Path) -> str:
    """A fresh database of this benchmark's own (not shared with the other benchmarks)."""
    return fresh_database_url(backend, sqlite_path=cache / "command.sqlite3", pg_db=PG_DB)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
