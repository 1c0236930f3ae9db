"""Room assignment rules: grouping (carers, households) and the exact maximum plan, checked
against a brute force on small instances."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.quarantine.logic_rooms import (
    REASON_NO_ACCESSIBLE,
    REASON_RAN_OUT,
    REASON_TOO_LARGE,
    Arrival,
    Group,
    Plan,
    RoomSlot,
    assign,
    fits,
    group_arrivals,
    min_cost_max_flow,
)


def _kinds(groups: list[Group]) -> list[tuple[str, tuple[int, ...]]]:
    return sorted((g.kind, g.keys) for g in groups)


def test_a_child_stays_with_one_carer_and_households_never_mix() -> None:
    groups = group_arrivals([
        Arrival(1, 10, 40), Arrival(2, 10, 8), Arrival(3, 10, 38), Arrival(4, 10, 3),
        Arrival(5, 11, 30), Arrival(6, 11, 6)])
    assert _kinds(groups) == [("child_carer", (1, 2)), ("child_carer", (3, 4)),
                              ("child_carer", (5, 6))]


def test_care_needing_elder_gets_one_carer_and_the_rest_are_single() -> None:
    groups = group_arrivals([Arrival(1, 7, 85, needs_care=True), Arrival(2, 7, 55),
                             Arrival(3, 7, 52), Arrival(4, 7, 16)])
    assert _kinds(groups) == [("care_carer", (1, 2)), ("single", (3,)), ("single", (4,))]


def test_people_without_household_are_each_alone_and_children_without_adult_together() -> None:
    groups = group_arrivals([Arrival(1, None, 30), Arrival(2, None, 31), Arrival(3, 9, 7),
                             Arrival(4, 9, 10)])
    assert _kinds(groups) == [("children", (3, 4)), ("single", (1,)), ("single", (2,))]


def test_a_teenager_is_not_a_carer_and_an_unknown_age_is_an_adult() -> None:
    groups = group_arrivals([Arrival(1, 3, 15), Arrival(2, 3, 4), Arrival(3, 4, None),
                             Arrival(4, 4, 2)])
    assert ("children", (2,)) in _kinds(groups)
    assert ("child_carer", (3, 4)) in _kinds(groups)


def test_smallest_rooms_and_active_facilities_are_preferred() -> None:
    groups = group_arrivals([Arrival(1, None, 30), Arrival(2, 5, 40), Arrival(3, 5, 4)])
    rooms = [RoomSlot(10, 1, 3, True), RoomSlot(11, 1, 2), RoomSlot(12, 2, 1, active=False),
             RoomSlot(13, 1, 1)]
    plan = assign(groups, rooms)
    by_keys = {p.group.keys: p.room.key for p in plan.placements}
    assert by_keys == {(1,): 13, (2, 3): 11}
    assert not plan.unplaced


def test_a_household_stays_in_one_facility_near_home() -> None:
    people = [Arrival(k, 8, 40, home_district=2) for k in range(1, 4)]
    rooms = [RoomSlot(k, 1 if k < 5 else 2, 1, district=1 if k < 5 else 2) for k in range(1, 9)]
    plan = assign(group_arrivals(people), rooms)
    assert {p.room.facility for p in plan.placements} == {2}


def test_unplaced_reasons() -> None:
    groups = group_arrivals([Arrival(1, 1, 40), Arrival(2, 1, 5), Arrival(3, 2, 80, True, True),
                             Arrival(4, None, 30), Arrival(5, None, 31)])
    plan = assign(groups, [RoomSlot(1, 1, 1)])
    reasons = {u.group.keys: u.reason for u in plan.unplaced}
    assert reasons[(1, 2)] == REASON_TOO_LARGE
    assert reasons[(3,)] == REASON_NO_ACCESSIBLE
    assert sorted(k for k, r in reasons.items() if r == REASON_RAN_OUT) in ([(4,)], [(5,)])


def test_min_cost_max_flow_small_network() -> None:
    # two paths to the sink; the cheaper is filled first, the flow is maximum
    edges = [(0, 1, 2, 0), (0, 2, 2, 0), (1, 3, 1, 5), (2, 3, 3, 1), (1, 2, 1, 0)]
    flows = min_cost_max_flow(4, edges, 0, 3)
    assert flows[2] + flows[3] == 4
    assert flows[3] == 3


# ---- property tests against a brute force ----

arrivals = st.lists(st.builds(
    Arrival, key=st.integers(0, 10_000), household=st.one_of(st.none(), st.integers(1, 3)),
    age=st.one_of(st.none(), st.integers(0, 95)), needs_care=st.booleans(),
    needs_accessible=st.booleans(), home_district=st.integers(1, 2)),
    max_size=9, unique_by=lambda a: a.key)
room_slots = st.lists(st.builds(
    RoomSlot, key=st.integers(0, 10_000), facility=st.integers(1, 3),
    capacity=st.integers(1, 4), accessible=st.booleans(), active=st.booleans(),
    district=st.integers(1, 2)), max_size=6, unique_by=lambda r: r.key)


def _score(pairs: list[tuple[Group, RoomSlot]]) -> tuple[int, int, int, int, int]:
    """What a plan is ranked by, best highest: count, vulnerable placed, then the wastes."""
    return (len(pairs), sum(g.vulnerable for g, _ in pairs),
            -sum(r.capacity - g.size for g, r in pairs),
            -sum(r.accessible and not g.needs_accessible for g, r in pairs),
            -sum(not r.active for _, r in pairs))


def _brute_best(groups: list[Group], rooms: list[RoomSlot]) -> tuple[int, int, int, int, int]:
    best = _score([])

    def walk(i: int, used: frozenset[int], pairs: list[tuple[Group, RoomSlot]]) -> None:
        nonlocal best
        if i == len(groups):
            best = max(best, _score(pairs))
            return
        walk(i + 1, used, pairs)
        for r in rooms:
            if r.key not in used and fits(groups[i], r):
                walk(i + 1, used | {r.key}, [*pairs, (groups[i], r)])

    walk(0, frozenset(), [])
    return best


def _check_constraints(plan: Plan, groups: list[Group], rooms: list[RoomSlot]) -> None:
    used = Counter(p.room.key for p in plan.placements)
    assert all(n == 1 for n in used.values())
    assert all(fits(p.group, p.room) for p in plan.placements)
    assert {p.room.key for p in plan.placements} <= {r.key for r in rooms}
    assert sorted(g.keys for g in groups) == sorted(
        [p.group.keys for p in plan.placements] + [u.group.keys for u in plan.unplaced])


@settings(max_examples=300, deadline=None)
@given(arrivals, room_slots)
def test_plan_is_maximum_and_best_ranked(people: list[Arrival], rooms: list[RoomSlot]) -> None:
    groups = group_arrivals(people)
    plan = assign(groups, rooms)
    _check_constraints(plan, groups, rooms)
    assert _score([(p.group, p.room) for p in plan.placements]) == _brute_best(groups, rooms)


@settings(max_examples=300, deadline=None)
@given(arrivals)
def test_groups_keep_households_apart_and_children_with_a_carer(people: list[Arrival]) -> None:
    groups = group_arrivals(people)
    assert sorted(k for g in groups for k in g.keys) == sorted(a.key for a in people)
    for g in groups:
        assert len({a.household for a in g.members}) == 1
        assert g.household is not None or g.size == 1
        adults = [a for a in g.members if (a.age is None or a.age >= 18) and not a.needs_care]
        children = [a for a in g.members if a.age is not None and a.age < 14]
        if g.size > 1 and g.kind != "children":
            assert len(adults) >= 1
        if children and g.kind != "children":
            assert len(adults) == 1
        if g.kind == "children" and g.household is not None:  # the household has no carer
            assert not any((a.age is None or a.age >= 18) and not a.needs_care
                           for a in people if a.household == g.household)
        if g.kind == "single":
            assert not children
