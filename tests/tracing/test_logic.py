"""Properties of the pure tracing rules: the contact state machine, funnel arithmetic, cycle
check, clusters, risk-point merging and ping runs."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.tracing import logic

T0 = dt.datetime(2022, 5, 1, tzinfo=dt.UTC)
minutes = st.integers(min_value=0, max_value=60 * 24 * 3)
moments = minutes.map(lambda m: T0 + dt.timedelta(minutes=m))


@given(st.lists(st.sampled_from(logic.STATES), max_size=6), moments)
def test_state_machine_only_moves_forward_and_stamps_in_order(path: list[str],
                                                               start: dt.datetime) -> None:
    status, stamps, at = "identified", dict.fromkeys(logic.STAMP.values()), start
    for to in path:
        at += dt.timedelta(minutes=7)
        try:
            updates = logic.plan_transition(current=status, to=to, at=at, stamps=stamps,
                                            disposition="home", destination="家")
        except logic.TransitionError as exc:
            assert exc.conflict and logic.STATES.index(to) <= logic.STATES.index(status)
            continue
        assert logic.STATES.index(to) > logic.STATES.index(status)
        status = str(updates["status"])
        stamps |= {k: v for k, v in updates.items() if k in stamps}
    reached = logic.STATES[1:logic.STATES.index(status) + 1]
    times = [stamps[logic.STAMP[s]] for s in reached]
    assert all(t is not None for t in times)
    assert times == sorted(times)  # type: ignore[type-var]
    assert all(stamps[logic.STAMP[s]] is None for s in logic.STATES[len(reached) + 1:])


def test_transfer_needs_disposition_and_destination() -> None:
    stamps = dict.fromkeys(logic.STAMP.values())
    for kw, field in (({"disposition": "hotel", "destination": "x"}, "disposition"),
                      ({"disposition": "home", "destination": " "}, "destination")):
        with pytest.raises(logic.TransitionError) as err:
            logic.plan_transition(current="located", to="transferred", at=T0, stamps=stamps,
                                  **kw)
        assert err.value.field == field and not err.value.conflict
    with pytest.raises(logic.TransitionError) as err:
        logic.plan_transition(current="identified", to="lost", at=T0, stamps=stamps)
    assert err.value.field == "to_status"


@given(moments, st.lists(st.one_of(st.none(), moments), max_size=5),
       st.one_of(st.none(), moments))
def test_controlled_when_every_close_contact_is_transferred(
        identified: dt.datetime, transferred: list[dt.datetime | None],
        now_or_none: dt.datetime | None) -> None:
    got = logic.controlled_at(transferred=transferred, identified_at=identified)
    if not transferred:
        assert got == identified
    elif None in transferred:
        assert got is None
    else:
        assert got == max(t for t in transferred if t is not None)


@given(moments, minutes, minutes, minutes, minutes)
def test_funnel_steps_add_up(result: dt.datetime, a: int, b: int, c: int, later: int) -> None:
    confirmed = result + dt.timedelta(minutes=a)
    identified = confirmed + dt.timedelta(minutes=b)
    controlled = identified + dt.timedelta(minutes=c)
    now = controlled + dt.timedelta(minutes=later)
    steps = logic.funnel_steps(result_at=result, confirmed_at=confirmed,
                               identified_at=identified, controlled=controlled, now=now)
    parts = (steps.result_to_confirmed, steps.confirmed_to_identified,
             steps.identified_to_controlled)
    assert steps.total is not None and None not in parts
    assert abs(sum(p for p in parts if p is not None) - steps.total) < 0.03
    assert steps.within_24h == ((a + b + c) <= 24 * 60)
    pending = logic.funnel_steps(result_at=result, confirmed_at=confirmed,
                                 identified_at=identified, controlled=None, now=now)
    assert pending.total is None
    assert pending.within_24h == (False if now - result > dt.timedelta(hours=24) else None)


def test_median_and_share_ignore_undecided() -> None:
    assert logic.median([None, 3.0, 1.0, None]) == 2.0 and logic.median([None]) is None
    assert logic.share_true([True, None, False, True]) == round(2 / 3, 4)
    assert logic.share_true([None]) is None


@given(st.dictionaries(st.integers(1, 12), st.integers(1, 12), max_size=12),
       st.integers(1, 12), st.integers(1, 12))
def test_would_cycle_iff_case_is_an_ancestor_of_source(parents: dict[int, int], case: int,
                                                      source: int) -> None:
    chain, seen, node = [], set(), source
    while node is not None and node not in seen:
        chain.append(node)
        seen.add(node)
        node = parents.get(node)  # type: ignore[assignment]
    expected = case in chain
    assert logic.would_cycle(case_id=case, source_id=source, source_of=parents.get) == expected


@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=20))
def test_components_partition_and_respect_links(links: list[tuple[int, int]]) -> None:
    nodes = list(range(16))
    groups = logic.components(nodes, links)
    assert sorted(n for g in groups for n in g) == nodes
    where = {n: i for i, g in enumerate(groups) for n in g}
    assert all(where[a] == where[b] for a, b in links)
    assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)


stays = st.lists(st.tuples(st.integers(1, 3), minutes, st.integers(1, 240)), max_size=12)


@given(stays)
def test_merged_stays_cover_the_same_time_per_venue_without_overlap(raw: list) -> None:  # type: ignore[type-arg]
    window = (T0 + dt.timedelta(hours=6), T0 + dt.timedelta(days=2))
    given_stays = [logic.Stay(v, T0 + dt.timedelta(minutes=s),
                              T0 + dt.timedelta(minutes=s + d)) for v, s, d in raw]
    merged = logic.merge_stays(given_stays, window=window)
    for venue in {s.venue_id for s in merged}:
        mine = [s for s in merged if s.venue_id == venue]
        assert all(a.end < b.start for a, b in itertools.pairwise(mine))
    probe = [T0 + dt.timedelta(minutes=m) for m in range(0, 60 * 72, 37)]
    for venue in range(1, 4):
        for p in probe:
            inside = window[0] <= p < window[1] and any(
                s.venue_id == venue and s.start <= p < s.end for s in given_stays)
            assert inside == any(s.venue_id == venue and s.start <= p < s.end for s in merged)


@given(st.lists(st.tuples(minutes, st.sampled_from(["a", "b"])), max_size=30))
def test_ping_runs_keep_every_ping(raw: list[tuple[int, str]]) -> None:
    pings = [(T0 + dt.timedelta(minutes=m), cell) for m, cell in raw]
    runs = logic.ping_runs(pings, gap=dt.timedelta(minutes=30))
    assert sum(r.pings for r in runs) == len(pings)
    assert all(r.start <= r.end for r in runs)
    assert all(a.end <= b.start for a, b in itertools.pairwise(runs))


def test_ping_runs_split_on_cell_change_and_silence() -> None:
    m = lambda k: T0 + dt.timedelta(minutes=k)  # noqa: E731
    runs = logic.ping_runs([(m(0), "a"), (m(10), "a"), (m(20), "b"), (m(90), "b")],
                           gap=dt.timedelta(minutes=30))
    assert [(r.cell, r.pings) for r in runs] == [("a", 2), ("b", 1), ("b", 1)]


def test_overdue_only_before_located() -> None:
    now = T0 + dt.timedelta(hours=7)
    assert logic.is_overdue(status="notified", identified_at=T0, now=now, hours=6)
    assert not logic.is_overdue(status="located", identified_at=T0, now=now, hours=6)
    assert not logic.is_overdue(status="identified", identified_at=T0, now=now, hours=8)
