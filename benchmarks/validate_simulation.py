"""Validate the strategy simulator's branching process and the screening planner against
published results (papers.md §1.1, §2.1, §2.2): Hellewell et al. 2020 Figs 3A, 3B, 4 and 5,
the no-control extinction probabilities, Kretzschmar et al. 2020's direction of effects, and
Dorfman's pooling table.

    .venv/bin/python -m benchmarks.validate_simulation --runs 1000

Prints each table (published, ours, difference, runs, Monte Carlo SE, within tolerance) and
writes benchmarks/results/validation-<date>.json. A share passes within 2 SE (at the published
value) + 2 points for reading the figure; a median R within 2 bootstrap SE + 0.05.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from fangkong.simulation.branching import BranchingParams, BranchingResult, simulate_branching
from fangkong.testing.logic import best_pool_size, break_even_prevalence, dorfman_tests_per_person

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
READING = 0.02  # figure-reading error of a share
R_READING = 0.05  # figure-reading error of an effective R
TRACED = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)

# Fig 5 labels [src]: (delay, R0) -> {traced: % controlled}
FIG5 = {
    ("short", 1.5): {0.4: 83, 0.6: 98, 0.8: 100, 1.0: 100},
    ("short", 2.5): {0.4: 18, 0.6: 42, 0.8: 87, 1.0: 100},
    ("short", 3.5): {0.6: 10, 0.8: 40, 1.0: 99},
    ("long", 1.5): {0.4: 39, 0.6: 66, 0.8: 95, 1.0: 100},
    ("long", 2.5): {0.8: 32, 1.0: 100},
    ("long", 3.5): {1.0: 97},
}
FIG3A = {1.5: {0.0: 40, 0.2: 61}, 2.5: {0.0: 7, 0.2: 10}, 3.5: {0.0: 1, 0.2: 2}}  # [fig]
FIG3B = dict(zip(TRACED, (2.07, 1.82, 1.52, 1.11, 0.85, 0.68), strict=True))  # [fig], R0 2.5
FIG4: dict[str, tuple[dict[str, Any], tuple[float, ...]]] = {  # [fig], R0 2.5
    "5 initial cases": ({"initial_cases": 5}, (43, 52, 64, 78, 97, 100)),
    "40 initial cases": ({"initial_cases": 40}, (1, 2, 5, 21, 79, 100)),
    "long delay": ({"delay": "long"}, (1, 1.5, 3, 8, 32, 100)),
    "<1% presymptomatic": ({"presymptomatic": 0.01}, (7, 15, 36, 79, 99, 100)),
    "30% presymptomatic": ({"presymptomatic": 0.30}, (3, 4, 7, 12, 33, 91)),
    "10% subclinical": ({"subclinical": 0.1}, (4, 6, 11, 19, 37, 65)),
}
EXTINCT = {1.5: (0.688, 0.899, 0.586, 0.118), 2.5: (0.638, 0.795, 0.317, 0.0100),
           3.5: (0.606, 0.736, 0.217, 0.0022)}  # [calc]: P(0), P(ext) with 1, 5, 20 seeds
KRETZSCHMAR: dict[str, Any] = {"r0": 1.2, "presymptomatic": 0.4, "initial_cases": 20}
DORFMAN_QUICK = ((0.01, 11, 0.1956), (0.05, 5, 0.4262), (0.001, 32, 0.0628))
DORFMAN_TABLE = {0.0001: (101, 0.0200), 0.001: (32, 0.0628), 0.005: (15, 0.1391),
                 0.01: (11, 0.1956), 0.02: (8, 0.2742), 0.05: (5, 0.4262), 0.10: (4, 0.5939),
                 0.20: (3, 0.8213), 0.30: (3, 0.9903)}


class Runner:
    """Runs cells with one seed stream and one progress bar; keeps the time of each cell."""

    def __init__(self, *, runs: int, seed: int, cells: int) -> None:
        self.runs, self.seed, self.cell = runs, seed, 0
        self.bar = tqdm(total=cells * runs, unit="run", smoothing=0)
        self.seconds: list[float] = []

    def __call__(self, *, runs: int | None = None, **kw: Any) -> BranchingResult:
        n = runs or self.runs
        self.cell += 1
        done = [0]

        def advance(finished: int) -> None:
            self.bar.update(finished - done[0])
            done[0] = finished

        start = time.perf_counter()
        result = simulate_branching(BranchingParams(**kw), runs=n, seed=self.seed + self.cell,
                                    progress=advance)
        self.seconds.append(time.perf_counter() - start)
        return result


def share_row(label: str, published: float, ours: float, runs: int) -> dict[str, Any]:
    """Published and ours in percent; SE at the published share (clipped off 0 and 1)."""
    p = min(max(published / 100, 0.005), 0.995)
    se = math.sqrt(p * (1 - p) / runs)
    diff = ours * 100 - published
    return {"cell": label, "published": published, "ours": round(ours * 100, 1),
            "difference": round(diff, 1), "runs": runs, "se": round(se * 100, 1),
            "within": abs(diff) <= (2 * se + READING) * 100}


def median_r_row(label: str, published: float, values: np.ndarray) -> dict[str, Any]:
    """Median of per-run R with a bootstrap SE (200 resamples, fixed seed)."""
    finite = values[np.isfinite(values)]
    median = float(np.median(finite))
    rng = np.random.default_rng(0)
    boots = np.median(rng.choice(finite, (200, finite.size)), axis=1)
    se = float(boots.std())
    return {"cell": label, "published": published, "ours": round(median, 3),
            "difference": round(median - published, 3), "runs": int(finite.size),
            "se": round(se, 3), "within": abs(median - published) <= 2 * se + R_READING}


def hellewell(run: Runner) -> dict[str, list[dict[str, Any]]]:
    fig5 = [share_row(f"{delay} delay, R0 {r0}, {int(t * 100)}% traced", pub,
                      run(r0=r0, delay=delay, traced=t).controlled_share(), run.runs)
            for (delay, r0), cells in FIG5.items() for t, pub in cells.items()]
    fig3a = [share_row(f"R0 {r0}, {int(t * 100)}% traced", pub,
                       run(r0=r0, traced=t).controlled_share(), run.runs)
             for r0, cells in FIG3A.items() for t, pub in cells.items()]
    fig3b = []
    for t, pub in FIG3B.items():
        result = run(traced=t)
        assert result.generation_r is not None
        fig3b.append(median_r_row(f"R0 2.5, {int(t * 100)}% traced", pub, result.generation_r))
    fig4 = [share_row(f"{name}, {int(t * 100)}% traced", pub,
                      run(traced=t, **kw).controlled_share(), run.runs)
            for name, (kw, published) in FIG4.items()
            for t, pub in zip(TRACED, published, strict=True)]
    return {"fig5": fig5, "fig3a": fig3a, "fig3b": fig3b, "fig4": fig4}


def delay_sampling(run: Runner) -> list[dict[str, Any]]:
    """Fig 5's R0 2.5 row with one delay per case (ringbp's 2025 fix) beside the paper's."""
    return [share_row(f"per-case delays, R0 2.5, {int(t * 100)}% traced", pub,
                      run(traced=t, delay_sampling="per_case").controlled_share(), run.runs)
            for t, pub in FIG5[("short", 2.5)].items()]


def extinction_closed_form(r0: float, k: float = 0.16) -> tuple[float, float]:
    """P(no offspring) and the extinction probability q = G(q) of one seed, with
    G(s) = (1 + R0 (1 − s) / k)^(−k) the negative binomial's generating function."""
    q = 0.0
    for _ in range(10_000):
        q = (1 + r0 * (1 - q) / k) ** (-k)
    return (k / (k + r0)) ** k, q


def extinction(run: Runner) -> list[dict[str, Any]]:
    """No control at all (every case subclinical: none isolates); extinct = stopped short of
    the case cap. Seeds 1, 5, 20 against the closed form and papers.md's [calc] values."""
    rows = []
    for r0, (p0_pub, *pubs) in EXTINCT.items():
        p0, q = extinction_closed_form(r0)
        for seeds, pub in zip((1, 5, 20), pubs, strict=True):
            result = run(r0=r0, initial_cases=seeds, subclinical=1.0, traced=0.0)
            ours = float((result.cumulative < 5000).mean())
            row = share_row(f"R0 {r0}, {seeds} seed(s)", round(pub * 100, 2), ours, run.runs)
            row |= {"closed_form": round(q**seeds, 4), "p0_published": p0_pub,
                    "p0_closed_form": round(p0, 3)}
            row["within"] = abs(ours - q**seeds) <= 2 * math.sqrt(
                max(q**seeds * (1 - q**seeds), 1e-4) / run.runs)
            rows.append(row)
    return rows


def kretzschmar(run: Runner) -> dict[str, Any]:
    """Pooled effective R (offspring per non-initial case over all runs) on two grids."""
    by_coverage = {c: [run(traced=c, test_delay=d, **KRETZSCHMAR).pooled_r() for d in range(5)]
                   for c in TRACED}
    by_delays = {c: {d: [run(traced=c, test_delay=d, trace_delay=t, **KRETZSCHMAR).pooled_r()
                         for t in range(4)] for d in range(5)} for c in (1.0, 0.8)}
    full = by_delays[1.0]
    checks = {
        "R falls with coverage at every test delay": all(
            all(by_coverage[a][d] > by_coverage[b][d] for a, b in itertools.pairwise(TRACED))
            for d in range(5)),
        "test delay raises R more steeply than trace delay (per day, 0→2)":
            (full[2][0] - full[0][0]) > (full[0][2] - full[0][0]),
        "test delay ≥ 3 days: R ≥ 1 even with 0-day tracing, 100 % coverage":
            all(full[d][0] >= 1 for d in (3, 4)),
        "0/0 days, 100 %: R well below 1.2 (paper 0.8, 95 % CI 0.7–0.9)": full[0][0] < 1.0,
        "test delay 2 days: R < 1 needs 100 % coverage with trace delay ≤ 1 day or ≥ 80 %":
            full[2][0] < 1 and full[2][1] < 1,
    }
    return {"by_coverage": by_coverage, "by_delays": by_delays, "checks": checks}


def dorfman() -> list[dict[str, Any]]:
    rows = []
    for p, k, e in DORFMAN_QUICK:
        choice = best_pool_size(p)
        rows.append({"cell": f"best pool at p={p}", "published": f"k*={k}, E={e}",
                     "ours": f"k*={choice.k}, E={choice.tests_per_person:.4f}",
                     "within": choice.k == k and round(choice.tests_per_person, 4) == e})
    for p, (k, e) in DORFMAN_TABLE.items():
        e10 = dorfman_tests_per_person(10, p)
        choice = best_pool_size(p)
        rows.append({"cell": f"table p={p}", "published": f"k*={k}, E={e}",
                     "ours": f"k*={choice.k}, E={choice.tests_per_person:.4f}, E(10)={e10:.4f}",
                     "within": choice.k == k and abs(choice.tests_per_person - e) < 5e-5})
    be = break_even_prevalence()
    rows.append({"cell": "break-even prevalence", "published": 0.30664, "ours": round(be, 5),
                 "within": abs(be - 0.30664) < 5e-5})
    return rows


def print_shares(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n### {title}\n")
    print("| cell | published | ours | difference | runs | MC SE | within |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['cell']} | {r['published']} | {r['ours']} | {r['difference']} | "
              f"{r['runs']} | {r['se']} | {'yes' if r['within'] else 'NO'} |")


def print_report(report: dict[str, Any]) -> None:
    h = report["hellewell"]
    print_shares("Hellewell Fig 5 (% controlled, printed labels)", h["fig5"])
    print_shares("Hellewell Fig 3A (% controlled, read from the figure)", h["fig3a"])
    print_shares("Hellewell Fig 3B (median effective R, read from the figure)", h["fig3b"])
    print_shares("Hellewell Fig 4 (% controlled, R0 2.5, read from the figure)", h["fig4"])
    print_shares("Delays drawn per case (ringbp ≥ 1.0) vs Fig 5", report["delay_sampling"])
    print("\n### No control: P(extinct) (published [calc] · closed form · simulated)\n")
    for r in report["extinction"]:
        print(f"| {r['cell']} | {r['published']} % | {r['closed_form'] * 100:.2f} % | "
              f"{r['ours']} % | {'yes' if r['within'] else 'NO'} |")
    k = report["kretzschmar"]
    print("\n### Kretzschmar: pooled R by coverage (rows) and test delay 0–4 days (columns)\n")
    for c, values in k["by_coverage"].items():
        print(f"| {int(c * 100)} % | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    for c, grid in k["by_delays"].items():
        print(f"\n### Kretzschmar: coverage {int(c * 100)} %, test delay (rows) × "
              "trace delay 0–3 days (columns)\n")
        for d, values in grid.items():
            print(f"| {d} d | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    print()
    for check, ok in k["checks"].items():
        print(f"- {check}: {'yes' if ok else 'NO'}")
    print("\n### Dorfman\n")
    for r in report["dorfman"]:
        print(f"| {r['cell']} | {r['published']} | {r['ours']} | "
              f"{'yes' if r['within'] else 'NO'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    cells = 18 + 6 + 6 + 36 + 4 + 9 + 6 * 5 + 2 * 5 * 4
    run = Runner(runs=args.runs, seed=args.seed, cells=cells)
    started = time.perf_counter()
    sections: dict[str, Callable[[Runner], Any]] = {
        "hellewell": hellewell, "delay_sampling": delay_sampling, "extinction": extinction,
        "kretzschmar": kretzschmar}
    report: dict[str, Any] = {name: fn(run) for name, fn in sections.items()}
    run.bar.close()
    report["dorfman"] = dorfman()
    report["meta"] = {
        "command": f"python -m benchmarks.validate_simulation --runs {args.runs} "
                   f"--seed {args.seed}",
        "runs": args.runs, "seed": args.seed, "cells": run.cell,
        "seconds_total": round(time.perf_counter() - started, 1),
        "seconds_per_cell": {"median": round(float(np.median(run.seconds)), 3),
                             "max": round(max(run.seconds), 3)},
        "numpy": np.__version__, "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.processor() or platform.system()}"}
    print_report(report)
    rows = [r for key in ("fig5", "fig3a", "fig3b", "fig4") for r in report["hellewell"][key]]
    print(f"\nHellewell cells within tolerance: {sum(r['within'] for r in rows)} of {len(rows)}"
          f"; {run.cell} cells × {args.runs} runs in {report['meta']['seconds_total']} s "
          f"(median {report['meta']['seconds_per_cell']['median']} s a cell)")
    out = args.out or RESULTS / f"validation-{dt.datetime.now(dt.UTC).date().isoformat()}.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n")
    print(f"written {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
