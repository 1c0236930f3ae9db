"""The reference engine: the contact rules in plain Python, line by line from docs/tracing.md.

Slow on purpose (every pair of stays at a venue, every ping's cell): it is the oracle the
fast engines are tested against. It reads every row of every file (no pruning by day), so the
engines' pruning is tested too. Instants are epoch seconds throughout.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h3
import pyarrow as pa

from fangkong.tracing.engine.base import OUTPUT_SCHEMA, ContactPolicy, Sources, infectious_start
from fangkong.tracing.engine.connection import session
from fangkong.tracing.engine.inputs import load, resolve


@dataclass(frozen=True)
class Stay:
    person: int
    venue: int
    start: int
    end: int


@dataclass
class Hit:
    """One person's qualifying overlaps with one source person (rule 3's aggregation)."""

    first: int
    last: int
    longest: int
    venue: int


@dataclass
class World:
    """All rows of the inputs, indexed for the rules."""

    windows: dict[int, tuple[int, int, int]]  # case_id → (person, W0, W1)
    stays_of: dict[int, list[Stay]] = field(default_factory=lambda: defaultdict(list))
    stays_at: dict[int, list[Stay]] = field(default_factory=lambda: defaultdict(list))
    household: dict[int, int] = field(default_factory=dict)
    members: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    pings: list[tuple[int, int, float, float]] = field(default_factory=list)
    starts: dict[int, list[int]] = field(default_factory=dict)
    longest: dict[int, int] = field(default_factory=dict)

    @property
    def case_persons(self) -> set[int]:
        return {person for person, _, _ in self.windows.values()}

    def index(self) -> None:
        """Sort each venue's stays by start and note its longest stay (for ``near``)."""
        for stays in self.stays_at.values():
            stays.sort(key=lambda st: (st.start, st.end, st.person))
        self.starts = {v: [st.start for st in stays] for v, stays in self.stays_at.items()}
        self.longest = {v: max(st.end - st.start for st in stays)
                        for v, stays in self.stays_at.items()}

    def near(self, a: Stay, *, start: int, end: int, need: int) -> list[Stay]:
        """Stays at a's venue that can overlap a (inside [start, end)) by ``need``: they
        start by ``min(a.end, end) - need`` and end from ``max(a.start, start) + need``,
        so they start no earlier than that minus the venue's longest stay."""
        lo, hi = max(a.start, start) + need, min(a.end, end) - need
        starts = self.starts[a.venue]
        first = bisect.bisect_left(starts, lo - self.longest[a.venue])
        return self.stays_at[a.venue][first:bisect.bisect_right(starts, hi)]

    def housemates(self, person: int) -> set[int]:
        home = self.household.get(person)
        return set() if home is None else self.members[home] - {person}


def _read(sources: Sources) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every input, typed (timestamps as epoch seconds)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with session() as con:
        for kind in ("checkins", "cases", "pings", "households"):
            path: Path | None = getattr(sources, kind)
            rel = None if path is None else load(con=con, source=resolve(con=con, kind=kind,
                                                                         path=path))
            found[kind] = [] if rel is None else rel.fetchall()
    return found


def _world(*, sources: Sources, policy: ContactPolicy, as_of: dt.datetime) -> World:
    rows = _read(sources)
    windows = {}
    for case_id, person, onset, sample, _, isolated in rows["cases"]:
        w0 = int(infectious_start(onset=onset, sample=sample, policy=policy).timestamp())
        windows[case_id] = (person, w0, int(as_of.timestamp()) if isolated is None else isolated)
    world = World(windows=windows)
    stay = policy.default_stay_minutes * 60
    for person, venue, ts, exit_ts, _ in set(rows["checkins"]):
        s = Stay(person, venue, ts, ts + stay if exit_ts is None else exit_ts)
        world.stays_of[person].append(s)
        world.stays_at[venue].append(s)
    for person, home in rows["households"]:
        world.household[person] = home
        world.members[home].add(person)
    world.pings = list(set(rows["pings"]))
    world.index()
    return world


def venue_hits(*, world: World, source: int, start: int, end: int,
               policy: ContactPolicy) -> dict[int, Hit]:
    """Everyone with a stay qualifying against a stay of ``source`` inside [start, end)."""
    hits: dict[int, Hit] = {}
    if end <= start:
        return hits
    need = policy.min_overlap_minutes * 60
    for a in world.stays_of[source]:
        for b in world.near(a, start=start, end=end, need=need):
            if b.person == source:
                continue
            lo, hi = max(a.start, b.start, start), min(a.end, b.end, end)
            if hi - lo < need:
                continue
            hit = hits.get(b.person)
            if hit is None:
                hits[b.person] = Hit(lo, hi, hi - lo, a.venue)
                continue
            hit.first, hit.venue = min((hit.first, hit.venue), (lo, a.venue))
            hit.last, hit.longest = max(hit.last, hi), max(hit.longest, hi - lo)
    return hits


def row(*, person: int, kind: str, case_id: int, rule: str, first: int, last: int,
        via: int | None = None, venue: int | None = None, cell: str | None = None,
        minutes: int | None = None) -> dict[str, Any]:
    return {"person_id": person, "contact_type": kind, "index_case_id": case_id,
            "via_person_id": via, "venue_id": venue, "cell": cell,
            "first_exposure": dt.datetime.fromtimestamp(first, dt.UTC),
            "last_exposure": dt.datetime.fromtimestamp(last, dt.UTC),
            "overlap_minutes": minutes, "rule": rule}


def close_contacts(*, world: World, case_id: int, policy: ContactPolicy
                   ) -> dict[int, dict[str, Any]]:
    """Rule 3: household (kept when also at a venue), then venue; no case is a contact."""
    person, w0, w1 = world.windows[case_id]
    found: dict[int, dict[str, Any]] = {}
    for p, hit in venue_hits(world=world, source=person, start=w0, end=w1,
                             policy=policy).items():
        found[p] = row(person=p, kind="close", case_id=case_id, rule="venue", first=hit.first,
                       last=hit.last, venue=hit.venue, minutes=hit.longest // 60)
    for p in world.housemates(person):
        found[p] = row(person=p, kind="close", case_id=case_id, rule="household", first=w0,
                       last=max(w0, w1))
    return {p: r for p, r in found.items() if p not in world.case_persons}


def secondary_contacts(*, world: World, case_id: int, close: dict[int, dict[str, Any]],
                       policy: ContactPolicy, quarantined: dict[int, int], as_of: int
                       ) -> list[dict[str, Any]]:
    """Rule 4: contacts of each close contact C over [C's first exposure, C's quarantine)."""
    best: dict[int, tuple[tuple[int, int, int, int], dict[str, Any]]] = {}

    def offer(p: int, key: tuple[int, int, int, int], candidate: dict[str, Any]) -> None:
        if p not in best or key < best[p][0]:
            best[p] = (key, candidate)

    for c in sorted(close):
        f = int(close[c]["first_exposure"].timestamp())
        q = quarantined.get(c, as_of)
        if f < q:
            for p in world.housemates(c):
                offer(p, (f, 0, c, -1), row(person=p, kind="secondary", case_id=case_id,
                                            rule="household", first=f, last=q, via=c))
        for p, hit in venue_hits(world=world, source=c, start=f, end=q, policy=policy).items():
            offer(p, (hit.first, 1, c, hit.venue),
                  row(person=p, kind="secondary", case_id=case_id, rule="venue",
                      first=hit.first, last=hit.last, via=c, venue=hit.venue,
                      minutes=hit.longest // 60))
    return [r for p, (_, r) in best.items()
            if p not in world.case_persons and p not in close]


def companions(*, world: World, case_id: int, close: dict[int, dict[str, Any]],
               policy: ContactPolicy) -> list[dict[str, Any]]:
    """Rule 5: persons whose pings share the case's cell in enough of the case's buckets."""
    person, w0, w1 = world.windows[case_id]
    width, res = policy.companion_bucket_seconds, policy.companion_resolution
    case_cells: dict[int, set[str]] = defaultdict(set)
    for p, ts, lat, lon in world.pings:
        if p == person and w0 <= ts < w1:
            case_cells[ts // width].add(h3.latlng_to_cell(lat, lon, res))
    shared: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for p, ts, lat, lon in world.pings:
        bucket = ts // width
        if p != person and bucket in case_cells:
            cell = h3.latlng_to_cell(lat, lon, res)
            if cell in case_cells[bucket]:
                shared[p][bucket].add(cell)
    found = []
    for p, buckets in shared.items():
        if len(buckets) < policy.companion_min_buckets or p in world.case_persons or p in close:
            continue
        b0, b1 = min(buckets), max(buckets)
        found.append(row(person=p, kind="companion", case_id=case_id, rule="cell",
                         first=b0 * width, last=(b1 + 1) * width, cell=min(buckets[b0]),
                         minutes=len(buckets) * width // 60))
    return found


def detect(*, sources: Sources, policy: ContactPolicy, as_of: dt.datetime,
           case_ids: frozenset[int] | None = None) -> pa.Table:
    """Contacts of every case (or of ``case_ids``), in OUTPUT_SCHEMA."""
    world = _world(sources=sources, policy=policy, as_of=as_of)
    quarantined = {p: int(t.timestamp()) for p, t in sources.quarantined.items()}
    rows: list[dict[str, Any]] = []
    for case_id in sorted(world.windows):
        if case_ids is not None and case_id not in case_ids:
            continue
        _, w0, w1 = world.windows[case_id]
        close = close_contacts(world=world, case_id=case_id, policy=policy)
        rows += close.values()
        if w1 <= w0:
            continue  # no window: household contacts only
        if policy.secondary:
            rows += secondary_contacts(world=world, case_id=case_id, close=close, policy=policy,
                                       quarantined=quarantined, as_of=int(as_of.timestamp()))
        rows += companions(world=world, case_id=case_id, close=close, policy=policy)
    return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)
