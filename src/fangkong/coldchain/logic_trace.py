"""The trace of a positive sample over the cold chain's movements (pure: no Django, no I/O).

Times are epoch seconds; place ids are positive and ``PORT`` (0) is the port of entry.
The semantics, which ``logic_trace_reference`` implements by exhaustive search:

* **Presence** of a batch at a place: from its first event there (an arrival, or a departure
  when the arrival was not recorded) to its last; open until ``as_of`` when the last event
  is an arrival (at equal times an arrival comes before a departure). Closed intervals:
  two batches handled at the same moment were together.
* **Backward** from the sample (place P, time t): a movement of the batch into P at or
  before t, then into that movement's source at or before its time, and so on to the port.
* **Forward**: from every place reached backward and from P, each from the first moment the
  backward walk put the batch there (no recorded arrival: any time), a movement out of the
  place at or after that moment, then out of its destination at or after its time, …
* **Seeds**: the sample's batch; for a sample with no batch (the environment), every batch
  present at P during the ``lookback`` seconds up to t.
* **Co-present** batches: any other batch present at a place of the trace while a seed
  batch was there (overlapping presence).
* **People**: the handlers of every place of the trace.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

PORT = 0
SAMPLE, BACKWARD, FORWARD = "sample", "backward", "forward"
RANK = {SAMPLE: 0, BACKWARD: 1, FORWARD: 2}


@dataclass(frozen=True)
class Move:
    id: int
    batch: int
    src: int  # PORT for the port of entry
    dst: int
    at: float


@dataclass(frozen=True)
class SampleAt:
    place: int
    at: float
    batch: int | None  # None: an environmental sample
    lookback: float = 0.0  # seconds before ``at`` an environmental sample covers


@dataclass(frozen=True)
class HandlerAt:
    id: int
    person: int
    place: int


@dataclass(frozen=True)
class Hit:
    direction: str
    start: float
    end: float


@dataclass
class TraceResult:
    seeds: set[int] = field(default_factory=set)
    copresent: set[int] = field(default_factory=set)
    places: dict[int, Hit] = field(default_factory=dict)
    movements: set[int] = field(default_factory=set)
    to_port: set[int] = field(default_factory=set)  # seed batches traced back to the port
    handlers: set[int] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)


def presence(moves: Iterable[Move], place: int, *, as_of: float) -> tuple[float, float] | None:
    """The closed window a batch (all ``moves`` are its own) was at ``place``."""
    events = [(m.at, 0) for m in moves if m.dst == place]
    events += [(m.at, 1) for m in moves if m.src == place]
    if not events:
        return None
    start = min(t for t, _ in events)
    last_at, departed = max(events)
    return start, (last_at if departed else max(as_of, last_at))


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return max(a[0], b[0]) <= min(a[1], b[1])


@dataclass
class BatchWalk:
    backward: set[int]
    forward: set[int]
    places: dict[int, str]  # place → direction (PORT excluded)
    to_port: bool


def walk_batch(moves: list[Move], *, place: int, at: float) -> BatchWalk:
    """Backward then forward over one batch's movements (Dijkstra-like: the latest time a
    place can be left going back, the earliest it can be reached going forward)."""
    into: dict[int, list[Move]] = defaultdict(list)
    out: dict[int, list[Move]] = defaultdict(list)
    for m in sorted(moves, key=lambda m: m.at):
        into[m.dst].append(m)
        out[m.src].append(m)
    back, entered = _backward(into, place=place, at=at)
    forward = _forward(out, seeds=entered)
    by_id = {m.id: m for m in moves}
    places = {place: SAMPLE}
    for mid in back:
        places.setdefault(by_id[mid].src, BACKWARD)
    for mid in forward:
        places.setdefault(by_id[mid].dst, FORWARD)
    to_port = PORT in places
    places.pop(PORT, None)
    return BatchWalk(back, forward, places, to_port)


def _backward(into: dict[int, list[Move]], *, place: int,
              at: float) -> tuple[set[int], dict[int, float]]:
    """Movements on a time-respecting path ending at (place, at), and for each place
    reached the first moment the batch was there (-inf: no arrival found)."""
    times = {p: [m.at for m in ms] for p, ms in into.items()}
    latest = {place: at}
    heap = [(-at, place)]
    used: list[Move] = []
    while heap:
        neg, p = heapq.heappop(heap)
        if -neg < latest[p] or p == PORT:
            continue
        moves = into.get(p, [])
        for m in moves[:bisect.bisect_right(times.get(p, []), -neg)]:
            used.append(m)
            if m.at > latest.get(m.src, -math.inf):
                latest[m.src] = m.at
                heapq.heappush(heap, (-m.at, m.src))
    first: dict[int, float] = {}
    for m in used:
        first[m.dst] = min(first.get(m.dst, math.inf), m.at)
    return {m.id for m in used}, {p: first.get(p, -math.inf) for p in latest}


def _forward(out: dict[int, list[Move]], *, seeds: dict[int, float]) -> set[int]:
    times = {p: [m.at for m in ms] for p, ms in out.items()}
    earliest = dict(seeds)
    heap = [(t, p) for p, t in seeds.items()]
    heapq.heapify(heap)
    used: set[int] = set()
    while heap:
        t, p = heapq.heappop(heap)
        if t > earliest[p]:
            continue
        moves = out.get(p, [])
        for m in moves[bisect.bisect_left(times.get(p, []), t):]:
            used.add(m.id)
            if m.at < earliest.get(m.dst, math.inf):
                earliest[m.dst] = m.at
                heapq.heappush(heap, (m.at, m.dst))
    return used


MovesLoader = Callable[[set[int]], list[Move]]
HandlersLoader = Callable[[set[int]], list[HandlerAt]]


def trace(*, sample: SampleAt, batch_moves: MovesLoader, place_moves: MovesLoader,
          handlers_at: HandlersLoader, as_of: float) -> TraceResult:
    """The trace, loading only what it walks: the moves of the seed batches, then the moves
    touching the places reached, then those places' handlers."""
    result = TraceResult()
    result.seeds = _seeds(sample, place_moves, as_of=as_of)
    windows = walk_seeds(result, batch_moves(result.seeds), sample=sample, as_of=as_of)
    _add_copresent(result, windows, place_moves(set(result.places)), as_of=as_of)
    for h in handlers_at(set(result.places)):
        if h.place in result.places:
            result.handlers.add(h.id)
            result.persons.add(h.person)
    return result


def _seeds(sample: SampleAt, place_moves: MovesLoader, *, as_of: float) -> set[int]:
    if sample.batch is not None:
        return {sample.batch}
    window = (sample.at - sample.lookback, sample.at)
    return {b for b, w in batch_windows(place_moves({sample.place}), sample.place,
                                         as_of=as_of).items() if overlaps(w, window)}


def batch_windows(moves: Iterable[Move], place: int, *,
                  as_of: float) -> dict[int, tuple[float, float]]:
    """Presence at ``place`` of every batch with an event there."""
    grouped: dict[int, list[Move]] = defaultdict(list)
    for m in moves:
        if place in (m.src, m.dst):
            grouped[m.batch].append(m)
    found = {b: presence(ms, place, as_of=as_of) for b, ms in grouped.items()}
    return {b: w for b, w in found.items() if w is not None}


def walk_seeds(result: TraceResult, moves: Iterable[Move], *, sample: SampleAt,
               as_of: float) -> dict[int, list[tuple[float, float]]]:
    """Walk every seed batch of ``result`` over ``moves`` (those of the seeds) and merge the
    walks into it; return each place's seed windows, which co-presence is judged against.
    Public because ``trace_load`` walks the same way and differs only in co-presence."""
    by_batch: dict[int, list[Move]] = defaultdict(list)
    for m in moves:
        by_batch[m.batch].append(m)
    windows: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for b in sorted(result.seeds):
        _add_walk(result, windows, by_batch[b], sample=sample, batch=b, as_of=as_of)
    return windows


def _add_walk(result: TraceResult, windows: dict[int, list[tuple[float, float]]],
              moves: list[Move], *, sample: SampleAt, batch: int, as_of: float) -> None:
    """One seed batch's walk merged into the result: each place keeps the strongest
    direction and the hull of the windows; ``windows`` keeps every seed window."""
    walk = walk_batch(moves, place=sample.place, at=sample.at)
    result.movements |= walk.backward | walk.forward
    if walk.to_port:
        result.to_port.add(batch)
    for place, direction in walk.places.items():
        window = presence(moves, place, as_of=as_of) or (sample.at, sample.at)
        windows[place].append(window)
        old = result.places.get(place)
        if old is None:
            result.places[place] = Hit(direction, *window)
        else:
            best = min((old.direction, direction), key=RANK.__getitem__)
            result.places[place] = Hit(best, min(old.start, window[0]), max(old.end, window[1]))


def _add_copresent(result: TraceResult, windows: dict[int, list[tuple[float, float]]],
                   moves: list[Move], *, as_of: float) -> None:
    by_place: dict[int, list[Move]] = defaultdict(list)
    places = set(windows)
    for m in moves:
        if m.batch in result.seeds:
            continue
        if m.src in places:
            by_place[m.src].append(m)
        if m.dst in places:
            by_place[m.dst].append(m)
    for place, ms in by_place.items():
        for b, w in batch_windows(ms, place, as_of=as_of).items():
            if any(overlaps(w, seed) for seed in windows[place]):
                result.copresent.add(b)
