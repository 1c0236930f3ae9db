"""The tables of bench_quarantine.py, printed and saved as Markdown and JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

ROOM_COLUMNS = [
    ("plan s", "seconds", "{:.2f}"), ("groups placed", "groups_placed", "{:,}"),
    ("exact max", "max_groups", "{:,}"), ("people placed", "people_placed", "{:,}"),
    ("rooms used", "rooms_used", "{:,}"), ("lower bound", "rooms_lower_bound", "{:,}"),
    ("family rooms → singles", "family_rooms_to_singles", "{:,}"),
    ("accessible → others", "accessible_to_others", "{:,}"),
    ("families unplaced", "families_unplaced", "{:,}"),
    ("needing access unplaced", "accessible_unplaced", "{:,}"),
    ("empty beds in used rooms", "empty_beds_in_used_rooms", "{:,}"),
    ("hotels used", "hotels_used", "{:,}"),
]


def room_table(rooms: list[dict[str, Any]]) -> str:
    head = "| scenario | rooms | groups | plan | " + " | ".join(c[0] for c in ROOM_COLUMNS)
    lines = [head + " |", "|---|---:|---:|---|" + "---:|" * len(ROOM_COLUMNS)]
    for r in rooms:
        for who, label in (("ours", "ours (assign)"), ("naive", "naive first-fit")):
            m = r[who]
            cells = " | ".join(fmt.format(m[key]) for _, key, fmt in ROOM_COLUMNS)
            lines.append(f"| {r['scenario']} | {r['rooms']:,} | {m['groups']:,} | {label} | "
                         f"{cells} |")
    return "\n".join(lines)


def assign_table(results: list[dict[str, Any]]) -> str:
    lines = ["| backend | orders | rooms | preview s | apply s | apply s per 1,000 orders | "
             "assigned | assigned by a resent apply |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        a = r["assign"]
        lines.append(f"| {r['backend']} | {a['orders']:,} | {a['rooms']:,} | "
                     f"{a['preview_s']:.1f} | {a['apply_s']:.1f} | "
                     f"{a['apply_s'] * 1000 / a['orders']:.2f} | {a['assigned']:,} | "
                     f"{a['assigned_again']} |")
    return "\n".join(lines)


def board_table(results: list[dict[str, Any]]) -> str:
    lines = ["| backend | case | median ms | p95 ms | queries | people counted | checked | "
             "missing | tests due | slowest statement ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for c in r["board"]["cases"]:
            n = c["counts"]
            lines.append(f"| {r['backend']} | {c['case']} | {c['median_ms']:.1f} | "
                         f"{c['p95_ms']:.1f} | {c['queries']} | {n['total']:,} | "
                         f"{n['checked']:,} | {n['missing']:,} | {n['tests_due']:,} | "
                         f"{c['slowest_ms']:.1f} |")
    return "\n".join(lines)


def report(args: argparse.Namespace, rooms: list[dict[str, Any]],
           results: list[dict[str, Any]], out: Path) -> None:
    from benchmarks.bench_quarantine import machine

    today = dt.datetime.now(dt.UTC).date()
    command = "uv run python -m benchmarks.bench_quarantine"
    fixtures = "; ".join(f"{r['backend']}: {r['board']['fixture_rows']:,} rows in "
                         f"{r['board']['fixture_s']:.0f} s" for r in results)
    md = (f"Quarantine at city scale ({today}, {machine()}; city of {args.residents:,} "
          f"residents)\n\n`{command}`\n\nRoom assignment, {args.arrivals:,} arrivals into "
          f"{args.hotels} hotels (no database; plan s includes grouping):\n\n"
          + room_table(rooms) + "\n\n" + "The full action on a database (first scenario):"
          "\n\n" + (assign_table(results) if results else "(no backend run)")
          + f"\n\nDaily-check board, {args.people:,} people in quarantine, {args.repeat} "
          f"runs each (fixture {fixtures or 'not built'}):\n\n"
          + (board_table(results) if results else "(no backend run)") + "\n")
    print(md)
    for r in results:
        for c in r["board"]["cases"]:
            if c["plan"]:
                print(f"-- {r['backend']} · {c['case']} · slowest statement "
                      f"{c['slowest_ms']:.1f} ms:\n{c['slowest_sql'][:400]}\n{c['plan']}\n")
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"quarantine-{today}"
    stem.with_suffix(".md").write_text(md)
    stem.with_suffix(".json").write_text(json.dumps(
        {"args": {k: str(v) for k, v in vars(args).items()}, "machine": machine(),
         "rooms": rooms, "results": results}, indent=1, ensure_ascii=False))
