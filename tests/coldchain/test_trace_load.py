"""The trace as it runs (``trace_load`` over the database readers of ``trace``) equals the
exhaustive reference whichever way co-presence reads its movements: by the place indexes or
the whole table once. In memory on Hypothesis graphs, and over the database on random graphs
with microsecond times (the readers' time conversion must give ``datetime.timestamp()``)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings

from fangkong.coldchain import logic_trace as lt
from fangkong.coldchain import trace
from fangkong.coldchain import trace_load as tl
from fangkong.coldchain.logic_trace_reference import reference_trace
from fangkong.coldchain.models import Batch, ColdPlace, Movement, PositiveSample
from fangkong.coldchain.policy import coldchain_rules
from tests.coldchain.builders import Chain, batch, chain
from tests.coldchain.test_logic_trace import AS_OF, graphs
from tests.factories import City

STRATEGIES = [(0.0, tl.TABLE), (tl.NEVER, tl.INDEXED)]


def _in_memory(moves: list[lt.Move], handlers: list[lt.HandlerAt]) -> tl.Readers:
    table = tl.Moves.of(moves)
    return tl.Readers(
        batch_moves=table.of_batches,
        place_moves=table.touching,
        table=lambda: table,
        handlers_at=lambda places: [h for h in handlers if h.place in places])


def _same(got: lt.TraceResult, want: lt.TraceResult) -> None:
    assert got.seeds == want.seeds
    assert got.places == want.places
    assert got.movements == want.movements
    assert got.copresent == want.copresent
    assert got.to_port == want.to_port
    assert (got.handlers, got.persons) == (want.handlers, want.persons)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_each_strategy_equals_the_exhaustive_reference(
        case: tuple[lt.SampleAt, list[lt.Move], list[lt.HandlerAt]]) -> None:
    sample, moves, handlers = case
    want = reference_trace(sample=sample, moves=moves, handlers=handlers, as_of=AS_OF)
    for table_from, strategy in STRATEGIES:
        got, used = tl.trace(sample=sample, readers=_in_memory(moves, handlers), as_of=AS_OF,
                             table_from=table_from)
        assert used == strategy
        _same(got, want)


def test_the_switch_is_on_the_count_of_places_reached() -> None:
    # Batch 1 goes port → 1 → 2 → 3: a sample at 3 reaches three places.
    moves = [lt.Move(1, 1, lt.PORT, 1, 0), lt.Move(2, 1, 1, 2, 1), lt.Move(3, 1, 2, 3, 2)]
    readers = _in_memory(moves, [])
    sample = lt.SampleAt(place=3, at=5, batch=1)
    assert tl.trace(sample=sample, readers=readers, as_of=AS_OF, table_from=3)[1] == tl.TABLE
    assert tl.trace(sample=sample, readers=readers, as_of=AS_OF,
                    table_from=4)[1] == tl.INDEXED


def test_windows_follow_presence_ties_and_open_ends() -> None:
    moves = [lt.Move(1, 1, lt.PORT, 1, 2), lt.Move(2, 1, 1, 2, 5),  # at 1 during [2, 5]
             lt.Move(3, 2, lt.PORT, 1, 4), lt.Move(4, 2, 1, 3, 4),  # in and out at 4: gone
             lt.Move(5, 3, lt.PORT, 1, 7)]  # never leaves
    got = tl.windows(tl.Moves.of(moves), {1}, as_of=AS_OF)
    found = {b: (s, e) for b, s, e in zip(got.batch.tolist(), got.start.tolist(),
                                          got.end.tolist(), strict=True)}
    assert found == lt.batch_windows(moves, 1, as_of=AS_OF)
    assert found == {1: (2, 5), 2: (4, 4), 3: (7, AS_OF)}


# ---------------------------------------------------------------- over the database


@pytest.fixture
def c(city: City) -> Chain:
    return chain(city)


def _random_graph(c: Chain, rng: random.Random, *, n: int) -> None:
    """``n`` movements among the chain's four places and its batches, on a coarse grid of
    times (ties) plus microseconds (the readers must keep them)."""
    Movement.objects.all().delete()
    places = [c.w, c.m, c.s1, c.s2]
    batches = list(Batch.objects.all())
    rows = []
    for k in range(n):
        dst = rng.choice(places)
        src = rng.choice([None, *[p for p in places if p != dst]])
        at = c.t0 + dt.timedelta(hours=rng.randrange(40), microseconds=rng.choice(
            [0, 1, 999_999, rng.randrange(1_000_000)]))
        row = Movement(batch=rng.choice(batches), from_place=src, to_place=dst, moved_at=at,
                       quantity_kg=1, client_key=f"r{k}", recorded_at=c.t0)
        row.district_id, row.street_id = dst.district_id, dst.street_id
        row.community_id, row.grid_id = dst.community_id, dst.grid_id
        rows.append(row)
    Movement.objects.bulk_create(rows)


def _sample(c: Chain, rng: random.Random) -> PositiveSample:
    place = rng.choice([c.w, c.m, c.s1, c.s2])
    at = c.t0 + dt.timedelta(hours=rng.randrange(45), microseconds=rng.randrange(1_000_000))
    if rng.random() < 0.5:
        return PositiveSample(place=place, batch=None, kind="environment", sampled_at=at)
    moved = Movement.objects.order_by("?").first()
    return PositiveSample(place=place, batch_id=moved.batch_id if moved else c.b1.pk,
                          kind="packaging", sampled_at=at)


def test_over_the_database_each_strategy_equals_the_reference(c: Chain) -> None:
    rng = random.Random(11)
    as_of = c.t0 + dt.timedelta(days=3)
    for k in range(2):
        batch(c.actors["store1"], f"R{k}", at=c.t0)
    lookback = coldchain_rules(on=c.t0.date()).environment_lookback_days * 86400.0
    for _ in range(12):
        _random_graph(c, rng, n=rng.randrange(1, 40))
        moves = trace._moves(Movement.objects.all())  # the ORM's datetime.timestamp()
        handlers = trace.handlers_at(set(ColdPlace.objects.values_list("pk", flat=True)))
        for _ in range(4):
            sample = _sample(c, rng)
            want = reference_trace(sample=lt.SampleAt(
                place=sample.place_id, at=sample.sampled_at.timestamp(),
                batch=sample.batch_id, lookback=lookback), moves=moves,
                handlers=handlers, as_of=as_of.timestamp())
            for table_from, strategy in STRATEGIES:
                got, used = trace.compute_with_strategy(sample, as_of=as_of,
                                                        table_from=table_from)
                assert used == strategy
                _same(got, want)


def test_the_readers_give_the_orm_rows_and_times(c: Chain) -> None:
    _random_graph(c, random.Random(3), n=60)
    orm = {m.id: m for m in trace._moves(Movement.objects.all())}
    table = trace.read_table()
    assert sorted(table.as_moves(), key=lambda m: m.id) == sorted(orm.values(),
                                                                 key=lambda m: m.id)
    some = {c.m.pk, c.s2.pk}
    by_place = trace.place_moves(some).as_moves()
    assert sorted(m.id for m in by_place) == sorted(
        m.id for m in orm.values() if m.src in some or m.dst in some)
    # More ids than one SQLite statement may bind: read in parts, nothing lost or repeated.
    many = set(range(1, 12_001)) | {c.b1.pk}
    assert sorted(m.id for m in trace.batch_moves(many).as_moves()) == sorted(
        m.id for m in orm.values() if m.batch in many)
    assert len(trace.batch_moves(set())) == 0
    assert len(trace.place_moves({10**9})) == 0
