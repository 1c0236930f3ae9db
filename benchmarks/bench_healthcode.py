"""Health codes and check-ins at city scale: offline verification per core, issuance and
check-in ingest through the real server under load and overload, and the batch recompute.

    uv run python -m benchmarks.bench_healthcode

Verification (no database): ``tokens.verify_token`` against the bare ``cryptography``
Ed25519 verify of the same bytes, one thread; ``verify.js`` in headless Chromium against a
bare WebCrypto verify in the same page.

Then per backend, in a fresh child process on a fresh database holding a synthetic city of
``--residents`` (the demo's 100,000 by default): ``do_recompute_all`` against a
``bulk_create`` and an ``INSERT … SELECT`` of as many rows; then (``--http-backends``) the
project served by waitress as ``fangkong serve`` runs it, loaded by a threaded client on
loopback (see healthcode_load.py): issuance vs bare endpoints, gate uploads, check-ins at 1x
and ``--multiples`` x the clients, with each of ``--servers``: the default (a shedding limit
below the threads), one whose limit is above its threads (overload queues), and one with 32
threads and a limit of 8. Everything shares the machine's cores.

Results go to benchmarks/results/healthcode-<date>.{json,md}. For 1 M residents, run
``--residents 1000000 --http-backends`` (recompute only, both backends).
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
PG_DB = os.environ.get("FANGKONG_BENCH_PG_DB", "fangkong_bench_healthcode")  # two runs at once


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_healthcode", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[2:]))
    parser.add_argument("--residents", type=int, default=100_000,
                        help="synthetic city size (default %(default)s, the demo's)")
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"], help="databases (default %(default)s)")
    parser.add_argument("--http-backends", nargs="*", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"],
                        help="backends also served over HTTP (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=6.0,
                        help="duration of each load case (default %(default)s)")
    parser.add_argument("--multiples", type=int, nargs="+", default=[2, 5, 10],
                        help="overload: times the capacity's clients (default %(default)s)")
    parser.add_argument("--gate-batch", type=int, default=100,
                        help="scans per gate upload (default %(default)s)")
    parser.add_argument("--verify-seconds", type=float, default=3.0,
                        help="per verification case (default %(default)s)")
    parser.add_argument("--browser-count", type=int, default=3000,
                        help="verifications per browser case; 0 skips (default %(default)s)")
    parser.add_argument("--servers", nargs="+", default=["default", "queue", "wide"],
                        choices=["default", "queue", "wide"],
                        help="server setups loaded over HTTP: the default, 8 threads with a "
                             "limit above them, 32 threads with 8 (default %(default)s)")
    parser.add_argument("--name", default="",
                        help="suffix of the results files, healthcode-<date><name>.md")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "fk-bench-healthcode",
                        help="city and database files (default %(default)s)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend
    parser.add_argument("--http", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    if args.one:
        from benchmarks.healthcode_cases import run_backend

        run_backend(args)
        return
    from benchmarks.bench_registry import ensure_city
    from benchmarks.healthcode_verify import browser_cases, python_cases

    print("== verification", flush=True)
    verify = python_cases(args.verify_seconds)
    if args.browser_count:
        verify += browser_cases(args.browser_count)
    city = ensure_city(args)
    results = []
    for backend in args.backends:
        print(f"== {backend}", flush=True)
        out = args.cache / f"healthcode-{backend}.json"
        http = ["--http"] if backend in args.http_backends else []
        subprocess.run([sys.executable, "-m", "benchmarks.bench_healthcode", "--one", backend,
                        *http, *_forward(args)], check=True, cwd=ROOT,
                       env={**os.environ, "FANGKONG_BENCH_CITY": str(city),
                            "FANGKONG_BENCH_OUT": str(out)})
        results.append(json.loads(out.read_text()))
    from benchmarks.healthcode_report import report

    report(args, verify, results, RESULTS)


def _forward(args: argparse.Namespace) -> list[str]:
    return ["--residents", str(args.residents), "--seconds", str(args.seconds),
            "--multiples", *map(str, args.multiples), "--gate-batch", str(args.gate_batch),
            "--port", str(args.port), "--seed", str(args.seed), "--cache", str(args.cache),
            "--servers", *args.servers]


def database_url(backend: str, cache: Path) -> str:
    """A fresh database of this benchmark's own (not shared with the other benchmarks)."""
    return fresh_database_url(backend, sqlite_path=cache / "healthcode.sqlite3", pg_db=PG_DB)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
