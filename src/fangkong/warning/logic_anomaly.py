"""The anomaly method, pure: which days of a street's daily count series rose above their
baseline. Vectorised over many series at once (rows: series, columns: days).

For each day ``t`` the *baseline* is the ``baseline_days`` days before it: mean ``mu`` and
standard deviation ``sd``, floored at the Poisson ``sqrt(mu)`` (a quiet baseline of near-equal
counts must not make a small wobble an alarm). A day whose ``mu`` is under ``min_expected``, or
that lacks a full baseline, is not judged.

- ``ewma``: ``z_t = lambda x_t + (1 - lambda) z_(t-1)`` (started at the series' first day);
  alarm when ``z_t > mu + limit_sd * sd * sqrt(lambda / (2 - lambda))``, the EWMA's
  asymptotic limit.
- ``cusum``: one-sided, on the standardised count ``u_t = (x_t - mu) / sd``:
  ``S_t = max(0, S_(t-1) + u_t - k)`` with ``k = smoothing``; alarm when ``S_t > limit_sd``,
  then ``S`` restarts at 0. Unjudged days restart it too.

The measured false-alarm rate and detection power are in docs/early-warning.md (and asserted
in tests/warning/test_logic_anomaly.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fangkong.warning.logic import AnomalyRules

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Chart:
    """Per series and day (arrays of shape ``(series, days)``): the counts, the baseline's
    mean and sd,
    the method's statistic and threshold, the upper band in counts (``mu + limit_sd * sd``),
    whether the day was judged and whether it alarmed."""

    counts: Floats
    expected: Floats
    sd: Floats
    statistic: Floats
    threshold: Floats
    upper: Floats
    judged: Bools
    alarm: Bools

    @property
    def onset(self) -> Bools:
        """The first day of each run of alarmed days (one anomaly per run, not one a day)."""
        before = np.zeros_like(self.alarm)
        before[:, 1:] = self.alarm[:, :-1]
        return self.alarm & ~before


def baseline(counts: Floats, days: int) -> tuple[Floats, Floats, Bools]:
    """Mean and Poisson-floored sd of the ``days`` days before each day, and whether the day
    has a full baseline; cumulative sums keep it O(series x days)."""
    n = counts.shape[1]
    zero = np.zeros((counts.shape[0], 1))
    s1 = np.concatenate([zero, np.cumsum(counts, axis=1)], axis=1)
    s2 = np.concatenate([zero, np.cumsum(counts * counts, axis=1)], axis=1)
    t = np.arange(n)
    lo = np.maximum(t - days, 0)
    width = np.maximum(t - lo, 1).astype(np.float64)
    mean = (s1[:, t] - s1[:, lo]) / width
    var = (s2[:, t] - s2[:, lo]) / width - mean * mean
    var = np.maximum(var, 0.0) * width / np.maximum(width - 1, 1)  # sample variance
    sd = np.sqrt(np.maximum(var, np.maximum(mean, 0.0)))
    full = np.broadcast_to(t >= days, counts.shape)
    return mean, sd, full


def _ewma(counts: Floats, mu: Floats, sd: Floats, rules: AnomalyRules) -> tuple[Floats, Floats]:
    lam = rules.smoothing
    z = np.empty_like(counts)
    z[:, 0] = counts[:, 0]
    for t in range(1, counts.shape[1]):
        z[:, t] = lam * counts[:, t] + (1 - lam) * z[:, t - 1]
    return z, mu + rules.limit_sd * sd * np.sqrt(lam / (2 - lam))


def _cusum(counts: Floats, mu: Floats, sd: Floats, judged: Bools,
           rules: AnomalyRules) -> tuple[Floats, Floats]:
    u = np.where(judged, (counts - mu) / np.where(sd > 0, sd, 1.0), 0.0)
    s = np.zeros_like(counts)
    run = np.zeros(counts.shape[0])
    for t in range(counts.shape[1]):
        run = np.where(judged[:, t], np.maximum(0.0, run + u[:, t] - rules.smoothing), 0.0)
        s[:, t] = run
        run = np.where(run > rules.limit_sd, 0.0, run)
    return s, np.full_like(counts, rules.limit_sd)


def chart(counts: npt.ArrayLike, rules: AnomalyRules) -> Chart:
    """Judge every day of every series (``counts``: non-negative, shape ``(series, days)``
    or one series of shape ``(days,)``)."""
    x = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    if x.ndim != 2 or (x.size and np.nanmin(x) < 0) or np.isnan(x).any():
        raise ValueError("counts must be a 2-D array of non-negative numbers")
    mu, sd, full = baseline(x, rules.baseline_days)
    judged = full & (mu >= rules.min_expected)
    if rules.method == "cusum":
        stat, limit = _cusum(x, mu, sd, judged, rules)
    else:
        stat, limit = _ewma(x, mu, sd, rules)
    alarm = judged & (stat > limit + 1e-9 * np.maximum(1.0, np.abs(limit)))
    return Chart(counts=x, expected=mu, sd=sd, statistic=stat, threshold=limit,
                 upper=mu + rules.limit_sd * sd, judged=judged, alarm=alarm)


def false_alarm_rate(rules: AnomalyRules, *, mean: float, series: int, days: int,
                     seed: int = 0) -> float:
    """Alarmed share of judged days on stationary Poisson series (the no-outbreak case)."""
    rng = np.random.default_rng(seed)
    found = chart(rng.poisson(mean, (series, rules.baseline_days + days)).astype(float), rules)
    judged = found.judged[:, rules.baseline_days:]
    return float(found.alarm[:, rules.baseline_days:][judged].mean()) if judged.any() else 0.0


def detection_rate(rules: AnomalyRules, *, mean: float, factor: float, rise_days: int,
                   within: int, series: int, seed: int = 0) -> float:
    """Share of series with a rise ``x factor`` for ``rise_days`` days (injected after the
    baseline) that alarm within its first ``within`` days."""
    rng = np.random.default_rng(seed)
    start = rules.baseline_days + 7
    rate = np.full((series, start + rise_days), mean)
    rate[:, start:] *= factor
    found = chart(rng.poisson(rate).astype(float), rules)
    return float(found.alarm[:, start:start + within].any(axis=1).mean())
