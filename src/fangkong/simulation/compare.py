"""Many seeded runs → what a commander compares: per step the 5th, 50th and 95th percentile
and the mean over runs (the band and its median line), and summary figures with a 95 %
interval. Pure NumPy, no Django; the stored result of a scenario is what these return.

Two kinds of interval, both stated on the page: a share (outbreaks controlled) gets the
Wilson score interval, which stays inside [0, 1] at 0 % or 100 %; a mean (attack rate, peak
day, tests) gets mean ± 1.96 standard errors. The 5–95 % spread of single runs is given
beside it: the interval says how well the runs pin the mean down, the spread how far one
outbreak may stray."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

Z95 = 1.959963984540054
QUANTILES = (5, 50, 95)
DIGITS = 4


AGENT_SERIES = ("new_infections", "infectious", "detected", "in_quarantine", "sealed_agents",
                "tests")


def bands(matrix: np.ndarray) -> dict[str, list[float]]:
    """Per column (step) of a runs × steps matrix: p5, p50, p95 (linear interpolation
    between order statistics, NumPy's default) and the mean."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] == 0:
        raise ValueError("bands need a runs × steps matrix with at least one run")
    q = np.percentile(m, QUANTILES, axis=0)
    out = {f"p{p}": _round_list(q[i]) for i, p in enumerate(QUANTILES)}
    out["mean"] = _round_list(m.mean(axis=0))
    return out


def share_interval(successes: int, n: int) -> dict[str, float | None]:
    """A share with its 95 % Wilson score interval."""
    if n <= 0:
        return {"value": None, "low": None, "high": None, "n": 0}
    p = successes / n
    z2n = Z95 * Z95 / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    return {"value": _r(p), "low": _r(max(0.0, centre - half)),
            "high": _r(min(1.0, centre + half)), "n": n}


def mean_interval(values: Sequence[float] | np.ndarray) -> dict[str, float | None]:
    """The mean of finite values with mean ± 1.96 SE, and the 5/50/95 % spread of the runs
    (NaN values, e.g. an effective R of a run without cases, are left out). The interval of a
    quantity that cannot be negative (a day, a count, a rate) stops at 0."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"mean": None, "low": None, "high": None, "p5": None, "p50": None, "p95": None,
                "n": 0}
    mean = float(v.mean())
    half = Z95 * float(v.std(ddof=1)) / math.sqrt(v.size) if v.size > 1 else 0.0
    p5, p50, p95 = (float(x) for x in np.percentile(v, QUANTILES))
    low = max(mean - half, 0.0) if v.min() >= 0 else mean - half
    return {"mean": _r(mean), "low": _r(low), "high": _r(mean + half), "p5": _r(p5),
            "p50": _r(p50), "p95": _r(p95), "n": int(v.size)}


def branching_summary(*, weekly: np.ndarray, cumulative: np.ndarray, controlled: np.ndarray,
                      effective_r: np.ndarray, runs: int, seed: int) -> dict[str, Any]:
    """The stored result of a branching scenario: new cases by week, the share of outbreaks
    controlled (Hellewell's measure), cumulative cases, effective R and the peak week."""
    weekly = np.asarray(weekly)
    peak = np.argmax(weekly, axis=1) if weekly.shape[1] else np.zeros(weekly.shape[0])
    return {
        "model": "branching", "runs": runs, "seed": seed, "step": "week",
        "steps": int(weekly.shape[1]),
        "series": {"new_infections": bands(weekly)},
        "summary": {
            "controlled": share_interval(int(np.count_nonzero(controlled)), len(controlled)),
            "cumulative": mean_interval(cumulative),
            "effective_r": mean_interval(effective_r),
            "peak": mean_interval(peak),
        },
    }


def agent_summary(runs_done: Sequence[Any], *, population: int, runs: int,
                  seed: int) -> dict[str, Any]:
    """The stored result of an agent scenario: the daily bands of each series and the attack
    rate, peak day, tests used, positives found and person-days in quarantine. ``runs_done``
    are ``agents.AgentRun``: the arrays named in AGENT_SERIES, ``attack_rate``, ``peak_day``."""
    if not runs_done:
        raise ValueError("no runs to summarise")
    stacked = {name: np.vstack([getattr(r, name) for r in runs_done]) for name in AGENT_SERIES}
    return {
        "model": "agents", "runs": runs, "seed": seed, "step": "day",
        "steps": int(stacked["new_infections"].shape[1]), "population": population,
        "series": {name: bands(m) for name, m in stacked.items()},
        "summary": {
            "attack_rate": mean_interval([r.attack_rate for r in runs_done]),
            "peak": mean_interval([r.peak_day for r in runs_done]),
            "tests": mean_interval(stacked["tests"].sum(axis=1)),
            "detected": mean_interval(stacked["detected"].sum(axis=1)),
            "quarantine_days": mean_interval(stacked["in_quarantine"].sum(axis=1)),
            "infections": mean_interval(stacked["new_infections"].sum(axis=1)),
        },
    }


def _r(x: float) -> float:
    return round(float(x), DIGITS)


def _round_list(a: np.ndarray) -> list[float]:
    return [round(float(x), DIGITS) for x in a]
