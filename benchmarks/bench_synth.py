"""Benchmark the synthetic city generator: rows per second, peak memory, projection to 21 M.

Usage: uv run python benchmarks/bench_synth.py --residents 100000 1000000

Each size runs in a fresh child process so that its peak resident set size
(`resource.getrusage(RUSAGE_SELF).ru_maxrss` inside the child, i.e. the OS high-water mark
of the whole process, numpy and Arrow buffers included) belongs to that size alone.
The baseline is a naive row-by-row Python writer (random + csv) of the persons file only.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CITY = 21_000_000
RESULTS = Path(__file__).resolve().parent / "results"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def run_one(residents: int, seed: int, days: int) -> dict[str, Any]:
    """Generate one city into a temporary folder (in this process) and measure it."""
    from fangkong.synth.generate import generate_city

    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        began = time.perf_counter()
        meta = generate_city(out=Path(tmp), residents=residents, seed=seed, days=days,
                             progress=False)
        wall = time.perf_counter() - began
        disk = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    rows = sum(meta["counts"].values())
    return {"residents": residents, "days": days, "wall_s": round(wall, 2),
            "rows": rows, "rows_per_s": round(rows / wall), "counts": meta["counts"],
            "stages": meta["stages"], "disk_mb": round(disk / 2**20, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def naive_persons(residents: int, seed: int) -> dict[str, Any]:
    """Baseline: persons written one row at a time with `random` and `csv`."""
    rng = random.Random(seed)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="synth-naive-") as tmp, \
            (Path(tmp) / "persons.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["person_id", "household_id", "name", "id_number", "phone", "sex",
                      "birth_date", "occupation"])
        household, left = 0, 0
        for pid in range(1, residents + 1):
            if left == 0:
                household, left = household + 1, rng.choice([1, 2, 2, 3, 3, 4, 5, 6])
            left -= 1
            birth = datetime.date(1925, 1, 1) + datetime.timedelta(days=rng.randrange(35000))
            body = f"320201{birth:%Y%m%d}{rng.randrange(1000):03d}"
            check = "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True))
                                  % 11]
            out.writerow([pid, household, "王" + rng.choice("伟芳娜敏静"), body + check,
                          f"138{rng.randrange(10**8):08d}", rng.choice("FM"),
                          birth.isoformat(), rng.choice(["worker", "student", "retired"])])
    wall = time.perf_counter() - began
    return {"residents": residents, "wall_s": round(wall, 2),
            "rows_per_s": round(residents / wall)}


def _child(residents: int, seed: int, days: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(residents), "--seed", str(seed),
           "--days", str(days)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _project(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Time and rows scale linearly from the largest run; memory is fitted as fixed +
    per-resident from the two largest runs (one run: proportional, an over-estimate)."""
    big = max(runs, key=lambda r: r["residents"])
    scale = CITY / big["residents"]
    rss = big["peak_rss_mb"] * scale
    if len(runs) > 1:
        small = sorted(runs, key=lambda r: r["residents"])[-2]
        slope = (big["peak_rss_mb"] - small["peak_rss_mb"]) / (
            big["residents"] - small["residents"])
        rss = big["peak_rss_mb"] + slope * (CITY - big["residents"])
    return {"residents": CITY, "wall_s": round(big["wall_s"] * scale),
            "rows": round(big["rows"] * scale),
            "checkins": round(big["counts"]["checkins"] * scale),
            "pings": round(big["counts"]["pings"] * scale), "peak_rss_mb": round(rss)}


def markdown(runs: list[dict[str, Any]], proj: dict[str, Any],
             naive: dict[str, Any] | None) -> str:
    lines = ["| residents | wall s | rows | rows/s | check-ins | pings | persons s "
             "| persons rows/s | peak RSS MB | disk MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        c, st = r["counts"], r["stages"]
        lines.append(
            f"| {r['residents']:,} | {r['wall_s']:.1f} | {r['rows']:,} | {r['rows_per_s']:,} "
            f"| {c['checkins']:,} | {c['pings']:,} | {st['persons_s']:.1f} "
            f"| {round(r['residents'] / max(st['persons_s'], 1e-9)):,} "
            f"| {r['peak_rss_mb']:,} | {r['disk_mb']:,} |")
    lines.append(
        f"| {proj['residents']:,} (linear projection) | {proj['wall_s']:,} | {proj['rows']:,} "
        f"| – | {proj['checkins']:,} | {proj['pings']:,} | – | – | {proj['peak_rss_mb']:,} | – |")
    if naive:
        lines += ["", f"Baseline, persons only, naive row-by-row Python (random + csv) at "
                      f"{naive['residents']:,}: {naive['wall_s']} s, "
                      f"{naive['rows_per_s']:,} rows/s."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, nargs="+", default=[100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.seed, args.days)))
        return
    runs = [_child(n, args.seed, args.days) for n in args.residents]
    naive = None if args.no_baseline else naive_persons(100_000, args.seed)
    proj = _project(runs)
    table = markdown(runs, proj, naive)
    print(table)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    RESULTS.mkdir(exist_ok=True)
    info = {"date": stamp, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": len(__import__("os").sched_getaffinity(0)), "runs": runs,
            "projection_21m": proj, "baseline_naive_persons": naive,
            "peak_memory": "ru_maxrss of a fresh child process per size"}
    (RESULTS / f"synth-{stamp}.json").write_text(json.dumps(info, indent=2) + "\n")
    (RESULTS / f"synth-{stamp}.md").write_text(table)


if __name__ == "__main__":
    main()
