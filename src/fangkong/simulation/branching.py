"""A branching process of an outbreak under isolation and contact tracing, after Hellewell et
al. 2020 (Lancet Glob Health 8:e488), written from the paper's formulas with the semantics of
its code at tag v0.1.0, and extended with Kretzschmar et al. 2020's testing and tracing delays.

Each case draws its offspring from a negative binomial (mean ``r0``, dispersion ``k``). An
infectee's exposure time is skew-normal around the infector's symptom onset (ω = 2, the skew
``α`` set by the presymptomatic share), floored at day 1 as in v0.1.0; exposures at or after the
infector's isolation never happen. Its onset is exposure + a Weibull incubation period. An
infectee is missed by tracing with probability 1 − ``traced`` (always, when its infector is
subclinical); a missed case isolates at onset + an onset-to-isolation delay, a traced one at
min(onset + delay, max(onset, infector's isolation)), or at the infector's isolation under
quarantine; subclinical cases never isolate. The Kretzschmar extension adds ``test_delay`` to
every onset-driven isolation and ``trace_delay`` after the infector's isolation; both zero give
Hellewell exactly.

The whole batch of runs advances one generation per step: every unprocessed case of every
still-running run is drawn at once, so 1000 runs of a cell take about a second. A run stops,
as in v0.1.0, when it has no new cases, reaches ``cap_cases`` or its latest onset reaches
``cap_days``. Pure NumPy; no Django, no SciPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

INCUBATION = (2.322737, 6.492272)  # Weibull shape, scale (days): mean 5.75
DELAYS = {  # onset-to-isolation Weibull shape, scale; "none": isolation at onset (+ test delay)
    "short": (1.651524, 4.287786),  # "SARS": mean 3.83 days
    "long": (2.305172, 9.483875),  # "Wuhan": mean 8.40 days
    "none": (1.0, 0.0),
}
OMEGA = 2.0  # skew-normal scale of the exposure time around the infector's onset
EXPOSURE_FLOOR = 1.0  # v0.1.0 floors the exposure at absolute day 1
ALPHA = {0.01: 30.0, 0.15: 1.95, 0.30: 0.7}  # the paper's three levels
CONTROL_WEEKS = (12, 16)  # controlled: no new onsets in these weeks (inclusive)
# v0.1.0 draws the onset-to-isolation delay once per call (``onset + delayfn(1)``) and recycles
# it: in each run, every case of a generation found by its own symptoms shares one delay, and
# every traced case another. The published figures come from that; ringbp fixed it in 2025
# (epiforecasts/ringbp#84, #98) to one draw per case, which controls fewer outbreaks.
DELAY_SAMPLING = {"paper": "one delay per run and generation (v0.1.0, the published figures)",
                  "per_case": "one delay per case (ringbp ≥ 1.0)"}


def skew_alpha(presymptomatic: float) -> float:
    """The skew-normal α whose mass below the infector's onset is ``presymptomatic``: the
    paper's 30 / 1.95 / 0.7 for its three levels, else the closed form of
    P(SN(0, ω, α) < 0) = 1/2 − arctan(α)/π."""
    if not 0.0 < presymptomatic < 1.0:
        raise ValueError(f"presymptomatic must lie strictly between 0 and 1, got {presymptomatic}")
    for share, alpha in ALPHA.items():
        if math.isclose(presymptomatic, share):
            return alpha
    return math.tan(math.pi * (0.5 - presymptomatic))


@dataclass(frozen=True, kw_only=True)
class BranchingParams:
    """One scenario. Defaults are the paper's baseline at 60 % of contacts traced."""

    r0: float = 2.5
    dispersion: float = 0.16  # negative-binomial k, community
    initial_cases: int = 20
    traced: float = 0.6  # probability a contact is traced
    delay: str = "short"  # "short" | "long" onset-to-isolation (Hellewell Weibulls) | "none"
    presymptomatic: float = 0.15  # 0.01 | 0.15 | 0.30 -> skew-normal alpha 30 | 1.95 | 0.7
    subclinical: float = 0.0
    quarantine: bool = False
    test_delay: float = 0.0  # extra days from onset to isolation (Kretzschmar)
    trace_delay: float = 0.0  # days from the infector's isolation to the contact's
    cap_cases: int = 5000
    cap_days: int = 365
    delay_sampling: str = "paper"  # "paper" (v0.1.0) | "per_case": see DELAY_SAMPLING

    def __post_init__(self) -> None:
        _check(self.r0 >= 0, "r0", "must be at least 0", self.r0)
        _check(self.dispersion > 0, "dispersion", "must be positive", self.dispersion)
        _check(self.initial_cases >= 1, "initial_cases", "must be at least 1", self.initial_cases)
        for name in ("traced", "subclinical"):
            value = getattr(self, name)
            _check(0.0 <= value <= 1.0, name, "must lie in [0, 1]", value)
        _check(self.delay in DELAYS, "delay", f"must be one of {sorted(DELAYS)}", self.delay)
        skew_alpha(self.presymptomatic)
        _check(self.delay_sampling in DELAY_SAMPLING, "delay_sampling",
               f"must be one of {sorted(DELAY_SAMPLING)}", self.delay_sampling)
        for name in ("test_delay", "trace_delay"):
            value = getattr(self, name)
            _check(value >= 0 and math.isfinite(value), name, "must be a finite day count ≥ 0",
                   value)
        _check(self.cap_cases >= 1, "cap_cases", "must be at least 1", self.cap_cases)
        last_day = 7 * (CONTROL_WEEKS[1] + 1)
        _check(self.cap_days >= last_day, "cap_days",
               f"must reach the end of week {CONTROL_WEEKS[1]} (day {last_day})", self.cap_days)

    @property
    def weeks(self) -> int:
        """Weeks 0 .. cap_days // 7 of the weekly counts."""
        return self.cap_days // 7 + 1


def _check(ok: bool, field: str, rule: str, value: object) -> None:
    if not ok:
        raise ValueError(f"{field} {rule}, got {value!r}")


@dataclass(frozen=True)
class BranchingResult:
    """Per run: cases by week of symptom onset (v0.1.0 counts by onset week, so "controlled"
    matches the paper), all cases, control, and the mean offspring of non-initial cases.
    ``offspring`` and ``parents`` are the sums behind ``effective_r``, so many runs can be
    pooled into one ratio."""

    weekly_cases: np.ndarray  # runs × weeks (new cases by week of onset)
    cumulative: np.ndarray  # runs
    controlled: np.ndarray  # runs, bool: no cases in weeks 12–16 and < cap_cases
    effective_r: np.ndarray  # runs, mean offspring of non-initial cases (NaN if none)
    offspring: np.ndarray | None = None  # runs: infections caused by non-initial cases
    parents: np.ndarray | None = None  # runs: non-initial cases that had their chance
    generation_r: np.ndarray | None = None  # runs: v0.1.0's R, mean of new/parents by generation

    def controlled_share(self) -> float:
        return float(self.controlled.mean()) if self.controlled.size else math.nan

    def pooled_r(self) -> float:
        """Offspring per non-initial case over all runs together (NaN if none)."""
        if self.offspring is None or self.parents is None or self.parents.sum() == 0:
            return math.nan
        return float(self.offspring.sum() / self.parents.sum())


@dataclass
class _Cases:
    """The cases of one generation across runs, one row each."""

    run: np.ndarray  # int64
    exposure: np.ndarray  # float64, days since the start
    onset: np.ndarray  # float64, days
    iso: np.ndarray  # float64, days; inf when never isolated
    asym: np.ndarray  # bool, subclinical
    initial: bool  # every row is an initial case

    def take(self, mask: np.ndarray) -> _Cases:
        return _Cases(self.run[mask], self.exposure[mask], self.onset[mask], self.iso[mask],
                      self.asym[mask], self.initial)


class _Sampler:
    """The model's random draws, all from one generator."""

    def __init__(self, params: BranchingParams, rng: np.random.Generator, runs: int) -> None:
        self.p = params
        self.rng = rng
        self.runs = runs
        alpha = skew_alpha(params.presymptomatic)
        self.delta = alpha / math.sqrt(1.0 + alpha * alpha)
        self.nb_p = params.dispersion / (params.dispersion + params.r0)

    def weibull(self, shape_scale: tuple[float, float], n: int) -> np.ndarray:
        shape, scale = shape_scale
        return scale * self.rng.weibull(shape, n) if scale > 0 else np.zeros(n)

    def delay(self, run: np.ndarray) -> np.ndarray:
        """Onset to isolation of each case found by its own symptoms: care-seeking + testing;
        one draw per case, or (the paper) one per run shared by the whole generation."""
        if self.p.delay_sampling == "per_case":
            return self.weibull(DELAYS[self.p.delay], run.size) + self.p.test_delay
        return (self.weibull(DELAYS[self.p.delay], self.runs) + self.p.test_delay)[run]

    def offspring(self, n: int) -> np.ndarray:
        if self.p.r0 == 0:
            return np.zeros(n, dtype=np.int64)
        return self.rng.negative_binomial(self.p.dispersion, self.nb_p, n)

    def exposure(self, infector_onset: np.ndarray) -> np.ndarray:
        """Skew-normal around the infector's onset: ξ + ω(δ|Z0| + √(1−δ²) Z1), floored."""
        z = self.rng.standard_normal((2, infector_onset.size))
        sn = self.delta * np.abs(z[0]) + math.sqrt(1.0 - self.delta**2) * z[1]
        return np.maximum(infector_onset + OMEGA * sn, EXPOSURE_FLOOR)


def _initial(sampler: _Sampler, runs: int) -> _Cases:
    p = sampler.p
    n = runs * p.initial_cases
    run = np.repeat(np.arange(runs, dtype=np.int64), p.initial_cases)
    onset = sampler.weibull(INCUBATION, n)
    asym = sampler.rng.random(n) < p.subclinical
    iso = np.where(asym, np.inf, onset + sampler.delay(run))
    return _Cases(run, np.zeros(n), onset, iso, asym, initial=True)


def isolation_times(*, onset: np.ndarray, missed_delay: np.ndarray, traced_delay: np.ndarray,
                    missed: np.ndarray, asym: np.ndarray, infector_iso: np.ndarray,
                    quarantine: bool, test_delay: float, trace_delay: float) -> np.ndarray:
    """When each new case stops transmitting. The delays already hold the test delay (v0.1.0
    draws the missed and the traced one separately); a traced contact under monitoring
    isolates at its onset (+ test delay) once traced, or sooner by its own symptoms."""
    traced_at = infector_iso + trace_delay
    if quarantine:
        traced = traced_at
    else:
        traced = np.minimum(onset + traced_delay, np.maximum(onset + test_delay, traced_at))
    return np.where(asym, np.inf, np.where(missed, onset + missed_delay, traced))


def _next_generation(sampler: _Sampler, parents: _Cases) -> tuple[_Cases, np.ndarray]:
    """The infections ``parents`` cause before they isolate; also each new case's parent row."""
    p, rng = sampler.p, sampler.rng
    counts = sampler.offspring(parents.run.size)
    parent = np.repeat(np.arange(parents.run.size), counts)
    exposure = sampler.exposure(parents.onset[parent])
    kept = exposure < parents.iso[parent]
    parent, exposure = parent[kept], exposure[kept]
    n, run = parent.size, parents.run[parent]
    onset = exposure + sampler.weibull(INCUBATION, n)
    asym = rng.random(n) < p.subclinical
    missed = (rng.random(n) >= p.traced) | parents.asym[parent]
    iso = isolation_times(onset=onset, missed_delay=sampler.delay(run),
                          traced_delay=sampler.delay(run), missed=missed, asym=asym,
                          infector_iso=parents.iso[parent], quarantine=p.quarantine,
                          test_delay=p.test_delay, trace_delay=p.trace_delay)
    return _Cases(run, exposure, onset, iso, asym, initial=False), parent


@dataclass
class _Tally:
    """Per-run totals kept while the batch advances."""

    weekly: np.ndarray
    total: np.ndarray
    latest: np.ndarray
    offspring: np.ndarray
    parents: np.ndarray
    ratio_sum: np.ndarray  # v0.1.0's effective R: Σ over generations of new / parents
    generations: np.ndarray

    @classmethod
    def empty(cls, runs: int, weeks: int) -> _Tally:
        zeros = np.zeros(runs, dtype=np.int64)
        return cls(np.zeros((runs, weeks), dtype=np.int64), zeros.copy(), np.full(runs, -np.inf),
                   zeros.copy(), zeros.copy(), np.zeros(runs), zeros.copy())

    def add(self, cases: _Cases) -> None:
        runs, weeks = self.weekly.shape
        self.total += np.bincount(cases.run, minlength=runs)
        np.maximum.at(self.latest, cases.run, cases.onset)
        week = np.floor(cases.onset / 7.0).astype(np.int64)
        inside = week < weeks
        flat = cases.run[inside] * weeks + week[inside]
        self.weekly += np.bincount(flat, minlength=runs * weeks).reshape(runs, weeks)

    def step(self, parents: _Cases, children: _Cases) -> None:
        """Count one generation: its size, what it caused, and the ratio v0.1.0 averages."""
        runs = self.total.size
        had = np.bincount(parents.run, minlength=runs)
        caused = np.bincount(children.run, minlength=runs)
        stepped = had > 0
        self.ratio_sum[stepped] += caused[stepped] / had[stepped]
        self.generations += stepped
        if not parents.initial:
            self.parents += had
            self.offspring += caused
        self.add(children)


def simulate_branching(params: BranchingParams, *, runs: int, seed: int,
                       progress: Callable[[int], None] | None = None) -> BranchingResult:
    """``runs`` outbreaks of one scenario, reproducible from ``seed`` (and ``runs``).
    ``progress`` gets the number of runs finished so far whenever it grows."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    sampler = _Sampler(params, np.random.default_rng([seed, 0x4E11E]), runs)
    tally = _Tally.empty(runs, params.weeks)
    cases = _initial(sampler, runs)
    tally.add(cases)
    finished = 0
    while True:
        going = (tally.total < params.cap_cases) & (tally.latest < params.cap_days)
        cases = cases.take(going[cases.run])
        done = runs - int(np.count_nonzero(np.bincount(cases.run, minlength=runs)))
        if progress is not None and done > finished:
            progress(done)
        finished = done
        if cases.run.size == 0:
            break
        children, _ = _next_generation(sampler, cases)
        tally.step(cases, children)
        cases = children
    return _result(params, tally)


def _result(params: BranchingParams, tally: _Tally) -> BranchingResult:
    first, last = CONTROL_WEEKS
    quiet = (tally.weekly[:, first:last + 1] == 0).all(axis=1)
    under_cap = tally.weekly[:, :last + 1].sum(axis=1) < params.cap_cases
    with np.errstate(invalid="ignore", divide="ignore"):
        effective = np.where(tally.parents > 0, tally.offspring / np.maximum(tally.parents, 1),
                             np.nan)
        generation_r = np.where(tally.generations > 0,
                                tally.ratio_sum / np.maximum(tally.generations, 1), np.nan)
    return BranchingResult(weekly_cases=tally.weekly, cumulative=tally.total,
                           controlled=quiet & under_cap, effective_r=effective,
                           offspring=tally.offspring, parents=tally.parents,
                           generation_r=generation_r)
