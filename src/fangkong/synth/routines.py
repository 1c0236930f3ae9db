"""Daily routines → venue stays (the truth behind check-ins).

A day is a fixed sequence of time windows: early errand, commute and work or school (with an
optional lunch out for workers), morning, lunch and afternoon errands for whoever is free,
evening errand. Windows never overlap for one person, so each one is generated for all
persons of a chunk at once with numpy and the results need one sort.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from fangkong.synth.people import CHILD, OTHER, RETIRED, STUDENT, WORKER, PersonArrays
from fangkong.synth.venues import TYPE_IDX, Venues

H, M = 3600, 60
DWELL_MIN = {"market": (20, 60), "supermarket": (15, 45), "restaurant": (30, 80),
             "hospital": (30, 150), "pharmacy": (5, 15), "station": (5, 20),
             "gym": (45, 110), "mall": (45, 140), "office": (30, 120), "school": (30, 120)}
SOURCES = ["doorbell_code", "staff_scan", "manual"]  # resident scans 门铃码 | staff scans | paper
SOURCE_P = np.array([0.85, 0.10, 0.05])
EXIT_RECORDED = 0.8
LUNCH_OUT = 0.35  # workers who leave the office for lunch
COMMUTE_TRANSIT = 0.4  # workers and students who pass a station on the way
WEEKEND_WORK = {"office": 0.12, "school": 0.03}  # other workplaces: WEEKEND_WORK_OTHER
WEEKEND_WORK_OTHER = 0.7
# slot: (window start h, window end h, {occupation: p active}, {venue type: weight})
ERRANDS: dict[str, tuple[float, float, dict[int, float], dict[str, float]]] = {
    "early": (6.0, 7.5, {WORKER: 0.15, RETIRED: 0.5, OTHER: 0.1},
              {"market": 0.55, "supermarket": 0.1, "restaurant": 0.35}),
    "morning": (8.6, 11.8, {RETIRED: 0.35, OTHER: 0.4, CHILD: 0.2, WORKER: 0.35,
                            STUDENT: 0.3},
                {"market": 0.25, "supermarket": 0.3, "pharmacy": 0.1, "hospital": 0.05,
                 "mall": 0.1, "gym": 0.1, "restaurant": 0.1}),
    "lunch": (12.0, 13.0, {RETIRED: 0.1, OTHER: 0.15, CHILD: 0.05, WORKER: 0.3,
                           STUDENT: 0.2},
              {"restaurant": 1.0}),
    "afternoon": (13.25, 17.8, {RETIRED: 0.25, OTHER: 0.35, CHILD: 0.2, WORKER: 0.45,
                                STUDENT: 0.4},
                  {"supermarket": 0.3, "mall": 0.25, "gym": 0.15, "restaurant": 0.1,
                   "pharmacy": 0.1, "market": 0.05, "hospital": 0.05}),
    "evening": (19.25, 21.75, {RETIRED: 0.15, OTHER: 0.3, CHILD: 0.1, WORKER: 0.45,
                               STUDENT: 0.15},
                {"restaurant": 0.4, "supermarket": 0.3, "mall": 0.1, "gym": 0.1,
                 "pharmacy": 0.05, "station": 0.05}),
}
WEEKEND_BOOST = 1.4
DIALYSIS_DAYS = (0, 2, 4)  # Monday, Wednesday, Friday


@dataclass
class Stays:
    """Visits: person row (person_id − 1), venue row, entry and true exit (epoch s)."""

    pidx: list[np.ndarray] = field(default_factory=list)
    venue: list[np.ndarray] = field(default_factory=list)
    ts: list[np.ndarray] = field(default_factory=list)
    te: list[np.ndarray] = field(default_factory=list)

    def add(self, pidx: np.ndarray, venue: np.ndarray, ts: np.ndarray, te: np.ndarray) -> None:
        self.pidx.append(pidx.astype(np.int64))
        self.venue.append(venue.astype(np.int32))
        self.ts.append(ts.astype(np.int64))
        self.te.append(te.astype(np.int64))

    def sorted(self) -> DayStays:
        p, v = np.concatenate(self.pidx), np.concatenate(self.venue)
        t, e = np.concatenate(self.ts), np.concatenate(self.te)
        order = np.lexsort((t, p))
        return DayStays(p[order], v[order], t[order], e[order])


@dataclass
class DayStays:
    """Stays sorted by person, then entry time."""

    pidx: np.ndarray
    venue: np.ndarray
    ts: np.ndarray
    te: np.ndarray

    def __len__(self) -> int:
        return len(self.pidx)

    def select(self, mask: np.ndarray) -> DayStays:
        return DayStays(self.pidx[mask], self.venue[mask], self.ts[mask], self.te[mask])


def _hours(rng: np.random.Generator, lo_h: float, hi_h: float, n: int) -> np.ndarray:
    return (rng.uniform(lo_h, hi_h, n) * H).astype(np.int64)


def _minutes(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return (rng.uniform(lo, hi, n) * M).astype(np.int64)


def _working_today(rng: np.random.Generator, people: PersonArrays, venues: Venues,
                   weekend: bool) -> np.ndarray:
    """Who goes to their workplace or school today (all on weekdays, few on weekends)."""
    n = len(people.pid)
    has = people.work >= 0
    if not weekend:
        return has & (rng.random(n) < 0.96)
    vt = venues.vtype[np.maximum(people.work, 0)]
    p = np.full(n, WEEKEND_WORK_OTHER)
    for tname, val in WEEKEND_WORK.items():
        p[vt == TYPE_IDX[tname]] = val
    return has & (rng.random(n) < p)


def _work(*, rng: np.random.Generator, people: PersonArrays, venues: Venues, rows: np.ndarray,
          at_work: np.ndarray, day0: int, out: Stays) -> None:
    """Workplace and school stays, lunch out for some workers, stations for commuters."""
    idx = np.flatnonzero(at_work)
    student = people.occupation[idx] == STUDENT
    n = len(idx)
    arrive = day0 + np.where(student, _hours(rng, 7.5, 8.0, n), _hours(rng, 8.3, 9.5, n))
    leave = day0 + np.where(student, _hours(rng, 15.8, 17.0, n), _hours(rng, 17.3, 18.6, n))
    work = people.work[idx]
    out_lunch = ~student & (rng.random(n) < LUNCH_OUT)
    lunch0 = day0 + _hours(rng, 11.9, 12.2, n)
    am_end = np.where(out_lunch, lunch0, leave)
    out.add(rows[idx], work, arrive, am_end)
    sel = np.flatnonzero(out_lunch)
    if len(sel):
        r0 = lunch0[sel] + 3 * M
        r1 = r0 + _minutes(rng, 25, 45, len(sel))
        rest = venues.choose(rng, TYPE_IDX["restaurant"], venues.grid[work[sel]], p_local=0.97)
        out.add(rows[idx[sel]], rest, r0, r1)
        out.add(rows[idx[sel]], work[sel], r1 + 5 * M, leave[sel])
    _commute(rng=rng, people=people, venues=venues, prow=rows[idx], idx=idx,
             arrive=arrive, leave=leave, out=out)


def _commute(*, rng: np.random.Generator, people: PersonArrays, venues: Venues,
             prow: np.ndarray, idx: np.ndarray, arrive: np.ndarray, leave: np.ndarray,
             out: Stays) -> None:
    """Transit users check in at a station near home before work and near work after."""
    far = venues.grid[people.work[idx]] != people.grid[idx]
    sel = np.flatnonzero(far & (rng.random(len(idx)) < COMMUTE_TRANSIT))
    k = len(sel)
    if k == 0:
        return
    station = TYPE_IDX["station"]
    s0 = arrive[sel] - _minutes(rng, 30, 45, k)
    out.add(prow[sel], venues.choose(rng, station, people.grid[idx[sel]], p_local=0.95),
            s0, s0 + _minutes(rng, 3, 8, k))
    e0 = leave[sel] + _minutes(rng, 3, 10, k)
    work_grid = venues.grid[people.work[idx[sel]]]
    out.add(prow[sel], venues.choose(rng, station, work_grid, p_local=0.95),
            e0, e0 + _minutes(rng, 3, 8, k))


def _dialysis(*, rng: np.random.Generator, people: PersonArrays, venues: Venues,
              rows: np.ndarray, free: np.ndarray, day0: int, out: Stays) -> np.ndarray:
    """Chronic-care patients (dialysis) spend a morning at a hospital three days a week;
    returns who did, so they skip the morning errand slot."""
    sel = np.flatnonzero(free & people.chronic)
    s0 = day0 + _hours(rng, 8.6, 9.0, len(sel))
    s1 = np.minimum(s0 + _minutes(rng, 150, 210, len(sel)), day0 + int(11.8 * H) - M)
    hosp = venues.choose(rng, TYPE_IDX["hospital"], people.grid[sel], p_local=0.9)
    out.add(rows[sel], hosp, s0, s1)
    went = np.zeros(len(free), dtype=bool)
    went[sel] = True
    return went


@dataclass
class _Day:
    """What every errand slot of one day and chunk shares."""

    rng: np.random.Generator
    people: PersonArrays
    venues: Venues
    rows: np.ndarray
    day0: int
    weekend: bool
    out: Stays


def _errands(day: _Day, *, slot: str, busy: np.ndarray) -> None:
    """One errand slot: who goes out, which venue type, which venue, how long."""
    rng, people = day.rng, day.people
    w0, w1, p_occ, types = ERRANDS[slot]
    p = np.zeros(5)
    for occ, val in p_occ.items():
        p[occ] = min(1.0, val * (WEEKEND_BOOST if day.weekend else 1.0))
    who = np.flatnonzero(~busy & (rng.random(len(busy)) < p[people.occupation]))
    names = list(types)
    weights = np.array([types[t] for t in names])
    kind = rng.choice(len(names), size=len(who), p=weights / weights.sum())
    for i, tname in enumerate(names):
        sel = who[kind == i]
        if len(sel) == 0:
            continue
        venue = day.venues.choose(rng, TYPE_IDX[tname], people.grid[sel])
        lo, hi = DWELL_MIN[tname]
        start = day.day0 + _hours(rng, w0, w1 - lo / 60, len(sel))
        dwell = _minutes(rng, lo, hi, len(sel))
        end = np.minimum(start + dwell, day.day0 + int(w1 * H) - M)
        day.out.add(day.rows[sel], venue, start, end)


def day_stays(*, rng: np.random.Generator, people: PersonArrays, venues: Venues,
              day0: int, weekday: int) -> DayStays:
    """All stays of one day for one chunk of persons, sorted by person and time."""
    weekend = weekday >= 5
    rows = people.pid - 1
    out = Stays()
    at_work = _working_today(rng, people, venues, weekend)
    _work(rng=rng, people=people, venues=venues, rows=rows, at_work=at_work, day0=day0,
          out=out)
    common = _Day(rng, people, venues, rows, day0, weekend, out)
    nobody = np.zeros_like(at_work)
    _errands(common, slot="early", busy=nobody)
    morning_busy = at_work.copy()
    if weekday in DIALYSIS_DAYS:
        morning_busy |= _dialysis(rng=rng, people=people, venues=venues, rows=rows,
                                  free=~at_work, day0=day0, out=out)
    _errands(common, slot="morning", busy=morning_busy)
    _errands(common, slot="lunch", busy=at_work)
    _errands(common, slot="afternoon", busy=at_work)
    _errands(common, slot="evening", busy=nobody)
    return out.sorted()


def clip_isolated(stays: DayStays, iso_rows: np.ndarray, iso_ts: np.ndarray) -> DayStays:
    """Drop stays that begin after a person's isolation and cut those it interrupts."""
    if len(iso_rows) == 0:
        return stays
    order = np.argsort(iso_rows)
    pos = np.searchsorted(iso_rows[order], stays.pidx)
    pos = np.minimum(pos, len(iso_rows) - 1)
    hit = iso_rows[order][pos] == stays.pidx
    limit = np.where(hit, iso_ts[order][pos], np.iinfo(np.int64).max)
    keep = stays.ts < limit
    te = np.minimum(stays.te, limit)
    return DayStays(stays.pidx[keep], stays.venue[keep], stays.ts[keep], te[keep])


CHECKIN_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("venue_id", pa.int64()),
    ("ts", pa.timestamp("s", tz="UTC")), ("exit_ts", pa.timestamp("s", tz="UTC")),
    ("source", pa.string()),
])


def checkins_table(rng: np.random.Generator, stays: DayStays) -> pa.Table:
    """The contract's check-in rows; about a fifth of exits were never scanned."""
    n = len(stays)
    missing = rng.random(n) >= EXIT_RECORDED
    src = rng.choice(len(SOURCES), size=n, p=SOURCE_P)
    ts_type = pa.timestamp("s", tz="UTC")
    return pa.table({
        "person_id": stays.pidx + 1,
        "venue_id": stays.venue.astype(np.int64) + 1,
        "ts": pa.array(stays.ts, type=pa.int64()).cast(ts_type),
        "exit_ts": pa.array(stays.te, type=pa.int64(), mask=missing).cast(ts_type),
        "source": pa.DictionaryArray.from_arrays(
            pa.array(src.astype(np.int32)), pa.array(SOURCES)).cast(pa.string()),
    }, schema=CHECKIN_SCHEMA)
