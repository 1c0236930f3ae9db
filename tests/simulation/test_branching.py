"""The branching process: its parameters, its rules as properties, reproducibility and caps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.simulation import branching
from fangkong.simulation.branching import (
    BranchingParams,
    _Cases,
    _next_generation,
    _Sampler,
    isolation_times,
    simulate_branching,
    skew_alpha,
)

FAST = settings(max_examples=40, deadline=None)


def test_the_module_is_pure() -> None:
    source = branching.__file__
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    assert "django" not in text.lower().replace("no django", "")
    assert "scipy" not in text.lower().replace("no scipy", "")


@pytest.mark.parametrize(("field", "value"), [
    ("r0", -0.1), ("dispersion", 0.0), ("initial_cases", 0), ("traced", 1.2),
    ("subclinical", -0.1), ("delay", "medium"), ("presymptomatic", 0.0),
    ("presymptomatic", 1.0), ("test_delay", -1.0), ("trace_delay", math.inf),
    ("cap_cases", 0), ("cap_days", 100), ("delay_sampling", "often"),
])
def test_bad_parameters_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        BranchingParams(**{field: value})  # type: ignore[arg-type]


def test_runs_must_be_positive() -> None:
    with pytest.raises(ValueError, match="runs"):
        simulate_branching(BranchingParams(), runs=0, seed=1)


def test_the_papers_three_skews_map_exactly() -> None:
    assert skew_alpha(0.01) == 30.0
    assert skew_alpha(0.15) == 1.95
    assert skew_alpha(0.30) == 0.7


@FAST
@given(st.floats(min_value=0.02, max_value=0.95))
def test_other_shares_put_that_mass_before_onset(share: float) -> None:
    """P(SN(0, ω, α) < 0) = 1/2 − arctan(α)/π, checked on the sampler's own draws."""
    if any(math.isclose(share, s) for s in (0.15, 0.30)):
        return
    params = BranchingParams(presymptomatic=share)
    sampler = _Sampler(params, np.random.default_rng(7), 1)
    offsets = sampler.exposure(np.full(40_000, 100.0)) - 100.0
    assert abs((offsets < 0).mean() - share) < 0.012


@FAST
@given(onset=st.floats(0, 300), missed_delay=st.floats(0, 30), traced_delay=st.floats(0, 30),
       infector_iso=st.floats(0, 300) | st.just(math.inf), missed=st.booleans(),
       quarantine=st.booleans(), test_delay=st.floats(0, 10), trace_delay=st.floats(0, 10))
def test_isolation_rules(*, onset: float, missed_delay: float, traced_delay: float,
                         infector_iso: float, missed: bool, quarantine: bool,
                         test_delay: float, trace_delay: float) -> None:
    def iso(*, asym: bool = False, test: float = test_delay, trace: float = trace_delay) -> float:
        extra = test - test_delay  # the delays passed in already hold the test delay
        return float(isolation_times(
            onset=np.array([onset]), missed_delay=np.array([missed_delay + test_delay + extra]),
            traced_delay=np.array([traced_delay + test_delay + extra]), missed=np.array([missed]),
            asym=np.array([asym]), infector_iso=np.array([infector_iso]),
            quarantine=quarantine, test_delay=test, trace_delay=trace)[0])

    assert iso(asym=True) == math.inf
    here = iso()
    if missed:
        assert here == pytest.approx(onset + missed_delay + test_delay)
    elif quarantine:
        assert here == infector_iso + trace_delay
    else:  # monitored: never before its own onset (+ test), never later than untraced
        slack = 1e-9  # sums of floats: 0.2 + 0.2 + 2.0 is 2.4000000000000004
        assert onset + test_delay - slack <= here <= onset + traced_delay + test_delay + slack
    assert iso(test=test_delay + 1) >= here - 1e-9
    assert iso(trace=trace_delay + 1) >= here - 1e-9


def _parents(n: int, *, iso: float, asym: bool = False) -> _Cases:
    rng = np.random.default_rng(3)
    onset = rng.uniform(2, 20, n)
    return _Cases(np.zeros(n, dtype=np.int64), np.zeros(n), onset, onset + iso,
                  np.full(n, asym), initial=False)


@pytest.mark.parametrize("presymptomatic", [0.01, 0.15, 0.30])
def test_no_exposure_after_the_infectors_isolation(presymptomatic: float) -> None:
    params = BranchingParams(r0=3.0, presymptomatic=presymptomatic, traced=0.5)
    sampler = _Sampler(params, np.random.default_rng(11), 1)
    parents = _parents(4000, iso=1.5)
    children, parent = _next_generation(sampler, parents)
    assert children.run.size > 100
    assert (children.exposure < parents.iso[parent]).all()
    assert (children.exposure >= branching.EXPOSURE_FLOOR).all()
    assert (children.onset > children.exposure).all()
    assert (children.iso >= children.onset).all()  # no one isolates before symptoms here


def test_a_case_isolated_from_the_start_infects_no_one() -> None:
    sampler = _Sampler(BranchingParams(r0=5.0), np.random.default_rng(2), 1)
    parents = _parents(1000, iso=-100.0)
    children, _ = _next_generation(sampler, parents)
    assert children.run.size == 0


def test_subclinical_cases_never_isolate_and_their_infectees_are_missed() -> None:
    params = BranchingParams(r0=3.0, traced=1.0, quarantine=True, subclinical=0.5)
    sampler = _Sampler(params, np.random.default_rng(5), 1)
    parents = _parents(3000, iso=math.inf, asym=True)
    children, _ = _next_generation(sampler, parents)
    assert children.run.size > 100
    assert np.isinf(children.iso[children.asym]).all()
    # traced under quarantine would inherit the infector's infinite isolation: they are missed
    assert np.isfinite(children.iso[~children.asym]).all()
    assert (children.iso[~children.asym] > children.onset[~children.asym]).all()


def test_same_seed_same_result_other_seed_other_result() -> None:
    params = BranchingParams(r0=2.5, traced=0.6)
    one = simulate_branching(params, runs=60, seed=42)
    two = simulate_branching(params, runs=60, seed=42)
    other = simulate_branching(params, runs=60, seed=43)
    for field in ("weekly_cases", "cumulative", "controlled"):
        assert np.array_equal(getattr(one, field), getattr(two, field))
    assert np.array_equal(one.effective_r, two.effective_r, equal_nan=True)
    assert not np.array_equal(one.weekly_cases, other.weekly_cases)


@pytest.mark.parametrize("sampling", ["paper", "per_case"])
def test_shapes_caps_and_the_control_rule(sampling: str) -> None:
    params = BranchingParams(r0=3.5, traced=0.2, cap_cases=300, delay_sampling=sampling)
    result = simulate_branching(params, runs=80, seed=9)
    assert result.weekly_cases.shape == (80, 365 // 7 + 1)
    assert (result.weekly_cases.sum(axis=1) <= result.cumulative).all()
    assert (result.cumulative >= params.initial_cases).all()
    capped = result.cumulative >= params.cap_cases
    assert capped.any()  # R0 3.5 with little tracing: most runs reach the cap
    # a capped run stopped: it reached the cap within one generation's overshoot
    assert (result.cumulative[capped] < 50 * params.cap_cases).all()
    through_16 = result.weekly_cases[:, :17].sum(axis=1)
    quiet = (result.weekly_cases[:, 12:17] == 0).all(axis=1)
    assert np.array_equal(result.controlled, quiet & (through_16 < params.cap_cases))
    assert result.controlled_share() == pytest.approx(result.controlled.mean())


def test_no_transmission_means_initial_cases_only() -> None:
    result = simulate_branching(BranchingParams(r0=0.0, initial_cases=7), runs=30, seed=1)
    assert (result.cumulative == 7).all()
    assert result.controlled.all()
    assert np.isnan(result.effective_r).all()  # no non-initial case ever existed
    assert math.isnan(result.pooled_r())
    assert result.generation_r is not None and (result.generation_r == 0).all()


def test_progress_counts_finished_runs_up_to_all() -> None:
    seen: list[int] = []
    simulate_branching(BranchingParams(r0=1.5), runs=50, seed=4, progress=seen.append)
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert seen[-1] == 50


def test_full_tracing_never_worse_than_none_on_average() -> None:
    """Not guaranteed run by run, but over 200 runs of R0 = 1.5 by a wide margin."""
    none = simulate_branching(BranchingParams(r0=1.5, traced=0.0), runs=200, seed=8)
    full = simulate_branching(BranchingParams(r0=1.5, traced=1.0), runs=200, seed=8)
    assert full.controlled_share() > none.controlled_share() + 0.3
    assert full.pooled_r() < none.pooled_r()
