"""The trace equals the exhaustive reference on random supply graphs (cycles, splits, ties,
co-present batches, environmental samples), and its time-respecting edge cases."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.coldchain.logic_trace import (
    PORT,
    HandlerAt,
    Move,
    SampleAt,
    TraceResult,
    presence,
    trace,
)
from fangkong.coldchain.logic_trace_reference import reference_trace

AS_OF = 100.0


def run(sample: SampleAt, moves: list[Move], handlers: list[HandlerAt]) -> TraceResult:
    return trace(
        sample=sample,
        batch_moves=lambda batches: [m for m in moves if m.batch in batches],
        place_moves=lambda places: [m for m in moves if m.src in places or m.dst in places],
        handlers_at=lambda places: [h for h in handlers if h.place in places],
        as_of=AS_OF)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[SampleAt, list[Move], list[HandlerAt]]:
    places = draw(st.integers(2, 7))
    raw = draw(st.lists(st.tuples(st.integers(1, 5), st.integers(0, places),
                                  st.integers(1, places), st.integers(0, 30)),
                        min_size=1, max_size=30))
    moves = [Move(i + 1, b, s, d, float(t)) for i, (b, s, d, t) in enumerate(raw) if s != d]
    handlers = [HandlerAt(i + 1, draw(st.integers(1, 12)), p) for i, p in enumerate(
        draw(st.lists(st.integers(1, places), max_size=10)))]
    batch = draw(st.one_of(st.none(), st.integers(1, 5)))
    sample = SampleAt(place=draw(st.integers(1, places)), at=float(draw(st.integers(0, 35))),
                      batch=batch, lookback=float(draw(st.integers(0, 10))))
    return sample, moves, handlers


@settings(max_examples=400, deadline=None)
@given(graphs())
def test_trace_equals_the_exhaustive_reference(
        case: tuple[SampleAt, list[Move], list[HandlerAt]]) -> None:
    sample, moves, handlers = case
    fast = run(sample, moves, handlers)
    slow = reference_trace(sample=sample, moves=moves, handlers=handlers, as_of=AS_OF)
    assert fast.seeds == slow.seeds
    assert fast.places == slow.places
    assert fast.movements == slow.movements
    assert fast.copresent == slow.copresent
    assert fast.to_port == slow.to_port
    assert (fast.handlers, fast.persons) == (slow.handlers, slow.persons)


def test_backward_only_through_earlier_movements_forward_only_later() -> None:
    # Batch 1: port → 1 at 1, 1 → 2 at 5 (sampled at 2, time 6), 2 → 3 at 7, 2 → 4 at 4
    # (left 2 before the batch arrived: not reachable), 5 → 2 at 9 (after the sample).
    moves = [Move(1, 1, PORT, 1, 1), Move(2, 1, 1, 2, 5), Move(3, 1, 2, 3, 7),
             Move(4, 1, 2, 4, 4), Move(5, 1, 5, 2, 9)]
    got = run(SampleAt(place=2, at=6, batch=1), moves, [])
    assert got.movements == {1, 2, 3}
    assert set(got.places) == {1, 2, 3}
    assert got.places[1].direction == "backward"
    assert got.places[3].direction == "forward"
    assert got.to_port == {1}


def test_a_split_upstream_is_followed_to_its_other_shops() -> None:
    # The warehouse 1 split batch 1 to shop 2 (positive) and shop 3; 3 passed some to 4.
    moves = [Move(1, 1, PORT, 1, 0), Move(2, 1, 1, 2, 3), Move(3, 1, 1, 3, 2),
             Move(4, 1, 3, 4, 6)]
    got = run(SampleAt(place=2, at=10, batch=1), moves, [HandlerAt(7, 70, 4)])
    assert set(got.places) == {1, 2, 3, 4}
    assert got.persons == {70}


def test_co_presence_needs_overlapping_windows() -> None:
    # Batch 1 at place 1 during [2, 5]; batch 2 left place 1 at 1 (gone before);
    # batch 3 arrived at 5 (the moment batch 1 left: together); batch 4 never left (open).
    moves = [Move(1, 1, PORT, 1, 2), Move(2, 1, 1, 2, 5),
             Move(3, 2, PORT, 1, 0), Move(4, 2, 1, 9, 1),
             Move(5, 3, PORT, 1, 5),
             Move(6, 4, PORT, 1, 0)]
    got = run(SampleAt(place=2, at=8, batch=1), moves, [])
    assert got.copresent == {3, 4}
    assert presence([moves[0], moves[1]], 1, as_of=AS_OF) == (2, 5)
    assert presence([moves[5]], 1, as_of=AS_OF) == (0, AS_OF)


def test_an_environmental_sample_seeds_the_batches_present_in_its_look_back() -> None:
    moves = [Move(1, 1, PORT, 1, 0), Move(2, 1, 1, 2, 3),  # left place 1 at 3
             Move(3, 2, PORT, 1, 8)]  # arrived at 8
    assert run(SampleAt(place=1, at=10, batch=None, lookback=5), moves, []).seeds == {2}
    assert run(SampleAt(place=1, at=10, batch=None, lookback=7), moves, []).seeds == {1, 2}
