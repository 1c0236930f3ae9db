"""The agent model: bookkeeping, reproducibility and each intervention's mechanics on
populations small enough to reason about (directional results: test_agents_scenarios.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fangkong.simulation.agents import AgentParams, run_agents, run_many
from fangkong.simulation.agents_engine import Engine
from fangkong.simulation.agents_mixing import Mixing, room_chance, venue_day
from fangkong.simulation.population import Population, population_from_synth, routine_csr


@pytest.fixture(scope="module")
def town() -> Population:
    return population_from_synth(residents=4000, seed=21)


def hall(*, grids: list[int], visits: list[bool]) -> Population:
    """Agents each alone in a household, in the given grids (also their community and
    street); those with ``visits`` go to venue 0 every day."""
    n = len(grids)
    who = np.flatnonzero(visits)
    days = [(who, np.zeros(len(who), dtype=np.int64))] * 7
    ptr, venue = routine_csr(n=n, days=days)
    grid = np.array(grids, dtype=np.int32)
    return Population(age=np.full(n, 40, np.int16), household=np.arange(n, dtype=np.int32),
                      grid=grid, community=grid, street=grid, visit_ptr=ptr,
                      visit_venue=venue, venue_count=1)


def infectious_engine(pop: Population, params: AgentParams, *, seed: int = 0) -> Engine:
    """An engine whose agent 0 is infectious from day 0 (highly), everybody else susceptible."""
    engine = Engine(pop=pop, mix=Mixing.build(pop), params=params,
                    rng=np.random.default_rng(seed))
    zero = np.array([0])
    engine.course.infect(rng=engine.rng, idx=zero, day=-1, age=pop.age,
                         generation=np.zeros(1, np.int16))
    engine.course.start[0], engine.course.onset[0] = 0, 2
    engine.course.mult[0] = 50.0
    engine.live = zero.astype(np.int64)
    engine.total = 1
    return engine


@pytest.mark.parametrize(("field", "value"), [
    ("days", 0), ("trace_coverage", 1.5), ("screening_coverage", -0.1), ("pool_size", 0),
    ("quarantine_days", 0), ("seal", "city"), ("test_delay", -1.0), ("beta_venue", math.nan),
    ("trace_delay", math.inf), ("initial_infected", 2.5)])
def test_bad_parameters_name_the_field(town: Population, field: str, value: object) -> None:
    params = AgentParams(**{field: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=field):
        run_agents(town, params, seed=1)


def test_same_seed_same_run_other_seed_other_run(town: Population) -> None:
    params = AgentParams(days=40, trace_coverage=0.5, screening_interval=7, seal="grid")
    a, b = run_agents(town, params, seed=3), run_agents(town, params, seed=3)
    c = run_agents(town, params, seed=4)
    for name in ("new_infections", "detected", "in_quarantine", "sealed_agents", "tests"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.new_infections, c.new_infections)


def test_every_agent_is_in_one_state_every_day(town: Population) -> None:
    run = run_agents(town, AgentParams(days=60, test_delay=2.0, trace_coverage=0.4),
                     seed=5)
    total = run.susceptible + run.exposed + run.infectious + run.recovered
    assert (total == town.size).all()
    assert (run.susceptible >= 0).all() and np.all(np.diff(run.susceptible) <= 0)
    ever = town.size - run.susceptible[-1]
    assert ever == 20 + run.new_infections.sum()
    assert run.attack_rate == pytest.approx(ever / town.size)
    assert run.peak_day == int(np.argmax(run.new_infections))
    assert all(len(getattr(run, k)) == 60 for k in ("detected", "tests", "in_quarantine"))


def test_workers_do_not_change_the_runs(town: Population) -> None:
    params = AgentParams(days=30, trace_coverage=0.6, screening_interval=5)
    seen: list[int] = []
    one = run_many(town, params, runs=3, seed=8)
    two = run_many(town, params, runs=3, seed=8, workers=2, progress=seen.append)
    assert seen == [1, 2, 3]
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a.new_infections, b.new_infections)
        assert np.array_equal(a.tests, b.tests)
    assert np.array_equal(one[1].new_infections,
                          run_agents(town, params, seed=(8, 1)).new_infections)


def test_venue_pressure_equals_a_brute_force_count(town: Population) -> None:
    """One day's per-room infection chance, vectorised, against plain loops over visits:
    closed agents add no pressure and are nobody's target, but their visits stay in the
    room's denominator (fixed contact weights, as Covasim's edges)."""
    mix = Mixing.build(town)
    rng = np.random.default_rng(2)
    weekday, beta = 3, 0.4
    src = np.sort(rng.choice(town.size, 300, replace=False))
    weight = rng.gamma(0.5, 2.0, len(src))
    closed = rng.random(town.size) < 0.1
    src_open = src[~closed[src]]
    w_open = weight[~closed[src]]
    day = venue_day(pop=town, mix=mix, weekday=weekday, src=src_open, keep=~closed)
    by_agent = dict(zip(src_open.tolist(), w_open.tolist(), strict=True))
    rooms = len(mix.room_base[weekday])
    visitors = np.zeros(rooms, dtype=np.int64)
    pressure = [0.0] * rooms
    for agent in range(town.size):
        for pos in range(town.visit_ptr[weekday, agent], town.visit_ptr[weekday, agent + 1]):
            room = int(mix.room_of_visit[pos])
            visitors[room] += 1
            if not closed[agent]:
                pressure[room] += by_agent.get(agent, 0.0)
    expected = [1 - math.exp(-beta * p / v) if v else 0.0
                for p, v in zip(pressure, visitors.tolist(), strict=True)]
    assert np.array_equal(mix.room_base[weekday], visitors)
    weights = np.array([by_agent[a] for a in day.source_agent.tolist()])
    got = room_chance(day=day, weight=weights, visitors=mix.room_base[weekday], beta=beta)
    assert np.allclose(got, expected)
    assert not np.isin(day.visitor_agent, np.flatnonzero(closed)).any()


def test_rooms_split_a_venues_visitors_and_keep_them_together(town: Population) -> None:
    mix = Mixing.build(town)
    for d in range(7):
        base = mix.room_base[d]
        assert base.max() <= 40 and base.sum() == town.visits_on(d)
        lo, hi = town.visit_ptr[d, 0], town.visit_ptr[d, -1]
        room_venue = np.zeros(len(base), dtype=np.int64) - 1
        room_venue[mix.room_of_visit[lo:hi]] = town.visit_venue[lo:hi]
        assert (room_venue[mix.room_of_visit[lo:hi]] == town.visit_venue[lo:hi]).all()


def test_isolated_and_quarantined_agents_infect_nobody_at_venues() -> None:
    pop = hall(grids=[0] * 60, visits=[True] * 60)
    params = AgentParams(days=5, beta_venue=5.0, beta_household=0.0, test_delay=math.inf)
    free = infectious_engine(pop, params)
    for day in range(3):
        free.transmit(day)
    assert free.total == 30  # its whole room: 60 visitors make two rooms of 30
    for lock in ("quarantine", "isolation"):
        engine = infectious_engine(pop, params)
        if lock == "quarantine":
            engine.ctl.q_from[0], engine.ctl.q_until[0] = 0, 100
        else:
            engine.ctl.detected[0] = 0
        for day in range(3):
            assert len(engine.transmit(day)) == 0
        assert engine.total == 1


def test_sealing_stops_venue_contacts_in_the_sealed_area() -> None:
    """Grid 0 (the infectious agent and 29 others) and grid 1 (30 others) share a venue."""
    pop = hall(grids=[0] * 30 + [1] * 30, visits=[True] * 60)
    params = AgentParams(days=5, beta_venue=5.0, beta_household=0.0, test_delay=math.inf,
                         seal="grid")
    sealed_source = infectious_engine(pop, params)
    sealed_source.ctl.seal_until[0] = 100
    for day in range(3):
        assert len(sealed_source.transmit(day)) == 0
    other = infectious_engine(pop, AgentParams(
        days=5, beta_venue=5.0, beta_household=0.0, test_delay=math.inf, seal="grid"))
    other.ctl.seal_until[1] = 100
    infected = np.concatenate([other.transmit(day) for day in range(3)])
    assert len(infected) > 10
    assert (pop.grid[infected] == 0).all()  # nobody of the sealed grid


def test_tracing_quarantines_the_room_mates_and_household_of_a_case() -> None:
    """Agent 0 visits the venue with agents 1..29 (one room), agent 30 never goes out."""
    pop = hall(grids=[0] * 31, visits=[True] * 30 + [False])
    params = AgentParams(days=10, beta_venue=0.0, beta_household=0.0, test_delay=0.0,
                         trace_coverage=1.0, trace_delay=1.0, quarantine_days=5)
    engine = infectious_engine(pop, params)
    engine.ctl.schedule(engine.ctl.due_result, 2, np.array([0]))
    for day in range(4):
        engine.found(engine.due_events(day), day)
        engine.transmit(day)
        engine.record(day, np.zeros(0, np.int64))
    assert engine.ctl.detected[0] == 2
    assert engine.series["detected"][2] == 1
    assert (engine.ctl.q_from[1:30] == 3).all() and (engine.ctl.q_until[1:30] == 8).all()
    assert engine.ctl.q_from[30] > 100  # not a contact
    assert engine.series["in_quarantine"][3] == 29
    assert engine.series["tests"][2] == 1 and engine.series["tests"][3] == 29


def test_no_testing_means_nobody_found(town: Population) -> None:
    run = run_agents(town, AgentParams(days=40, test_delay=math.inf), seed=2)
    assert run.detected.sum() == 0 and run.tests.sum() == 0
