"""The trace of ``logic_trace`` over movements held as NumPy columns, choosing how to read them
(pure: no Django; the readers are passed in).

The walk of the seed batches is ``logic_trace.walk_seeds`` (a few thousand movements at most). What
costs is co-presence: every movement touching a place the trace reached. A packaging sample
reaches a handful of places and reads them by index; an environmental sample at a hub
warehouse reaches a third of all places and three quarters of the table, which is cheaper to
read whole, once, in sequence than through the place indexes. So the reader switches when the
places reached pass ``table_from`` (a count: ``trace.TABLE_FROM_SHARE`` of all places), and the
windows and overlaps of co-presence are computed on arrays rather than per movement object.
Both readers give the same rows, so both strategies give the same trace
(``tests/coldchain/test_trace_load.py`` forces each against ``logic_trace_reference``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fangkong.coldchain import logic_trace as lt

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
INDEXED, TABLE = "indexed", "table"
NEVER = math.inf  # a ``table_from`` that always reads by index


@dataclass(frozen=True)
class Moves:
    """Movements as columns: ids, batches, sources (``lt.PORT`` for the port), destinations
    (int64) and times (float64 epoch seconds)."""

    id: IntArray
    batch: IntArray
    src: IntArray
    dst: IntArray
    at: FloatArray

    @classmethod
    def columns(cls, ints: list[IntArray], at: FloatArray) -> Moves:
        """From the four integer columns in order (id, batch, src, dst) and the times."""
        return cls(ints[0], ints[1], ints[2], ints[3], at)

    @classmethod
    def empty(cls) -> Moves:
        return cls.columns([np.zeros(0, dtype=np.int64) for _ in range(4)],
                           np.zeros(0, dtype=np.float64))

    @classmethod
    def of(cls, moves: list[lt.Move]) -> Moves:
        ints = [np.array([getattr(m, f) for m in moves], dtype=np.int64)
                for f in ("id", "batch", "src", "dst")]
        return cls.columns(ints, np.array([m.at for m in moves], dtype=np.float64))

    def __len__(self) -> int:
        return len(self.id)

    def where(self, mask: np.ndarray[Any, np.dtype[np.bool_]]) -> Moves:
        return Moves(self.id[mask], self.batch[mask], self.src[mask], self.dst[mask],
                     self.at[mask])

    def touching(self, places: set[int]) -> Moves:
        wanted = _ids(places)
        return self.where(np.isin(self.src, wanted) | np.isin(self.dst, wanted))

    def of_batches(self, batches: set[int]) -> Moves:
        return self.where(np.isin(self.batch, _ids(batches)))

    def unique(self) -> Moves:
        """Each movement once (a reader that unions two index scans may repeat one)."""
        _, first = np.unique(self.id, return_index=True)
        keep = np.zeros(len(self), dtype=bool)
        keep[first] = True
        return self.where(keep)

    def as_moves(self) -> list[lt.Move]:
        return [lt.Move(*row) for row in zip(self.id.tolist(), self.batch.tolist(),
                                             self.src.tolist(), self.dst.tolist(),
                                             self.at.tolist(), strict=True)]


def concat(parts: list[Moves]) -> Moves:
    if not parts:
        return Moves.empty()
    ints = [np.concatenate([getattr(p, f) for p in parts]) for f in ("id", "batch", "src",
                                                                      "dst")]
    return Moves.columns(ints, np.concatenate([p.at for p in parts]))


def _ids(values: set[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


@dataclass(frozen=True)
class Readers:
    """How the database is read: movements of batches, movements touching places (both by
    index), the whole movement table (one sequential read), the handlers of places."""

    batch_moves: Callable[[set[int]], Moves]
    place_moves: Callable[[set[int]], Moves]
    table: Callable[[], Moves]
    handlers_at: Callable[[set[int]], list[lt.HandlerAt]]


@dataclass(frozen=True)
class Windows:
    """The presence window of each (batch, place) pair with an event there."""

    batch: IntArray
    place: IntArray
    start: FloatArray
    end: FloatArray


def windows(moves: Moves, places: set[int], *, as_of: float) -> Windows:
    """``lt.presence`` of every batch at every place of ``places``, on arrays: first event to
    last, the last ordered by (time, arrival before departure); open to ``as_of`` when the
    last is an arrival."""
    wanted = _ids(places)
    arrive, depart = np.isin(moves.dst, wanted), np.isin(moves.src, wanted)
    batch = np.concatenate([moves.batch[arrive], moves.batch[depart]])
    place = np.concatenate([moves.dst[arrive], moves.src[depart]])
    at = np.concatenate([moves.at[arrive], moves.at[depart]])
    kind = np.concatenate([np.zeros(int(arrive.sum()), np.int8),
                           np.ones(int(depart.sum()), np.int8)])
    order = np.lexsort((kind, at, batch, place))
    if not order.size:
        return Windows(batch, place, at, at)
    batch, place, at, kind = batch[order], place[order], at[order], kind[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (batch[1:] != batch[:-1]) | (place[1:] != place[:-1])
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(order) - 1).astype(np.int64)
    end = np.where(kind[last] == 1, at[last], np.maximum(as_of, at[last]))
    return Windows(batch[first], place[first], at[first], end)


def overlapping(found: Windows, seen: dict[int, list[tuple[float, float]]]) -> set[int]:
    """Batches of ``found`` whose window at a place overlaps (closed) one of ``seen`` there."""
    hit: set[int] = set()
    bounds = np.flatnonzero(np.diff(found.place)) + 1
    for lo, hi in zip(np.append(0, bounds), np.append(bounds, len(found.place)), strict=True):
        if lo == hi:
            continue
        starts, ends = _union(seen.get(int(found.place[lo]), []))
        if not starts.size:
            continue
        s, e = found.start[lo:hi], found.end[lo:hi]
        k = np.searchsorted(starts, e, side="right") - 1  # the last union part starting <= e
        ok = (k >= 0) & (ends[np.maximum(k, 0)] >= s)
        hit.update(found.batch[lo:hi][ok].tolist())
    return hit


def _union(spans: list[tuple[float, float]]) -> tuple[FloatArray, FloatArray]:
    """Closed intervals merged into disjoint sorted parts: an interval meets one of ``spans``
    iff it meets the one part starting last at or before its end."""
    starts: list[float] = []
    ends: list[float] = []
    for a, b in sorted(spans):
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return np.array(starts, dtype=np.float64), np.array(ends, dtype=np.float64)


def trace(*, sample: lt.SampleAt, readers: Readers, as_of: float,
          table_from: float) -> tuple[lt.TraceResult, str]:
    """The trace (what ``lt.trace`` finds) and the strategy used for co-presence."""
    result = lt.TraceResult()
    result.seeds = _seeds(sample, readers, as_of=as_of)
    seen = lt.walk_seeds(result, readers.batch_moves(result.seeds).as_moves(), sample=sample,
                         as_of=as_of)
    places = set(result.places)
    strategy = TABLE if len(places) >= table_from else INDEXED
    moves = readers.table().touching(places) if strategy == TABLE else \
        readers.place_moves(places)
    others = moves.where(~np.isin(moves.batch, _ids(result.seeds)))
    result.copresent = overlapping(windows(others, places, as_of=as_of), seen)
    for h in readers.handlers_at(places):
        if h.place in result.places:
            result.handlers.add(h.id)
            result.persons.add(h.person)
    return result, strategy


def _seeds(sample: lt.SampleAt, readers: Readers, *, as_of: float) -> set[int]:
    if sample.batch is not None:
        return {sample.batch}
    there = windows(readers.place_moves({sample.place}), {sample.place}, as_of=as_of)
    ok = (there.start <= sample.at) & (there.end >= sample.at - sample.lookback)
    return set(there.batch[ok].tolist())

