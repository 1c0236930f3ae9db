"""Fault injection with real processes, on SQLite and PostgreSQL: how many acknowledged
records a ``kill -9`` of the web server, of an import, of the batch recompute or of the job
worker, or a terminated database connection, loses or stores twice.

    nice python -m benchmarks.faults --kills 50

Kinds (``--kinds``), each with ``--kills`` faults per database:

* ``ingest``: four door devices upload batches of 20 gate scans to ``fangkong serve``; the
  server is killed at random moments and started again (``kill9``), or on PostgreSQL its
  connections are terminated (``pgterm``); unacknowledged batches are sent again.
* ``import``: ``fangkong import persons`` of ``--rows`` residents, the fault inside its
  write transaction; then the file is sent again.
* ``recompute``: ``fangkong healthcode recompute`` over ``--rows`` new residents, the fault
  inside one of its batch transactions; then it is run again.
* ``worker``: ``fangkong worker`` killed as soon as it has taken a queued situation-report
  job, then started again; ``worker-scenario`` likewise with a simulation scenario (2,000
  runs); ``--baseline REV`` runs ``worker`` also on commit REV's code.

Every run works on a database of its own (a file in ``--cache``, or the PostgreSQL database
``--pg-db``, dropped and created again). The table goes to
benchmarks/results/faults-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import platform
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.faults_import import run_import
from benchmarks.faults_ingest import run_ingest
from benchmarks.faults_jobs import run_recompute, run_worker
from benchmarks.faults_procs import make_place

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FAULTS = {"ingest": ["kill9", "pgterm"], "import": ["kill9", "pgterm"],
          "recompute": ["kill9", "pgterm"], "worker": ["kill9"], "worker-scenario": ["kill9"]}
COLUMNS = ["kind", "fault", "backend", "kills", "hits", "records_sent", "acknowledged",
           "stored", "lost", "duplicated", "seconds"]


def source_of(rev: str, cache: Path) -> Path:
    """The ``src`` folder of commit ``rev`` (``git archive``), to run a baseline on."""
    out = cache / f"src-{rev}"
    if not out.exists():
        tar = subprocess.run(["git", "archive", "--format=tar", rev, "src"], cwd=ROOT,
                             capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            archive.extractall(out, filter="data")
    return out / "src"


def one(*, kind: str, fault: str, backend: str, args: argparse.Namespace,
        code: Path | None = None) -> dict[str, Any]:
    folder = args.cache / f"{kind}-{fault}-{backend}{'-baseline' if code else ''}"
    pg_url = f"postgresql://postgres@127.0.0.1:5432/{args.pg_db}"
    place = make_place(backend=backend, folder=folder, pg_url=pg_url, code=code)
    if kind == "ingest":
        return run_ingest(place=place, fault=fault, kills=args.kills, seed=args.seed)
    if kind == "import":
        return run_import(place=place, fault=fault, kills=args.kills, rows=args.rows,
                          seed=args.seed)
    if kind == "recompute":
        return run_recompute(place=place, fault=fault, kills=args.kills, rows=args.rows,
                             seed=args.seed)
    return run_worker(place=place, kills=args.worker_kills or args.kills,
                      job="scenarios" if kind == "worker-scenario" else "reports",
                      wait_s=args.worker_wait, seed=args.seed)


def markdown(rows: list[dict[str, Any]]) -> str:
    head = ["kind", "fault", "database", "kills", "hit", "records sent", "acknowledged",
            "stored", "lost", "duplicated", "seconds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="faults per kind and database")
    parser.add_argument("--kinds", nargs="+", default=list(FAULTS), choices=list(FAULTS))
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--rows", type=int, default=12000,
                        help="residents per import or recompute round")
    parser.add_argument("--worker-kills", type=int, default=0,
                        help="faults of the worker kinds (default: --kills)")
    parser.add_argument("--worker-wait", type=float, default=90,
                        help="seconds a restarted worker is given to finish the job")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "fangkong-faults")
    parser.add_argument("--pg-db", default="fk_bench_faults")
    parser.add_argument("--tag", default="")
    parser.add_argument("--baseline", default="",
                        help="a commit whose src/ the worker kind also runs (before a fix)")
    args = parser.parse_args()
    rows = []
    for kind in args.kinds:
        for backend in args.backends:
            for fault in FAULTS[kind]:
                if fault == "pgterm" and backend != "postgresql":
                    continue
                print(f"== {kind} {fault} {backend}", flush=True)
                row = one(kind=kind, fault=fault, backend=backend, args=args)
                print(json.dumps(row), flush=True)
                rows.append(row)
                if kind == "worker" and args.baseline:
                    row = one(kind=kind, fault=fault, backend=backend, args=args,
                              code=source_of(args.baseline, args.cache))
                    row["kind"] += f" (at {args.baseline})"
                    print(json.dumps(row), flush=True)
                    rows.append(row)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d") + (f"-{args.tag}" if args.tag else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"kills": args.kills, "rows": args.rows, "seed": args.seed,
            "python": platform.python_version(), "machine": platform.machine()}
    (RESULTS / f"faults-{stamp}.json").write_text(json.dumps({"meta": meta, "rows": rows},
                                                             indent=1))
    table = markdown(rows)
    (RESULTS / f"faults-{stamp}.md").write_text(f"# Faults injected ({stamp})\n\n{table}")
    print(table, flush=True)


if __name__ == "__main__":
    main()
