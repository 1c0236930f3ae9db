"""What the audit log's integrity costs (core/audit_chain.py), on SQLite and PostgreSQL.

    nice python -m benchmarks.bench_audit --rows 1000000

Per backend, in a fresh child process on a fresh database:

* **writes** — ``record_many`` of ``--write-rows`` rows in transactions of ``--tx-rows``
  (an action touching many objects), with the keyed content hash computed as in production,
  and again with the digest set beforehand to a random string of the same length (the insert
  without hashing): rows/s of each.
* **seal** — the log filled to ``--rows`` rows, all unsealed; ``do_seal`` chains them: rows/s.
* **verify** — ``check_chain`` over those rows (every digest recomputed, every link and
  checkpoint checked): rows/s; it must report no finding.

Results go to benchmarks/results/audit-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    add_backend_options,
    machine,
    run_on_backends,
    setup_backend,
    write_results,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PG_DB = "fk_h5_bench_audit"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_audit",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--write-rows", type=int, default=50_000)
    parser.add_argument("--tx-rows", type=int, default=500)
    parser.add_argument("--tag", default="", help="suffix of the results files' names")
    add_backend_options(parser, cache="fk-bench-audit")
    return parser.parse_args(argv)


def _rows(n: int, *, start: int, hashed: bool) -> list[Any]:
    from fangkong.core.audit import audit_row
    from fangkong.core.jurisdiction import Actor

    actor = Actor(user_id=None, username="bench", unit=None, ip="10.1.2.3")
    rows = []
    for i in range(start, start + n):
        row = audit_row(actor=actor, verb="registry.person.update", target=None,
                        target_type="registry.person",
                        before={"id": i, "phone": "13800000000", "address": "幸福路 1 号"},
                        after={"id": i, "phone": "13900000000", "address": "幸福路 2 号"})
        if not hashed:
            row.digest = secrets.token_hex(40)
        rows.append(row)
    return rows


def _write(n: int, *, tx_rows: int, hashed: bool, start: int) -> float:
    """Seconds to write ``n`` rows, ``tx_rows`` a transaction (building them included)."""
    from django.db import transaction

    from fangkong.core.audit import record_many

    began = time.perf_counter()
    for first in range(start, start + n, tx_rows):
        with transaction.atomic():
            record_many(_rows(min(tx_rows, start + n - first), start=first, hashed=hashed))
    return time.perf_counter() - began


def run_backend(args: argparse.Namespace) -> None:
    setup_backend(args.one, cache=args.cache, sqlite_name="audit.sqlite3", pg_db=PG_DB)
    from fangkong.core.audit_chain import check_chain, do_seal
    from fangkong.core.models import AuditLog

    plain = _write(args.write_rows, tx_rows=args.tx_rows, hashed=False, start=0)
    hashed = _write(args.write_rows, tx_rows=args.tx_rows, hashed=True, start=args.write_rows)
    AuditLog.objects.all().delete()
    fill = _write(args.rows, tx_rows=5000, hashed=True, start=0)
    began = time.perf_counter()
    sealed = do_seal().sealed
    seal = time.perf_counter() - began
    began = time.perf_counter()
    report = check_chain()
    verify = time.perf_counter() - began
    assert sealed == args.rows and report.ok and report.sealed == args.rows, report.findings[:3]
    result = {"backend": args.one, "write_rows": args.write_rows, "tx_rows": args.tx_rows,
              "write_plain_s": plain, "write_hashed_s": hashed, "rows": args.rows,
              "fill_s": fill, "seal_s": seal, "verify_s": verify}
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result))


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    lines = [f"# Audit-log integrity: cost ({dt.datetime.now(dt.UTC).date().isoformat()})", "",
             f"{machine()}; `python -m benchmarks.bench_audit --rows {args.rows} "
             f"--write-rows {args.write_rows} --tx-rows {args.tx_rows}`", "",
             "| backend | writes without hash, rows/s | with hash, rows/s | overhead "
             "| seal, rows/s | verify, rows/s | rows |", "|---|---|---|---|---|---|---|"]
    for r in results:
        plain, hashed = r["write_rows"] / r["write_plain_s"], r["write_rows"] / r["write_hashed_s"]
        lines.append(f"| {r['backend']} | {plain:,.0f} | {hashed:,.0f} | "
                     f"{(r['write_hashed_s'] / r['write_plain_s'] - 1) * 100:+.0f} % | "
                     f"{r['rows'] / r['seal_s']:,.0f} | {r['rows'] / r['verify_s']:,.0f} | "
                     f"{r['rows']:,} |")
    stem = f"audit-{dt.datetime.now(dt.UTC).date().isoformat()}{'-' + args.tag if args.tag else ''}"
    write_results(RESULTS, stem, meta={"machine": machine(), "args": {
        "rows": args.rows, "write_rows": args.write_rows, "tx_rows": args.tx_rows}},
        results=results, lines=lines)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run_on_backends(args, module="benchmarks.bench_audit", name="audit",
                    forward=("rows", "write_rows", "tx_rows"), run_backend=run_backend,
                    report=report)


if __name__ == "__main__":
    main()
