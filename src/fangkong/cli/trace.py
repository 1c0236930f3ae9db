"""``fangkong trace contacts``: the contact engines over contract files, no database needed.

The engines are imported inside the handler, so ``fangkong --help`` stays instant. A bad
input prints ``error: <file> line <n>, <field>: <problem>``, exits 1 and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

ENGINE_NAMES = ("duckdb", "spark", "reference")


def add_trace_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``trace contacts`` to the ``fangkong`` command line."""
    trace = sub.add_parser("trace", help="contact tracing over check-in/ping files (no database)")
    ts = trace.add_subparsers(metavar="{contacts}")
    p = ts.add_parser("contacts", help="close, secondary and companion contacts of cases")
    p.add_argument("--checkins", type=Path, required=True,
                   help="Parquet file, folder of day=YYYY-MM-DD.parquet, or CSV")
    p.add_argument("--cases", type=Path, required=True)
    p.add_argument("--pings", type=Path, help="without it: no companions (rule 5)")
    p.add_argument("--households", type=Path, help="without it: no household contacts")
    p.add_argument("--out", type=Path, required=True, help="contacts.parquet or contacts.csv")
    p.add_argument("--engine", choices=ENGINE_NAMES, default="duckdb")
    p.add_argument("--as-of", default="", help="ISO 8601 with offset (default: now); closes "
                   "windows of cases not yet isolated and contacts not yet quarantined")
    p.add_argument("--policy", type=Path, help="JSON object of ContactPolicy settings")
    p.add_argument("--case", type=int, action="extend", nargs="+", dest="case_ids",
                   metavar="ID", help="trace only these case ids (incremental)")
    p.set_defaults(handler=cmd_trace_contacts)


def _as_of(text: str) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"--as-of {text}: needs an offset, e.g. {text}+08:00")
    return value


def _policy(path: Path | None) -> Any:
    from fangkong.tracing.engine.base import ContactPolicy

    if path is None:
        return ContactPolicy()
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: a JSON object of policy settings is expected")
    return ContactPolicy.from_dict(raw)


def cmd_trace_contacts(args: argparse.Namespace) -> int:
    from fangkong.tracing.engine import detect_contacts, write_contacts
    from fangkong.tracing.engine.base import Sources

    began = time.perf_counter()
    try:
        policy = _policy(args.policy)
        sources = Sources(checkins=args.checkins, cases=args.cases, pings=args.pings,
                          households=args.households)
        table = detect_contacts(sources=sources, policy=policy, as_of=_as_of(args.as_of),
                                engine=args.engine,
                                case_ids=frozenset(args.case_ids) if args.case_ids else None)
        write_contacts(table, args.out, timezone=policy.timezone)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(f"error: engine {args.engine} is not available ({exc})", file=sys.stderr)
        return 1
    _summary(table, seconds=time.perf_counter() - began, engine=args.engine, out=args.out)
    return 0


def _summary(table: Any, *, seconds: float, engine: str, out: Path) -> None:
    counts = table.group_by(["contact_type", "rule"]).aggregate([("person_id", "count")])
    print(f"{table.num_rows} contacts in {seconds:.2f} s ({engine}) -> {out}")
    for kind, rule, n in sorted(zip(*(counts.column(i).to_pylist() for i in range(3)),
                                    strict=True)):
        print(f"  {kind:<10} {rule:<10} {n:>9}")
