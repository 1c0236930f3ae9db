"""The tables of bench_command.py, printed and saved as Markdown and JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

UNITS = ("city", "district", "street")


def machine() -> str:
    return f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False,
                          env={**os.environ, "TZ": "UTC"}).stdout.strip()


def _who(r: dict[str, Any]) -> str:
    return f"{r['residents']:,} · {r['backend']}"


def fixture_table(results: list[dict[str, Any]]) -> str:
    names = list(results[0]["fixture"]["rows"])
    lines = ["| residents · backend | " + " | ".join(names) + " | load s (city + outbreak) |",
             "|---|" + "---:|" * (len(names) + 1)]
    for r in results:
        f = r["fixture"]
        lines.append(f"| {_who(r)} | " + " | ".join(f"{f['rows'][n]:,}" for n in names)
                     + f" | {f['city_s']:.0f} + {f['outbreak_s']:.0f} |")
    return "\n".join(lines)


def rebuild_table(results: list[dict[str, Any]]) -> str:
    lines = ["| residents · backend | rebuild 14 days s | figures written | one new case: "
             "save + mark ms | refresh ms (cells) | tile before → after |",
             "|---|---:|---:|---:|---:|---|"]
    for r in results:
        b, i = r["rebuild"], r["incremental"]
        lines.append(f"| {_who(r)} | {b['seconds']:.1f} | {b['figures']:,} | "
                     f"{i['save_and_mark_ms']:.0f} | {i['refresh_ms']:.0f} ({i['cells']}) | "
                     f"{i['tile_before']} → {i['tile_after']} |")
    return "\n".join(lines)


def figures_table(results: list[dict[str, Any]]) -> str:
    lines = ["| residents · backend | unit | read model: picture ms (queries) | naive recount "
             "ms (queries) | naive / read model | today's figures equal |",
             "|---|---|---:|---:|---:|---|"]
    for r in results:
        for unit in UNITS:
            f = r["figures"][unit]
            ours, theirs = f["picture"]["median_ms"], f["naive"]["median_ms"]
            equal = "yes" if not f["differ_today"] else f"no: {f['differ_today']}"
            lines.append(f"| {_who(r)} | {unit} | {ours:.1f} ({f['picture_queries']}) | "
                         f"{theirs:,.0f} ({f['naive_queries']}) | {theirs / ours:,.0f}× | "
                         f"{equal} |")
    return "\n".join(lines)


def http_table(results: list[dict[str, Any]]) -> str:
    lines = ["| residents · backend | request | first request ms | TTFB median ms | "
             "p95 ms | total median ms | KiB |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for name, h in r["http"].items():
            lines.append(f"| {_who(r)} | {name} | {h['first_ms']:.0f} | "
                         f"{h['ttfb']['median_ms']:.0f} | {h['ttfb']['p95_ms']:.0f} | "
                         f"{h['total']['median_ms']:.0f} | {h['bytes'] / 1024:.0f} |")
        p = r["page_after_new_case"]
        lines.append(f"| {_who(r)} | street page after a new case (refreshes its scope; "
                     f"tile {p['tile_before']} → {p['tile_after']}, expected {p['expected']}) "
                     f"| {p['ms']:.0f} | | | | |")
    return "\n".join(lines)


def browser_table(results: list[dict[str, Any]]) -> str:
    lines = ["| residents · backend | unit | first load (cold cache) ms | full render median "
             "ms | p95 ms | browser: first byte ms | last byte ms | drawn ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        b = r.get("browser")
        if not b:
            continue
        for unit in UNITS:
            u = b[unit]
            lines.append(f"| {_who(r)} | {unit} | {u['cold_ms']:.0f} | "
                         f"{u['wall']['median_ms']:.0f} | {u['wall']['p95_ms']:.0f} | "
                         f"{u['first_byte']['median_ms']:.0f} | "
                         f"{_median(u.get('last_byte'))} | {u['drawn']['median_ms']:.0f} |")
    return "\n".join(lines)


def _median(stats: dict[str, float] | None) -> str:
    return "" if stats is None else f"{stats['median_ms']:.0f}"


def loads(results: list[dict[str, Any]]) -> str:
    return "\n".join(f"- {_who(r)}: `{r['load_at_start']}`" for r in results
                     if r.get("load_at_start"))


def report(args: argparse.Namespace, results: list[dict[str, Any]], out: Path) -> None:
    today = dt.datetime.now(dt.UTC).date()
    sizes = " ".join(str(n) for n in args.residents)
    extra = "".join(f" --{name.replace('_', '-')} {getattr(args, name)}" for name, default
                    in (("naive_repeat", 3), ("browser_repeat", 5), ("repeat", 15), ("tag", ""))
                    if getattr(args, name) != default)
    command = f"uv run python -m benchmarks.bench_command --residents {sizes}{extra}"
    waited = next((r["browser"]["waited_for"] for r in results if r.get("browser")), "")
    md = (f"Command dashboard at city scale ({today}, {machine()})\n\n`{command}`\n\n"
          f"Machine load (other helpers share the cores) at each run's start:\n\n"
          f"{loads(results)}\n- at the end: `{load_average()}`\n\n"
          "The outbreak on the raw tables (rows):\n\n"
          + fixture_table(results) + "\n\nRead model: rebuild and one event:\n\n"
          + rebuild_table(results) + f"\n\nThe page's figures in-process, {args.repeat} runs "
          f"(naive {args.naive_repeat}):\n\n" + figures_table(results)
          + f"\n\nThrough `fangkong serve` (waitress, 8 threads), {args.repeat} runs after "
          "a first:\n\n" + http_table(results)
          + f"\n\nFull render in headless Chromium, {args.browser_repeat} runs after a cold "
          f"one (waited for {waited}):\n\n" + browser_table(results) + "\n")
    print(md)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"command-{today}{'-' + args.tag if args.tag else ''}"
    stem.with_suffix(".md").write_text(md)
    stem.with_suffix(".json").write_text(json.dumps(
        {"args": {k: str(v) for k, v in vars(args).items()}, "machine": machine(),
         "load": load_average(), "results": results}, indent=1, ensure_ascii=False,
        default=str))
