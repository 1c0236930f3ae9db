"""The anomaly computation over a city's streets: ours (``logic_anomaly.chart``, numpy,
every series at once) against a plain pandas groupby-rolling baseline computing the same EWMA
rule, on synthetic Poisson counts for 300 streets x 5 streams x 90 days (plus the 28-day
baseline and 14-day warm-up). Both must flag the same street-days.

    uv run python benchmarks/bench_warning_anomaly.py [--streets 300] [--repeat 5]

Writes benchmarks/results/warning-anomaly-<date>.{json,md}."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fangkong.warning.logic import AnomalyRules
from fangkong.warning.logic_anomaly import chart

RULES = AnomalyRules("ewma", 0.3, 3.0, 28, 3.0)
STREAMS = 5
DAYS = 90


def synthetic(streets: int, seed: int = 2022) -> np.ndarray:
    rng = np.random.default_rng(seed)
    means = rng.gamma(2.0, 5.0, streets * STREAMS)[:, None]
    return rng.poisson(means, (streets * STREAMS, DAYS + RULES.baseline_days + 14)).astype(float)


def pandas_baseline(counts: np.ndarray) -> np.ndarray:
    """The same rule, the way one would write it with pandas: long table, groupby-rolling."""
    n, days = counts.shape
    long = pd.DataFrame({"series": np.repeat(np.arange(n), days),
                         "day": np.tile(np.arange(days), n), "x": counts.ravel()})
    g = long.groupby("series")["x"]
    b = RULES.baseline_days
    mu = g.transform(lambda s: s.shift(1).rolling(b, min_periods=b).mean())
    sd = g.transform(lambda s: s.shift(1).rolling(b, min_periods=b).std())
    z = g.transform(lambda s: s.ewm(alpha=RULES.smoothing, adjust=False).mean())
    sd = np.sqrt(np.maximum(sd.fillna(0) ** 2, mu.clip(lower=0)))
    lam = RULES.smoothing
    limit = mu + RULES.limit_sd * sd * np.sqrt(lam / (2 - lam))
    alarm = (mu >= RULES.min_expected) & (z > limit + 1e-9 * np.maximum(1.0, limit.abs()))
    return alarm.fillna(False).to_numpy().reshape(n, days)


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--streets", type=int, default=300)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    counts = synthetic(a.streets)
    ours_s, ours = timed(lambda: chart(counts, RULES).alarm, a.repeat)
    base_s, base = timed(lambda: pandas_baseline(counts), max(1, a.repeat // 2))
    agree = float((ours == base).mean())  # type: ignore[operator]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    result = {"date": today, "streets": a.streets, "streams": STREAMS,
              "series": int(counts.shape[0]), "days": int(counts.shape[1]),
              "judged_days": DAYS, "ours_s": round(ours_s, 4), "pandas_s": round(base_s, 4),
              "speedup": round(base_s / ours_s, 1), "agreement": agree,
              "alarms": int(np.asarray(ours).sum()), "python": platform.python_version(),
              "machine": platform.machine(), "rules": RULES.__dict__}
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stem = out / f"warning-anomaly-{result['date']}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    md = ("| streets x streams | days | ours (numpy) | pandas groupby-rolling | speed-up | "
          "same alarms |\n|---|---|---|---|---|---|\n"
          f"| {a.streets} x {STREAMS} | {counts.shape[1]} | {ours_s * 1000:.1f} ms | "
          f"{base_s * 1000:.1f} ms | {result['speedup']}x | {agree:.4%} |\n\n"
          f"Command: `uv run python benchmarks/bench_warning_anomaly.py --streets {a.streets}`"
          f" (best of {a.repeat}; {result['alarms']} alarmed street-days).\n")
    stem.with_suffix(".md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
