"""The agent model's interventions work in the published directions, compared over 20 runs of
the same seeds on a 5 000-resident synthetic city; its R0 is calibrated; pooled screening
loses sensitivity to dilution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fangkong.simulation.agents import AgentParams, run_many
from fangkong.simulation.agents_control import pool_positive
from fangkong.simulation.agents_history import Course, presymptomatic_share
from fangkong.simulation.population import Population, population_from_synth

RUNS = 20
RUNS_PAIRED = 40  # the direction tests compare close means on the same seeds


@pytest.fixture(scope="module")
def town() -> Population:
    return population_from_synth(residents=5000, seed=31)


def mean_attack(town: Population, runs: int = RUNS, **kw: object) -> float:
    params = AgentParams(days=60, initial_infected=10, **kw)  # type: ignore[arg-type]
    return float(np.mean([r.attack_rate for r in run_many(town, params, runs=runs, seed=1)]))


def test_a_longer_test_delay_means_more_infections_never_more_than_no_testing(
        town: Population) -> None:
    """Kretzschmar 2020: results on the day of onset keep the outbreak small; every day of
    delay costs control, and by three days isolation no longer controls it. Finding cases
    late can only help, though: a 3-day delay is no worse than no testing (it was, while
    isolated agents left the rooms' denominators). 40 runs on the same seeds: the paired
    difference none − 3 days is 0.09 ± 0.04, the steps between delays 0.16–0.21 ± 0.04."""
    by_delay = [mean_attack(town, RUNS_PAIRED, test_delay=float(d)) for d in range(4)]
    untested = mean_attack(town, RUNS_PAIRED, test_delay=math.inf)
    assert by_delay == sorted(by_delay) and len(set(by_delay)) == 4
    assert by_delay[3] <= untested
    assert by_delay[3] > 3 * by_delay[0] and by_delay[3] > 0.4


def test_tracing_more_contacts_means_fewer_infections(town: Population) -> None:
    """With a 3-day test delay, tracing 0, 30, 60, 90 % of household and room contacts:
    the attack rate falls with every step (40 paired runs; the smallest step, 60 → 90 %,
    is 0.003 ± 0.001)."""
    by_coverage = [mean_attack(town, RUNS_PAIRED, test_delay=3.0, trace_coverage=c)
                   for c in (0.0, 0.3, 0.6, 0.9)]
    assert by_coverage == sorted(by_coverage, reverse=True) and len(set(by_coverage)) == 4
    assert by_coverage[3] < by_coverage[0] / 5


def test_sealing_the_community_of_each_case_cuts_the_outbreak(town: Population) -> None:
    assert mean_attack(town, test_delay=2.0, seal="community") < mean_attack(
        town, test_delay=2.0) / 3


def test_unmitigated_r0_is_calibrated_near_two_and_a_half() -> None:
    """Mean offspring of the initial infections and of their infectees (pooled over runs),
    with no testing: the calibration target is 2.5 (Hellewell's baseline)."""
    pop = population_from_synth(residents=20_000, seed=3)
    params = AgentParams(days=35, initial_infected=50, test_delay=math.inf)
    sizes = np.sum([r.generation_sizes for r in run_many(pop, params, runs=10, seed=11)],
                   axis=0)
    r0 = (sizes[1] + sizes[2]) / (sizes[0] + sizes[1])
    assert 2.0 < r0 < 3.0


def test_presymptomatic_share_matches_ferretti() -> None:
    assert presymptomatic_share() == pytest.approx(0.37, abs=0.01)


def _prevalent(n: int, prevalence: float, seed: int) -> Course:
    """n agents, `prevalence` of them infected 0–20 days before day 30."""
    rng = np.random.default_rng(seed)
    course = Course.empty(n)
    sick = np.flatnonzero(rng.random(n) < prevalence)
    course.infect(rng=rng, idx=sick, day=30 - rng.integers(0, 21, len(sick)),
                  age=np.full(n, 40, np.int16), generation=np.zeros(len(sick), np.int16))
    return course


def test_pools_of_twenty_find_fewer_positives_than_pools_of_ten() -> None:
    n = 100_000
    found = {1: 0, 10: 0, 20: 0}
    tubes = {}
    for seed in range(4):
        course = _prevalent(n, 0.01, seed)
        order = np.arange(n)
        for k in found:
            members, pools = pool_positive(rng=np.random.default_rng(seed), course=course,
                                           order=order, day=30, pool_size=k)
            loads = course.viral_load(members, 30)
            found[k] += int(np.isfinite(loads).sum())
            tubes[k] = pools
    assert found[1] > found[10] > found[20]
    assert found[20] > 0.8 * found[1]  # a few per cent per doubling, not a collapse
    assert tubes == {1: n, 10: n // 10, 20: n // 20}
