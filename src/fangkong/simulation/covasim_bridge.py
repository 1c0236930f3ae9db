"""Covasim 3.1.7 on our synthetic city: the matched scenario of the cross-check.

Covasim is a validation dependency (``uv sync --group validation``), never a runtime one: it
is imported inside :func:`require_covasim` only, so this module imports without it.

The direction is ours → Covasim: Covasim runs on the agent model's own population (its
households and weekly venue routines), so both models see the same people and contacts and
what differs is the implementation — natural history as Covasim draws it, its per-edge
transmission, its testing and tracing. The contact layers (households, the weekday's venue
rooms, the room-mates tracing looks at) are built in ``covasim_network``.

Natural history is matched in its means, not its shapes (:func:`covasim_pars`): the latent
period's mean and SD, 2 presymptomatic days, 9 infectious days, the symptomatic share by age
(the agent model uses Covasim's), asymptomatic infections at 0.5 (presymptomatic days at
full strength: :func:`asymptomatic_scaling`), dispersion 0.16, no age susceptibility and no
severe course; Covasim's two-step viral-load curve is set to the agent model's
infectiousness profile (3 days high, then 0.4 of it on average) and the layer betas carry
the profile's mean, so an infection's expected transmission per contact is the same.
Isolation and centralised quarantine stop all contacts in both (factors 0); a traced
contact is quarantined ``quarantine_days`` from entry in both (Covasim counts its
``quar_period`` from the index case's diagnosis, so the bridge adds the tracing delay).
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import numpy as np

from fangkong.simulation.agents import AgentParams
from fangkong.simulation.agents_history import (
    ASYMPTOMATIC_REL,
    DISPERSION,
    INCUBATION_LOG,
    PRESYMPTOMATIC_DAYS,
    PROFILE,
    SYMPTOMATIC_BY_DECADE,
)
from fangkong.simulation.covasim_network import (
    Edges,
    Network,
    household_edges,
    tracing_window,
    venue_edges,
    week_union,
)

# The layers' builders, re-exported: the cross-check takes the matched scenario from here.
__all__ = ["household_edges", "venue_edges", "week_union"]

COVASIM_VERSION = "3.1.7"
HIGH_DAYS = 3  # days at the profile's peak


class CovasimMissing(RuntimeError):
    """Covasim 3.1.7 is not importable."""


def require_covasim() -> ModuleType:
    """The covasim module, or CovasimMissing saying how to install the pinned version."""
    try:
        cv = importlib.import_module("covasim")
    except ImportError as exc:
        raise CovasimMissing(
            f"covasim {COVASIM_VERSION} is not installed; it is a validation dependency: "
            "uv sync --group validation") from exc
    if cv.__version__ != COVASIM_VERSION:
        raise CovasimMissing(f"covasim {COVASIM_VERSION} is required, found {cv.__version__}")
    return cv


def latent_moments() -> tuple[float, float]:
    """Mean and SD of the agent model's latent period (incubation − presymptomatic days)."""
    inc = np.maximum(1, np.rint(np.random.default_rng(0).lognormal(*INCUBATION_LOG, 200_000)))
    latent = np.maximum(1, inc - PRESYMPTOMATIC_DAYS)
    return float(latent.mean()), float(latent.std())


def _fixed(days: float) -> dict[str, Any]:
    return {"dist": "lognormal_int", "par1": days, "par2": 0.0}


def covasim_pars(params: AgentParams, *, size: int, seed: int) -> dict[str, Any]:
    """Covasim parameters for the agent model's scenario (see the module docstring)."""
    mean_profile = float(PROFILE.mean())
    high = float(PROFILE[:HIGH_DAYS].mean())
    low = float(PROFILE[HIGH_DAYS:].mean())
    latent_mean, latent_sd = latent_moments()
    infectious = len(PROFILE)
    keys = ("h", "v", "t")
    return {
        "pop_size": size, "pop_infected": params.initial_infected, "n_days": params.days - 1,
        "rand_seed": seed, "verbose": 0, "use_waning": False, "pop_type": "hybrid",
        "beta": 1.0,
        "beta_layer": {"h": params.beta_household * mean_profile,
                       "v": params.beta_venue * mean_profile, "t": 0.0},
        "contacts": dict.fromkeys(keys, 0), "dynam_layer": dict.fromkeys(keys, 0),
        "iso_factor": dict.fromkeys(keys, 0.0), "quar_factor": dict.fromkeys(keys, 0.0),
        "quar_period": params.quarantine_days,
        "asymp_factor": 1.0,  # asymptomatic infections scaled by `asymptomatic_scaling`
        "beta_dist": {"dist": "neg_binomial", "par1": 1.0, "par2": DISPERSION, "step": 0.01},
        "viral_dist": {"frac_time": HIGH_DAYS / infectious, "load_ratio": high / low,
                       "high_cap": HIGH_DAYS},
        "dur": {"exp2inf": {"dist": "lognormal_int", "par1": latent_mean, "par2": latent_sd},
                "inf2sym": _fixed(PRESYMPTOMATIC_DAYS), "sym2sev": _fixed(6.6),
                "sev2crit": _fixed(1.5), "asym2rec": _fixed(infectious),
                "mild2rec": _fixed(infectious - PRESYMPTOMATIC_DAYS),
                "sev2rec": _fixed(18.1), "crit2rec": _fixed(18.1), "crit2die": _fixed(10.7)},
    }


def _prognoses(cv: ModuleType) -> dict[str, Any]:
    """Covasim's age bins with the agent model's symptomatic shares, no age susceptibility
    and no severe course (the agent model has none)."""
    prog = cv.get_prognoses()
    decade = np.minimum(prog["age_cutoffs"] // 10, len(SYMPTOMATIC_BY_DECADE) - 1)
    prog["symp_probs"] = SYMPTOMATIC_BY_DECADE[decade].astype(np.float64)
    for key in ("severe_probs", "crit_probs", "death_probs"):
        prog[key] = np.zeros_like(prog[key], dtype=np.float64)
    prog["sus_ORs"] = np.ones_like(prog["sus_ORs"], dtype=np.float64)
    return dict(prog)


@dataclass(frozen=True)
class CovasimRun:
    """The measures the cross-check compares, one value per day where a series."""

    new_infections: np.ndarray
    attack_rate: float  # share ever infected, initial infections included
    peak_day: int
    diagnoses: int
    quarantined: int


def _people(cv: ModuleType, net: Network, pars: dict[str, Any], params: AgentParams) -> Any:
    sex = np.arange(net.size) % 2
    traced = (net.traced(tracing_window(params))[0] if params.trace_coverage > 0
              else Edges.empty())
    layers = {"h": net.household.as_layer(), "v": net.venue_days[0].as_layer(),
              "t": traced.as_layer()}
    return cv.People(pars, uid=np.arange(net.size), age=net.age, sex=sex,
                     contacts={k: dict(v) for k, v in layers.items()})


def asymptomatic_scaling(size: int) -> Any:
    """A Covasim intervention scaling an infection's ``rel_trans`` by ``ASYMPTOMATIC_REL``
    once, the first day after it is drawn asymptomatic (before it becomes infectious).

    Covasim's own ``asymp_factor`` applies to whoever is not symptomatic *today*, so it also
    halves the presymptomatic days of symptomatic infections: their share of transmission
    before onset falls from the agent model's 37 % (Ferretti 2020) to about 23 %, the
    generation interval lengthens and isolation at onset removes more. The agent model halves
    asymptomatic infections only; this does the same in Covasim (its ``asymp_factor`` is 1)."""
    done = np.zeros(size, dtype=bool)

    def scale(sim: Any) -> None:
        people = sim.people
        new = ~done & ~np.isnan(people.date_exposed) & np.isnan(people.date_symptomatic)
        people.rel_trans[new] *= ASYMPTOMATIC_REL
        done[new] = True

    return scale


def _interventions(cv: ModuleType, net: Network, params: AgentParams) -> list[Any]:
    """Today's weekday venue layer and the asymptomatic scaling first; then symptomatic
    testing and tracing, as set."""
    layers = [cv.Layer(label="v", **e.as_layer()) for e in net.venue_days]
    traced = ([cv.Layer(label="t", **e.as_layer()) for e in net.traced(tracing_window(params))]
              if params.trace_coverage > 0 else [])

    def weekday(sim: Any) -> None:
        sim.people.contacts["v"] = layers[sim.t % 7]
        if traced:
            sim.people.contacts["t"] = traced[sim.t % 7]

    out: list[Any] = [weekday, asymptomatic_scaling(net.size)]
    if math.isfinite(params.test_delay):
        out.append(cv.test_prob(symp_prob=1.0, asymp_prob=0.0, symp_quar_prob=1.0,
                                asymp_quar_prob=1.0, quar_policy="both",
                                test_delay=round(params.test_delay)))
    if params.trace_coverage > 0:
        c = params.trace_coverage
        out.append(cv.contact_tracing(trace_probs={"h": c, "v": 0.0, "t": c},
                                      trace_time=round(params.trace_delay),
                                      quar_period=params.quarantine_days
                                      + round(params.trace_delay)))
    return out


def covasim_sim(net: Network, params: AgentParams, *, seed: int) -> Any:
    """An initialised Covasim Sim of the agent model's scenario on `net` (screening and
    sealing, which the cross-check does not use, are refused)."""
    if params.screening_interval or params.seal != "none":
        raise ValueError("the Covasim cross-check covers testing and tracing only")
    cv = require_covasim()
    pars = covasim_pars(params, size=net.size, seed=seed)
    pars["prognoses"] = _prognoses(cv)
    people = _people(cv, net, pars, params)
    sim = cv.Sim(pars=pars, people=people, interventions=_interventions(cv, net, params))
    sim.initialize()
    return sim


def summarise(sim: Any) -> CovasimRun:
    """The cross-check's measures of a Sim that has run."""
    ever = int((~np.isnan(sim.people.date_exposed)).sum())
    new = np.asarray(sim.results["new_infections"].values, dtype=np.int64)
    return CovasimRun(new_infections=new, attack_rate=ever / len(sim.people),
                      peak_day=int(np.argmax(new)),
                      diagnoses=int(sim.results["cum_diagnoses"].values[-1]),
                      quarantined=int(sim.results["cum_quarantined"].values[-1]))


def run_covasim(net: Network, params: AgentParams, *, seed: int) -> CovasimRun:
    """One Covasim run of the agent model's scenario on `net`."""
    sim = covasim_sim(net, params, seed=seed)
    sim.run()
    return summarise(sim)


# The matched scenarios and the bounds asserted, set before each 20-seed comparison (no
# intervention first; isolation and TTQ once the engine's venue denominator and the bridge's
# presymptomatic scaling, quarantine period and tracing window were aligned). The two
# models share people, contacts and mean course, not the shapes of the distributions or
# the per-edge arithmetic, so the final size (mostly R and the network) should agree
# closely and the timing (also the generation-time shape and the seeding) less closely.
# With TTQ the outbreak is controlled: the attack rate is a small, extinction-dominated
# number, bounded as a ratio, and its peak day (the argmax of a few cases) is not compared.


@dataclass(frozen=True)
class Bound:
    """What the cross-check asserts for one scenario (None: not compared)."""

    attack_relative: float | None = None  # |Covasim − ours| / ours, mean attack rate
    attack_ratio: float | None = None  # max(Covasim / ours, ours / Covasim)
    peak_days: float | None = None  # |Covasim − ours| in mean peak day


BOUNDS = {"none": Bound(attack_relative=0.25, peak_days=10),
          "isolation": Bound(attack_relative=0.25, peak_days=10),
          "ttq": Bound(attack_ratio=2.0)}
TTQ_CUT = 0.5  # testing-and-tracing must cut the mean attack rate by at least this in both


def scenarios(*, days: int = 90, initial_infected: int = 20) -> dict[str, AgentParams]:
    """No intervention; isolation of symptomatic cases from a positive result 2 days after
    onset; and that with 30 % of household and venue contacts traced 2 days after the result
    into a 7-day quarantine."""
    none = AgentParams(days=days, initial_infected=initial_infected, test_delay=math.inf)
    return {"none": none, "isolation": replace(none, test_delay=2.0),
            "ttq": replace(none, test_delay=2.0, trace_coverage=0.3, trace_delay=2.0,
                           quarantine_days=7)}


@dataclass(frozen=True)
class Summary:
    """Mean and SD over runs of one model in one scenario."""

    runs: int
    attack_mean: float
    attack_sd: float
    peak_mean: float
    peak_sd: float

    @classmethod
    def of(cls, attack: list[float], peak: list[int]) -> Summary:
        a, p = np.asarray(attack, dtype=float), np.asarray(peak, dtype=float)
        return cls(runs=len(a), attack_mean=float(a.mean()), attack_sd=float(a.std(ddof=1)),
                   peak_mean=float(p.mean()), peak_sd=float(p.std(ddof=1)))


def within_bounds(*, ours: Summary, covasim: Summary, bound: Bound = BOUNDS["none"],
                  z: float = 0.0) -> list[str]:
    """What breaks `bound` (empty when it holds). ``z`` standard errors of the difference of
    the means (of the log ratio for a ratio bound) are allowed on top, for a check on few
    seeds: the bounds are on the models' mean difference, not on one sample's."""
    out = []
    se_attack = math.hypot(ours.attack_sd / math.sqrt(ours.runs),
                           covasim.attack_sd / math.sqrt(covasim.runs))
    said = f"Covasim {covasim.attack_mean:.3f}, ours {ours.attack_mean:.3f}"
    if bound.attack_relative is not None:
        gap = abs(covasim.attack_mean - ours.attack_mean) - z * se_attack
        rel = gap / max(ours.attack_mean, 1e-9)
        if rel > bound.attack_relative:
            out.append(f"attack rate differs by {rel:.0%} (> {bound.attack_relative:.0%}): "
                       f"{said}")
    if bound.attack_ratio is not None:
        c, o = max(covasim.attack_mean, 1e-9), max(ours.attack_mean, 1e-9)
        se_log = math.hypot(ours.attack_sd / o / math.sqrt(ours.runs),
                            covasim.attack_sd / c / math.sqrt(covasim.runs))
        ratio = math.exp(max(abs(math.log(c / o)) - z * se_log, 0.0))
        if ratio > bound.attack_ratio:
            out.append(f"attack rates differ by a factor {ratio:.2f} "
                       f"(> {bound.attack_ratio:g}): {said}")
    if bound.peak_days is not None:
        se_peak = math.hypot(ours.peak_sd / math.sqrt(ours.runs),
                             covasim.peak_sd / math.sqrt(covasim.runs))
        days = abs(covasim.peak_mean - ours.peak_mean) - z * se_peak
        if days > bound.peak_days:
            out.append(f"peak day differs by {days:.1f} days (> {bound.peak_days:g}): "
                       f"Covasim {covasim.peak_mean:.1f}, ours {ours.peak_mean:.1f}")
    return out
