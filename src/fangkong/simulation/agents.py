"""The agent-based model on the synthetic city: households, venues and the weekly check-in
routine of each resident, with testing, tracing, quarantine, pooled screening and sealing.
Pure NumPy, no Django; one day is a handful of vectorised steps (see agents_engine.py).

States: susceptible → exposed → infectious (presymptomatic, then symptomatic, or
asymptomatic throughout) → recovered; the course and its published sources are in
agents_history.py, the interventions in agents_control.py, the mixing in agents_mixing.py.
Day 0 is a Monday; day d follows the routine of weekday d mod 7.

Calibration. ``BETA_HOUSEHOLD`` gives a household secondary attack rate of about 17 % for an
untreated symptomatic case (Madewell 2020: 16.6–18.9 %); ``BETA_VENUE`` then brings the
unmitigated basic reproduction number to about 2.5 on the synthetic city. R is measured from
the infection tree (every infection records its infector): infections of generations 1 and 2
over those of generations 0 and 1, with no testing, tracing, screening or sealing
(``test_delay=inf``): 2.50 over 20 runs × 100 initial infections on the 100 000-resident city
(tests/simulation/test_agents_scenarios.py keeps it in (2, 3) on 20 000 residents).
"""

from __future__ import annotations

import math
import multiprocessing
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from fangkong.simulation.agents_engine import Engine
from fangkong.simulation.agents_mixing import Mixing
from fangkong.simulation.population import Population

BETA_HOUSEHOLD = 0.065
BETA_VENUE = 0.215
SEALS = ("none", "grid", "community", "street")


@dataclass(frozen=True, kw_only=True)
class AgentParams:
    days: int = 90
    initial_infected: int = 20
    beta_household: float = BETA_HOUSEHOLD  # per day and unit of a member's infectiousness
    beta_venue: float = BETA_VENUE  # infections per infectious visit in a susceptible venue
    trace_coverage: float = 0.0  # share of contacts (household + venue co-visitors) found
    trace_delay: float = 1.0  # days from a case's positive result to contacts quarantined
    test_delay: float = 1.0  # days from symptom onset to a positive result; inf = untested
    screening_interval: int = 0  # days between mass screening rounds; 0 = none
    screening_coverage: float = 0.9
    pool_size: int = 10  # pooled sensitivity falls with dilution; positive pools retested
    quarantine_days: int = 7  # by policy version (e.g. 14, 7, 5)
    seal: str = "none"  # "none" | "grid" | "community" | "street"
    seal_days: int = 14

    def check(self) -> None:
        """Raise ValueError naming the first field out of range."""
        whole = {"days": 1, "initial_infected": 1, "screening_interval": 0, "pool_size": 1,
                 "quarantine_days": 1, "seal_days": 1}
        for name, least in whole.items():
            value = getattr(self, name)
            if not isinstance(value, int) or value < least:
                raise ValueError(f"{name} must be a whole number ≥ {least}, got {value!r}")
        for name in ("trace_coverage", "screening_coverage"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)!r}")
        for name in ("beta_household", "beta_venue", "trace_delay", "test_delay"):
            value = getattr(self, name)
            if math.isnan(value) or value < 0:
                raise ValueError(f"{name} must be ≥ 0, got {value!r}")
        if math.isinf(self.trace_delay):
            raise ValueError("trace_delay must be finite")
        if self.seal not in SEALS:
            raise ValueError(f"seal must be one of {', '.join(SEALS)}, got {self.seal!r}")


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class AgentRun:
    """One run; every series has one value per day."""

    new_infections: np.ndarray
    infectious: np.ndarray
    detected: np.ndarray  # new positives found (symptomatic tests, quarantine, screening)
    in_quarantine: np.ndarray  # traced contacts in quarantine and pool members held
    sealed_agents: np.ndarray
    tests: np.ndarray  # tubes used (pools count once)
    attack_rate: float  # share of the population ever infected (initial cases included)
    peak_day: int  # day with the most new infections
    exposed: np.ndarray = field(default_factory=_empty)
    recovered: np.ndarray = field(default_factory=_empty)
    generation_r: np.ndarray = field(default_factory=_empty)  # mean offspring, gen 0..4
    generation_sizes: np.ndarray = field(default_factory=_empty)  # infections, gen 0..5
    population: int = 0

    @property
    def susceptible(self) -> np.ndarray:
        return self.population - self.exposed - self.infectious - self.recovered


def _result(engine: Engine) -> AgentRun:
    s = engine.series
    n = engine.pop.size
    return AgentRun(
        new_infections=s["new_infections"], infectious=s["infectious"],
        detected=s["detected"], in_quarantine=s["in_quarantine"],
        sealed_agents=s["sealed_agents"], tests=s["tests"],
        attack_rate=engine.total / n if n else 0.0,
        peak_day=int(np.argmax(s["new_infections"])), exposed=s["exposed"],
        recovered=s["recovered"], generation_r=engine.generation_r(),
        generation_sizes=engine.generation_sizes(), population=n)


def _run(population: Population, mixing: Mixing, params: AgentParams,
         seed: int | Sequence[int]) -> AgentRun:
    keys = [seed] if isinstance(seed, int) else list(seed)
    engine = Engine(pop=population, mix=mixing, params=params,
                    rng=np.random.default_rng(keys))
    engine.run()
    return _result(engine)


_MIXING: dict[int, tuple[weakref.ref[Population], Mixing]] = {}


def mixing_for(population: Population) -> Mixing:
    """The population's index structures, built once while the population lives."""
    key = id(population)
    held = _MIXING.get(key)
    if held is not None and held[0]() is population:
        return held[1]
    mixing = Mixing.build(population)
    _MIXING[key] = (weakref.ref(population, lambda _ref: _MIXING.pop(key, None)), mixing)
    return mixing


def run_agents(population: Population, params: AgentParams, *,
               seed: int | Sequence[int]) -> AgentRun:
    """One run, reproducible from `seed`."""
    params.check()
    return _run(population, mixing_for(population), params, seed)


_WORKER: dict[str, tuple[Population, Mixing]] = {}


def _start_worker(population: Population) -> None:
    _WORKER["model"] = (population, Mixing.build(population))


def _worker_run(params: AgentParams, seed: int, run: int) -> AgentRun:
    population, mixing = _WORKER["model"]
    return _run(population, mixing, params, (seed, run))


def run_many(population: Population, params: AgentParams, *, runs: int, seed: int,
             workers: int = 1, progress: Callable[[int], None] | None = None
             ) -> list[AgentRun]:
    """`runs` runs; run r uses seed (seed, r), so results do not depend on `workers`.
    With workers > 1 the runs go to that many processes (each builds the index once)."""
    params.check()
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if workers <= 1 or runs == 1:
        mixing = mixing_for(population)
        out = []
        for r in range(runs):
            out.append(_run(population, mixing, params, (seed, r)))
            if progress is not None:
                progress(r + 1)
        return out
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=min(workers, runs), mp_context=context,
                             initializer=_start_worker, initargs=(population,)) as pool:
        futures = [pool.submit(_worker_run, params, seed, r) for r in range(runs)]
        results = []
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            if progress is not None:
                progress(done)
    return results
