"""Pooling arithmetic, the queue at a site and the capacity planner, against the Dorfman
table of reference/papers.md §1.1 and cases worked by hand (the arithmetic is in comments)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.testing.logic import (
    GridDemand,
    PlanPolicy,
    best_pool_size,
    break_even_prevalence,
    dorfman_tests_per_person,
    erlang_c,
    mm_c_queue,
    plan_round,
    site_queue,
    split_sites,
    tables_needed,
)

# p, k*, E(k*), E at k=5, E at k=10: papers.md §1.1, k searched over 2..200.
DORFMAN_TABLE = [
    (0.0001, 101, 0.0200, 0.2005, 0.1010),
    (0.0005, 45, 0.0445, 0.2025, 0.1050),
    (0.001, 32, 0.0628, 0.2050, 0.1100),
    (0.002, 23, 0.0885, 0.2100, 0.1198),
    (0.005, 15, 0.1391, 0.2248, 0.1489),
    (0.01, 11, 0.1956, 0.2490, 0.1956),
    (0.02, 8, 0.2742, 0.2961, 0.2829),
    (0.03, 6, 0.3337, 0.3413, 0.3626),
    (0.05, 5, 0.4262, 0.4262, 0.5013),
    (0.07, 4, 0.5019, 0.5043, 0.6160),
    (0.10, 4, 0.5939, 0.6095, 0.7513),
    (0.13, 3, 0.6748, 0.7016, 0.8516),
    (0.15, 3, 0.7192, 0.7563, 0.9031),
    (0.20, 3, 0.8213, 0.8723, 0.9926),
    (0.25, 3, 0.9115, 0.9627, 1.0437),
    (0.30, 3, 0.9903, 1.0319, 1.0718),
]


@pytest.mark.parametrize(("p", "k", "e", "e5", "e10"), DORFMAN_TABLE)
def test_dorfman_table_of_the_research_notes(p: float, k: int, e: float, e5: float,
                                             e10: float) -> None:
    best = best_pool_size(p, max_pool=200)
    assert best.k == k
    assert best.tests_per_person == pytest.approx(e, abs=5e-5)
    assert best.saving == pytest.approx(1 - e, abs=5e-5)
    assert dorfman_tests_per_person(5, p) == pytest.approx(e5, abs=5e-5)
    assert dorfman_tests_per_person(10, p) == pytest.approx(e10, abs=5e-5)


def test_break_even_prevalence() -> None:
    # At break-even the best pool is 3: 1/3 + 1 − (1−p)³ = 1, so p = 1 − 3^(−1/3) = 0.30664.
    assert break_even_prevalence() == pytest.approx(0.30664, abs=1e-5)
    assert best_pool_size(0.3060).k == 3
    assert best_pool_size(0.3070).k == 1 and best_pool_size(0.3070).tests_per_person == 1.0


def test_imperfect_test() -> None:
    # 0.1 + 0.95·(1 − 0.99¹⁰) + 0.01·0.99¹⁰ = 0.1 + 0.95·0.095618 + 0.009044 = 0.1999
    assert dorfman_tests_per_person(10, 0.01, sensitivity=0.95,
                                    specificity=0.99) == pytest.approx(0.1999, abs=1e-4)
    best = best_pool_size(0.01, sensitivity=0.95, specificity=0.99)
    assert best.sensitivity == pytest.approx(0.9025)
    assert best_pool_size(0.5, sensitivity=0.95, max_pool=1).sensitivity == 0.95  # one tube
    # The criterion counts tests only: with Se < 1 a missed pool skips its retests, so at 50 %
    # a pool of 200 "costs" 1/200 + 0.95 = 0.955 < 1 (documented in docs/screening.md).
    assert best_pool_size(0.5, sensitivity=0.95).k == 200


def test_max_pool_caps_the_search() -> None:
    # At 0.1 % the unbounded best is 32; capped at 20: 1/20 + 1 − 0.999²⁰ = 0.05 + 0.01981.
    best = best_pool_size(0.001, max_pool=20)
    assert best.k == 20 and best.tests_per_person == pytest.approx(0.0698, abs=1e-4)
    assert best_pool_size(0.01, max_pool=1).k == 1


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5])
def test_prevalence_outside_the_open_interval_is_refused(p: float) -> None:
    with pytest.raises(ValueError, match="prevalence"):
        best_pool_size(p)


def test_single_tube_is_one_test_and_bad_pool_is_refused() -> None:
    assert dorfman_tests_per_person(1, 0.2) == 1.0
    with pytest.raises(ValueError, match="pool size"):
        dorfman_tests_per_person(0, 0.2)


# ---------------------------------------------------------------- queue


def test_mm1_by_hand() -> None:
    # λ = 60/h, μ = 120/h: ρ = 0.5, Wq = ρ/(μ − λ) = 0.5/60 h = 0.5 min, Lq = ρ²/(1 − ρ) = 0.5.
    q = mm_c_queue(arrivals_per_hour=60, service_per_hour=120, servers=1)
    assert q.wait_minutes == pytest.approx(0.5) and q.length == pytest.approx(0.5)
    assert q.utilisation == pytest.approx(0.5)


def test_mm2_by_hand() -> None:
    # c = 2, a = 1: C = (a²/2!·c/(c − a)) / (1 + a + a²/2!·c/(c − a)) = 1/(1 + 1 + 1) = 1/3;
    # Wq = C/(cμ − λ) = (1/3)/(240 − 120) h = 10 s; Lq = λ·Wq = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    q = mm_c_queue(arrivals_per_hour=120, service_per_hour=120, servers=2)
    assert q.wait_minutes == pytest.approx(1 / 6) and q.length == pytest.approx(1 / 3)


def test_overloaded_site_waits_for_ever() -> None:
    q = mm_c_queue(arrivals_per_hour=240, service_per_hour=120, servers=2)
    assert math.isinf(q.wait_minutes) and q.utilisation == 1.0
    assert erlang_c(2, 3.0) == 1.0 and erlang_c(3, 0.0) == 0.0


@given(people=st.integers(1, 20_000), tables=st.integers(1, 60))
def test_wait_does_not_grow_with_tables(people: int, tables: int) -> None:
    policy = PlanPolicy()
    assert site_queue(people, tables + 1, policy).wait_minutes <= site_queue(
        people, tables, policy).wait_minutes


@given(people=st.integers(1, 20_000), tables=st.integers(1, 60))
def test_wait_does_not_shrink_with_people(people: int, tables: int) -> None:
    policy = PlanPolicy()
    assert site_queue(people + 50, tables, policy).wait_minutes >= site_queue(
        people, tables, policy).wait_minutes


@given(servers=st.integers(1, 300), offered=st.floats(0, 400))
def test_erlang_c_is_a_probability(servers: int, offered: float) -> None:
    assert 0.0 <= erlang_c(servers, offered) <= 1.0


@given(people=st.integers(1, 30_000), minutes=st.floats(0.05, 60))
def test_tables_needed_is_the_fewest_that_meet_both_rules(people: int, minutes: float) -> None:
    policy = PlanPolicy(max_queue_minutes=minutes)
    tables = tables_needed(people, policy)
    assert tables >= people / policy.people_per_table
    assert site_queue(people, tables, policy).wait_minutes <= minutes
    fewer = tables - 1
    assert fewer < people / policy.people_per_table or fewer == 0 or site_queue(
        people, fewer, policy).wait_minutes > minutes


@given(population=st.integers(0, 100_000))
def test_split_sites_shares_everyone_within_the_site_size(population: int) -> None:
    policy = PlanPolicy()
    parts = split_sites(population, policy)
    assert sum(parts) == population
    assert all(0 < n <= policy.people_per_site for n in parts)
    assert not parts or max(parts) - min(parts) <= 1


@given(p=st.floats(1e-4, 0.3), k=st.integers(2, 60))
def test_best_pool_is_no_worse_than_any_other(p: float, k: int) -> None:
    assert best_pool_size(p, max_pool=60).tests_per_person <= dorfman_tests_per_person(k, p)


# ---------------------------------------------------------------- planner, worked by hand


def test_one_site_of_2500_people() -> None:
    """Defaults: 2,500 people ≤ one site; tables ≥ ⌈2500/700⌉ = 4.
    λ = 2500/6 h = 416.67/h, μ = 3600/30 = 120/h, a = λ/μ = 3.4722, ρ = a/4 = 0.868.
    Erlang B recurrence B(n) = a·B(n−1)/(n + a·B(n−1)): B1 = 0.77640, B2 = 0.57409,
    B3 = 0.39920, B4 = 0.25735; C = 4·B4/(4 − a·(1 − B4)) = 1.02940/1.42134 = 0.72425;
    Wq = C/(4μ − λ) = 0.72425/63.333 h = 0.686 min ≤ 20, so 4 tables; Lq = λ·Wq = 4.765.
    One shift (6 h ≤ 6 h): 4 samplers, 4 registrars, reserve ⌈0.2·4⌉ = 1 of each, 1 table.
    Tubes ⌈2500/10⌉ = 250, reserve 50. Pickups every 60 min over 6 h: 6 runs, 41.7 tubes a
    run, one box each: 6 boxes. Vehicles ⌈6 runs · 1.5 h / 6 h⌉ = 2.
    Lab: tubes arrive from 1 h + 0.75 h = 1.75 h; results by 24 h need runs started by
    20 h: 250/(20 − 1.75) = 13.70 tubes/h. With 500 an hour the lab keeps up: the last tubes
    arrive at 6.75 h, results at 10.75 h. Positive pools at 0.1 %: 250·(1 − 0.999¹⁰) =
    250·0.009955 = 2.489; retests ×10 = 24.89, so 25 single tubes. Practice: ⌈2500/360⌉ = 7.
    """
    grid = GridDemand(grid_id=1, population=2500, lat=34.2, lon=108.9, pool_size=10)
    plan = plan_round([grid], PlanPolicy(), target_hours=24, lab_capacity=500)
    (site,) = plan.sites
    assert (site.people, site.tables, site.tubes, site.boxes, site.courier_runs) == (
        2500, 4, 250, 6, 6)
    assert site.wait_minutes == pytest.approx(0.686, abs=1e-3)
    assert site.queue_length == pytest.approx(4.765, abs=1e-3)
    assert site.utilisation == pytest.approx(0.868, abs=1e-3)
    assert (plan.tables, plan.reserve_tables, plan.shifts, plan.samplers, plan.registrars,
            plan.reserve_samplers, plan.reserve_registrars) == (4, 1, 1, 4, 4, 1, 1)
    assert (plan.tubes, plan.reserve_tubes, plan.retest_tubes, plan.boxes, plan.courier_runs,
            plan.couriers, plan.practice_samplers) == (250, 50, 25, 6, 6, 2, 7)
    assert plan.lab_tubes_per_hour == pytest.approx(13.70, abs=0.01)
    assert plan.results_by_hours == pytest.approx(10.75)
    assert plan.expected_positive_pools == pytest.approx(2.489, abs=1e-3)
    assert plan.expected_retests == pytest.approx(24.89, abs=1e-2)
    assert plan.warnings == ()


def test_large_grid_twelve_hour_window_and_a_slow_lab() -> None:
    """6,000 people, pools of 20, a 12 h window (hard terrain), 10 tubes/h of lab.
    Sites ⌈6000/2500⌉ = 3 of 2,000; tables ⌈2000/700⌉ = 3 (λ = 166.7/h, ρ = 0.46, short wait).
    Shifts ⌈12/6⌉ = 2: samplers 9·2 = 18 (reserve ⌈3.6⌉ = 4), reserve tables ⌈1.8⌉ = 2.
    Tubes 2000/20 = 100 a site, 300 in all; 12 runs a site, 36 runs, 36 boxes; vehicles
    ⌈36·1.5/12⌉ = 5. Lab need: 300/(24 − 4 − 1.75) = 16.44/h > 10, so a warning; at 10/h
    the last run starts at 1.75 + 300/10 = 31.75 h, results at 35.75 h.
    Positive pools 300·(1 − 0.999²⁰) = 300·0.019811 = 5.943; retests 118.9 → 119 tubes.
    """
    grid = GridDemand(grid_id=7, population=6000, lat=34.2, lon=108.9, pool_size=20)
    plan = plan_round([grid], PlanPolicy(sampling_hours=12), target_hours=24,
                      lab_capacity=10)
    assert [s.people for s in plan.sites] == [2000, 2000, 2000]
    assert [s.tables for s in plan.sites] == [3, 3, 3]
    assert (plan.shifts, plan.samplers, plan.reserve_samplers, plan.reserve_tables) == (
        2, 18, 4, 2)
    assert (plan.tubes, plan.courier_runs, plan.boxes, plan.couriers) == (300, 36, 36, 5)
    assert plan.lab_tubes_per_hour == pytest.approx(16.438, abs=1e-3)
    assert plan.results_by_hours == pytest.approx(35.75)
    assert plan.expected_positive_pools == pytest.approx(5.943, abs=1e-3)
    assert plan.retest_tubes == 119
    (short,) = plan.warnings
    assert short.code == "lab_short" and short.as_dict() == {
        "capacity": 10, "need": 17, "results_by": 35.8}


def test_queue_limit_adds_tables_beyond_the_per_table_rule() -> None:
    """800 people on one table: λ = 133.3/h > μ = 120/h, the queue never clears, so 2 tables
    although 800 ≤ people_per_table. With a 0.5 min limit, the 2,500-person site above
    (0.686 min at 4 tables) gets a fifth table (0.121 min)."""
    assert tables_needed(800, PlanPolicy(people_per_table=800)) == 2
    assert tables_needed(2500, PlanPolicy(max_queue_minutes=0.5)) == 5
    assert tables_needed(0, PlanPolicy()) == 0


def test_unreachable_target_and_other_warnings() -> None:
    """Target 10 h: sampling 6 + transport 0.75 + lab 4 = 10.75 h at the earliest. The lab
    then only has to keep up with arrivals: 100 tubes over 6.75 − 1.75 = 5 h = 20/h."""
    grids = [GridDemand(grid_id=1, population=1000, lat=None, lon=None, pool_size=10),
             GridDemand(grid_id=2, population=0, lat=1.0, lon=1.0, pool_size=30)]
    plan = plan_round(grids, PlanPolicy(), target_hours=10, lab_capacity=0)
    codes = {n.code: n.as_dict() for n in plan.warnings}
    assert codes["target_unreachable"] == {"target": 10, "fastest": 10.75}
    assert "no_lab" in codes and codes["no_position"] == {"grids": 1}
    assert codes["pool_unvalidated"] == {"pool_size": 30}
    assert plan.lab_tubes_per_hour == pytest.approx(20.0)
    assert math.isinf(plan.results_by_hours)
    assert [s.grid_id for s in plan.sites] == [1]  # nobody in grid 2: no site


def test_empty_round_says_so() -> None:
    plan = plan_round([], PlanPolicy(), target_hours=24)
    assert plan.sites == () and plan.tubes == 0 and plan.lab_tubes_per_hour == 0
    assert [n.code for n in plan.warnings] == ["nobody"]


def test_single_tube_areas_expect_no_positive_pools() -> None:
    grid = GridDemand(grid_id=1, population=700, lat=1.0, lon=1.0, pool_size=1)
    plan = plan_round([grid], PlanPolicy(), target_hours=24, prevalence=0.05)
    assert plan.tubes == 700 and plan.expected_positive_pools == 0 and plan.retest_tubes == 0
    # 700 tubes over 6 runs: 4 runs of 117 and 2 of 116, two boxes each.
    assert plan.boxes == 12 and plan.courier_runs == 6


def test_no_courier_run_for_an_empty_box() -> None:
    """8 people in pools of 10: 1 tube, so 1 run and 1 box, not 6 runs."""
    grid = GridDemand(grid_id=1, population=8, lat=1.0, lon=1.0, pool_size=10)
    (site,) = plan_round([grid], PlanPolicy(), target_hours=24).sites
    assert (site.tubes, site.courier_runs, site.boxes) == (1, 1, 1)
