"""The trace by exhaustive search, to check ``logic_trace`` against (tests) and to time it
as a baseline (benchmark). It reads the definitions in ``logic_trace``'s docstring literally:
every set grows by scanning *all* movements until nothing changes; nothing is indexed,
sorted or pruned. Slow (cubic at worst) and obviously right."""

from __future__ import annotations

import math

from fangkong.coldchain.logic_trace import (
    BACKWARD,
    FORWARD,
    PORT,
    SAMPLE,
    HandlerAt,
    Hit,
    Move,
    SampleAt,
    TraceResult,
)


def _window(moves: list[Move], batch: int, place: int,
            as_of: float) -> tuple[float, float] | None:
    events = [(m.at, 0) for m in moves if m.batch == batch and m.dst == place]
    events += [(m.at, 1) for m in moves if m.batch == batch and m.src == place]
    if not events:
        return None
    last_at, departed = sorted(events)[-1]
    return sorted(events)[0][0], (last_at if departed else max(as_of, last_at))


def _meet(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return any(a[0] <= t <= a[1] and b[0] <= t <= b[1] for t in (*a, *b))


def _backward(moves: list[Move], batch: int, sample: SampleAt) -> list[Move]:
    found: list[Move] = []
    changed = True
    while changed:
        changed = False
        for m in moves:
            if m.batch != batch or m in found:
                continue
            starts = m.dst == sample.place and m.at <= sample.at
            if starts or any(n.src == m.dst and m.at <= n.at for n in found):
                found.append(m)
                changed = True
    return found


def _forward(moves: list[Move], batch: int, seeds: dict[int, float]) -> list[Move]:
    found: list[Move] = []
    changed = True
    while changed:
        changed = False
        for m in moves:
            if m.batch != batch or m in found:
                continue
            seeded = m.src in seeds and m.at >= seeds[m.src]
            if seeded or any(n.dst == m.src and m.at >= n.at for n in found):
                found.append(m)
                changed = True
    return found


def reference_trace(*, sample: SampleAt, moves: list[Move], handlers: list[HandlerAt],
                    as_of: float) -> TraceResult:
    result = TraceResult()
    batches = {m.batch for m in moves}
    if sample.batch is not None:
        result.seeds = {sample.batch}
    else:
        span = (sample.at - sample.lookback, sample.at)
        result.seeds = {b for b in batches if (w := _window(moves, b, sample.place, as_of))
                        and _meet(w, span)}
    seed_windows: list[tuple[int, tuple[float, float]]] = []
    for b in sorted(result.seeds):
        seed_windows += _walk_one(result, moves, b, sample, as_of)
    for b in batches - result.seeds:
        for place, seen in seed_windows:
            w = _window(moves, b, place, as_of)
            if w is not None and _meet(w, seen):
                result.copresent.add(b)
    for h in handlers:
        if h.place in result.places:
            result.handlers.add(h.id)
            result.persons.add(h.person)
    return result


def _walk_one(result: TraceResult, moves: list[Move], batch: int, sample: SampleAt,
              as_of: float) -> list[tuple[int, tuple[float, float]]]:
    back = _backward(moves, batch, sample)
    reached = {sample.place} | {m.src for m in back}
    seeds = {p: min((m.at for m in back if m.dst == p), default=-math.inf) for p in reached}
    fwd = _forward(moves, batch, seeds)
    result.movements |= {m.id for m in back + fwd}
    if PORT in reached:
        result.to_port.add(batch)
    kinds = [(sample.place, SAMPLE)] + [(m.src, BACKWARD) for m in back]
    kinds += [(m.dst, FORWARD) for m in fwd]
    out = []
    for place in reached | {m.dst for m in fwd}:
        if place == PORT:
            continue
        direction = next(d for p, d in kinds if p == place)
        w = _window(moves, batch, place, as_of) or (sample.at, sample.at)
        out.append((place, w))
        old = result.places.get(place)
        if old is not None:
            order = [SAMPLE, BACKWARD, FORWARD]
            direction = min(old.direction, direction, key=order.index)
            w = (min(old.start, w[0]), max(old.end, w[1]))
        result.places[place] = Hit(direction, *w)
    return out
