"""Tables of bench_healthcode.py: markdown and JSON under benchmarks/results/."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from benchmarks.bench_quarantine import machine


def _n(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def verify_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| engine | case | per second (one core) |", "|---|---|---:|"]
    lines += [f"| {r['engine']} | {r['case']} | {_n(r['per_s'])} |" for r in rows]
    return "\n".join(lines)


def recompute_table(results: list[dict[str, Any]]) -> str:
    lines = ["| backend | case | rows | seconds | rows/s |", "|---|---|---:|---:|---:|"]
    for res in results:
        lines += [f"| {res['backend']} | {r['case']} | {r['rows']:,} | {r['seconds']:.1f} | "
                  f"{_n(r['rows_per_s'])} |" for r in res["recompute"]]
    return "\n".join(lines)


def http_table(results: list[dict[str, Any]]) -> str:
    lines = ["| backend | server | case | clients | answers/s | accepted/s | 503 share | "
             "5xx not 503 | p50 ms | p95 ms | statuses | notes |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for res in results:
        for srv in res.get("http", []):
            for r in srv["rows"]:
                notes = []
                if "scans_per_min" in r:
                    notes.append(f"{r['scans_per_min']:,.0f} scans/min")
                if "offline_verify" in r:
                    v = r["offline_verify"]
                    notes.append(f"gate meanwhile: {v['valid']:,}/{v['verified']:,} codes "
                                 f"valid offline, {v['per_s']:,.0f}/s")
                if r["retry_after_missing"]:
                    notes.append(f"{r['retry_after_missing']} 503 without Retry-After")
                if r["connection_errors"]:
                    notes.append(f"connection errors {r['connection_errors']}")
                lines.append(
                    f"| {res['backend']} | {srv['server']} | {r['case']} | {r['clients']} | "
                    f"{_n(r['per_s'])} | {_n(r['accepted_per_s'])} | {r['shed_share']:.0%} | "
                    f"{r['server_errors']} | {_n(r['p50_ms'], 1)} | {_n(r['p95_ms'], 1)} | "
                    f"{r['statuses']} | {'; '.join(notes)} |")
            lines.append(f"| {res['backend']} | {srv['server']} | server alive at the end: "
                         f"{srv['alive_at_end']}, tracebacks logged: {srv['tracebacks']}, "
                         f"log lines: {srv.get('log_lines', '?')} (shedding summaries "
                         f"{srv.get('shed_summaries', '?')}, waitress queue warnings "
                         f"{srv.get('queue_warnings', '?')}) |||||||||")
    return "\n".join(lines)


def machines_needed(results: list[dict[str, Any]]) -> str:
    """1 M scans per minute over the best measured uploaded scans per minute."""
    lines = []
    for res in results:
        for srv in res.get("http", []):
            for r in srv["rows"]:
                if r.get("scans_per_min"):
                    per = r["scans_per_min"]
                    lines.append(f"* {res['backend']}: one machine holds {per:,.0f} uploaded "
                                 f"scans/min; 1,000,000 / {per:,.0f} = "
                                 f"{1_000_000 / per:.2f} → {math.ceil(1_000_000 / per)} "
                                 "machine(s) of this kind (before headroom)")
    return "\n".join(lines)


def command_line(args: argparse.Namespace) -> list[str]:
    """The options of this run that differ from the defaults, to repeat it."""
    from benchmarks.bench_healthcode import parse

    default = vars(parse([]))
    return [f"--{key.replace('_', '-')} " + " ".join(map(str, value)) if isinstance(value, list)
            else f"--{key.replace('_', '-')}={value}"
            for key, value in vars(args).items()
            if key not in ("one", "http", "cache") and value != default.get(key)]


def report(args: argparse.Namespace, verify: list[dict[str, Any]],
           results: list[dict[str, Any]], folder: Path) -> None:
    today = dt.datetime.now(dt.UTC).date()
    md = (f"Health codes and check-ins, {args.residents:,} residents ({today}, {machine()})\n\n"
          f"`uv run python -m benchmarks.bench_healthcode {' '.join(command_line(args))}`\n\n"
          f"### Verification\n\n{verify_table(verify)}\n\n"
          f"### Batch recompute\n\n{recompute_table(results)}\n\n"
          f"### Issuance and ingest over HTTP ({args.seconds:g} s per case)\n\n"
          f"{http_table(results)}\n\n### Machines for 1 M scans per minute\n\n"
          f"{machines_needed(results)}\n")
    print(md)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"healthcode-{today}{args.name}"
    stem.with_suffix(".md").write_text(md)
    stem.with_suffix(".json").write_text(json.dumps(
        {"residents": args.residents, "machine": machine(), "verify": verify,
         "backends": results}, indent=1, ensure_ascii=False, default=str))
