"""Ground-truth outbreak: who infected whom, where and when, and the cases it produces.

The simulation walks the days alongside the routine generator. Each day it takes the day's
stays, keeps the venues that an infectious person visited, and draws transmission only for
the stays that overlapped those visits (probability rising with overlap minutes and the
venue type's multiplier), plus household transmission. The cost grows with the infections,
not with the city. Parameters and their sources are listed in docs/synth.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from fangkong.synth.routines import DayStays
from fangkong.synth.venues import VENUE_TYPES

DAY = 86400
TZ_OFFSET = 8 * 3600  # Asia/Shanghai has no daylight saving time
NEVER = np.iinfo(np.int64).max
INCUBATION_LOG = (1.644, 0.363)  # lognormal meanlog, sdlog in days (Ferretti 2020 / Lauer)
SYMPTOMATIC_BY_DECADE = np.array([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9])  # Covasim
PRESYMPTOMATIC_D = 2.0
MIN_LATENT_D = 1.0
INFECTIOUS_D = 7.0  # after onset (or after becoming infectious, if asymptomatic)
ASYMPTOMATIC_REL = 0.5
HOUSEHOLD_HAZARD = 0.2  # per infectious day, per household member
VENUE_HAZARD_PER_MIN = 7e-5  # times the venue type's multiplier
CROWD_REF = 40  # above this many visitors a day, a visitor meets a shrinking share of them
SAMPLE_DELAY_WEIBULL = (1.65, 1.2)  # onset → sample, shape and scale in days
ASYMPTOMATIC_FOUND = 0.75  # found by screening within the window
ASYMPTOMATIC_FOUND_D = (2.0, 7.0)  # days after infection
RESULT_DELAY_H = (6.0, 30.0)  # sample → isolation
SETTINGS = ["seed", "household", "venue"]
SEED, HOUSEHOLD, VENUE = range(3)
VENUE_MULT = np.array([v[2] for v in VENUE_TYPES.values()])


@dataclass
class Infections:
    """Columns of the infection list, one array per batch (a batch per day)."""

    row: list[np.ndarray] = field(default_factory=list)
    infector: list[np.ndarray] = field(default_factory=list)  # person row, −1 for seeds
    t: list[np.ndarray] = field(default_factory=list)
    setting: list[np.ndarray] = field(default_factory=list)
    venue: list[np.ndarray] = field(default_factory=list)  # venue row, −1 if none
    gen: list[np.ndarray] = field(default_factory=list)
    onset: list[np.ndarray] = field(default_factory=list)  # NEVER if asymptomatic
    start: list[np.ndarray] = field(default_factory=list)  # infectious from
    end: list[np.ndarray] = field(default_factory=list)  # infectious until
    sample: list[np.ndarray] = field(default_factory=list)  # NEVER if never found
    isolated: list[np.ndarray] = field(default_factory=list)  # NEVER if never found

    def col(self, name: str) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


@dataclass
class Outbreak:
    """Infection state over all persons of the city (person row = person_id − 1)."""

    household_first: np.ndarray  # first person row of each household
    household_size: np.ndarray
    age: np.ndarray  # years, per person row
    venue_type: np.ndarray  # type index per venue row
    infected: np.ndarray = field(init=False)
    log: Infections = field(default_factory=Infections)

    def __post_init__(self) -> None:
        self.infected = np.zeros(len(self.age), dtype=bool)

    def seed(self, *, rng: np.random.Generator, n: int, start: int) -> None:
        """Index infections among working-age adults, infected 0–3 days before the start."""
        adults = np.flatnonzero((self.age >= 18) & (self.age < 60))
        rows = np.sort(rng.choice(adults, size=min(n, len(adults)), replace=False))
        t = start - (rng.uniform(0.0, 3.0, len(rows)) * DAY).astype(np.int64)
        minus = np.full(len(rows), -1, dtype=np.int64)
        self._add(rng=rng, rows=rows, infector=minus, t=t, setting=np.full(len(rows), SEED),
                  venue=minus, gen=np.zeros(len(rows), dtype=np.int64))

    def isolation(self) -> tuple[np.ndarray, np.ndarray]:
        """(person rows, isolated_at) of everyone who will be isolated."""
        iso = self.log.col("isolated")
        found = iso < NEVER
        return self.log.col("row")[found], iso[found]

    def _add(self, *, rng: np.random.Generator, rows: np.ndarray, infector: np.ndarray,
             t: np.ndarray, setting: np.ndarray, venue: np.ndarray, gen: np.ndarray) -> None:
        """Record new infections and draw their course: incubation, symptoms, detection."""
        n = len(rows)
        inc = rng.lognormal(*INCUBATION_LOG, n) * DAY
        decade = np.minimum(self.age[rows] // 10, 8).astype(np.int64)
        symptomatic = rng.random(n) < SYMPTOMATIC_BY_DECADE[decade]
        start = t + np.maximum(MIN_LATENT_D * DAY, inc - PRESYMPTOMATIC_D * DAY).astype(np.int64)
        onset = np.where(symptomatic, t + inc.astype(np.int64), NEVER)
        natural_end = np.where(symptomatic, onset, start) + int(INFECTIOUS_D * DAY)
        delay = rng.weibull(SAMPLE_DELAY_WEIBULL[0], n) * SAMPLE_DELAY_WEIBULL[1] * DAY
        found_asym = rng.random(n) < ASYMPTOMATIC_FOUND
        screen = t + (rng.uniform(*ASYMPTOMATIC_FOUND_D, n) * DAY).astype(np.int64)
        sample = np.where(symptomatic, onset + delay.astype(np.int64),
                          np.where(found_asym, screen, NEVER))
        result = (rng.uniform(*RESULT_DELAY_H, n) * 3600).astype(np.int64)
        isolated = np.where(sample < NEVER, sample + result, NEVER)
        self.infected[rows] = True
        for name, val in (("row", rows), ("infector", infector), ("t", t),
                          ("setting", setting), ("venue", venue), ("gen", gen),
                          ("onset", onset), ("start", start),
                          ("end", np.minimum(natural_end, isolated)),
                          ("sample", sample), ("isolated", isolated)):
            getattr(self.log, name).append(np.asarray(val, dtype=np.int64))

    def step(self, *, rng: np.random.Generator, day0: int, stays: DayStays) -> int:
        """Transmission during [day0, day0 + 1 day); returns the number of new infections."""
        start, end = self.log.col("start"), self.log.col("end")
        active = np.flatnonzero((start < day0 + DAY) & (end > day0) & (start < end))
        if len(active) == 0:
            return 0
        onset = self.log.col("onset")[active]
        src = _Sources(self.log.col("row")[active], np.maximum(start[active], day0),
                       np.minimum(end[active], day0 + DAY), self.log.col("gen")[active],
                       np.where(onset < NEVER, 1.0, ASYMPTOMATIC_REL))
        cand = [self._household(rng, src), self._venues(rng, src, stays)]
        infectee, k, t, setting, venue = (np.concatenate(c) for c in zip(*cand, strict=True))
        if len(infectee) == 0:
            return 0
        order = np.lexsort((k, t, infectee))
        first = order[np.r_[True, infectee[order][1:] != infectee[order][:-1]]]
        self._add(rng=rng, rows=infectee[first], infector=src.row[k[first]], t=t[first],
                  setting=setting[first], venue=venue[first], gen=src.gen[k[first]] + 1)
        return len(first)

    def _household(self, rng: np.random.Generator, src: _Sources) -> tuple[np.ndarray, ...]:
        """Each susceptible household member of an infectious person, at a daily hazard."""
        hh = np.searchsorted(self.household_first, src.row, side="right") - 1
        size = self.household_size[hh]
        k = np.repeat(np.arange(len(src.row)), size)
        member = np.repeat(self.household_first[hh], size) + _ranks(size)
        ok = (member != src.row[k]) & ~self.infected[member]
        k, member = k[ok], member[ok]
        span = (src.w1 - src.w0)[k]
        p = 1 - np.exp(-HOUSEHOLD_HAZARD * src.rel[k] * span / DAY)
        hit = rng.random(len(k)) < p
        k, member, span = k[hit], member[hit], span[hit]
        t = src.w0[k] + (rng.random(len(k)) * span).astype(np.int64)
        return member, k, t, np.full(len(k), HOUSEHOLD), np.full(len(k), -1)

    def _venues(self, rng: np.random.Generator, src: _Sources, stays: DayStays
                ) -> tuple[np.ndarray, ...]:
        """Stays overlapping an infectious person's stay at the same venue."""
        pos = np.searchsorted(src.row, stays.pidx)
        pos = np.minimum(pos, len(src.row) - 1)
        own = np.flatnonzero(src.row[pos] == stays.pidx)
        k = pos[own]
        a = np.maximum(stays.ts[own], src.w0[k])
        b = np.minimum(stays.te[own], src.w1[k])
        live = a < b
        own, k, a, b = own[live], k[live], a[live], b[live]
        hot = np.zeros(len(self.venue_type), dtype=bool)
        hot[stays.venue[own]] = True
        near = np.flatnonzero(hot[stays.venue])
        near = near[np.argsort(stays.venue[near], kind="stable")]
        v_sorted = stays.venue[near]
        lo = np.searchsorted(v_sorted, stays.venue[own], side="left")
        cnt = np.searchsorted(v_sorted, stays.venue[own], side="right") - lo
        i = np.repeat(np.arange(len(own)), cnt)
        j = near[np.repeat(lo, cnt) + _ranks(cnt)]
        ov0 = np.maximum(a[i], stays.ts[j])
        ov1 = np.minimum(b[i], stays.te[j])
        who = stays.pidx[j]
        ok = (ov1 > ov0) & ~self.infected[who]
        i, who, ov0, ov1 = i[ok], who[ok], ov0[ok], ov1[ok]
        # frequency-dependent: big venues do not multiply the close contacts of a visit
        venue = stays.venue[own[i]].astype(np.int64)
        crowd = np.maximum(1.0, cnt[i] / CROWD_REF)
        haz = VENUE_HAZARD_PER_MIN * VENUE_MULT[self.venue_type[venue]] * src.rel[k[i]] / crowd
        hit = rng.random(len(i)) < 1 - np.exp(-haz * (ov1 - ov0) / 60)
        t = ov0[hit] + (rng.random(int(hit.sum())) * (ov1 - ov0)[hit]).astype(np.int64)
        return who[hit], k[i][hit], t, np.full(len(t), VENUE), venue[hit]


@dataclass
class _Sources:
    """Infectious persons of one day, sorted by row, with their infectious part of it."""

    row: np.ndarray
    w0: np.ndarray
    w1: np.ndarray
    gen: np.ndarray
    rel: np.ndarray

    def __post_init__(self) -> None:
        order = np.argsort(self.row)
        for name in ("row", "w0", "w1", "gen", "rel"):
            setattr(self, name, getattr(self, name)[order])


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0..c−1 for each count c, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


def _ts(values: np.ndarray) -> pa.Array:
    """Epoch seconds → timestamp[s, UTC], NEVER → null."""
    return pa.array(values, type=pa.int64(), mask=values == NEVER).cast(
        pa.timestamp("s", tz="UTC"))


def _local_date(values: np.ndarray) -> pa.Array:
    """Epoch seconds → the city's calendar date, NEVER → null."""
    days = np.where(values == NEVER, 0, (values + TZ_OFFSET) // DAY)
    return pa.array(days.astype(np.int32), type=pa.int32(), mask=values == NEVER).cast(
        pa.date32())


def infections_table(log: Infections) -> pa.Table:
    """The ground-truth infection tree, in order of infection time."""
    c = {name: log.col(name) for name in ("row", "infector", "t", "setting", "venue", "gen",
                                          "onset", "start", "end")}
    order = np.lexsort((c["row"], c["t"]))
    c = {k: v[order] for k, v in c.items()}
    return pa.table({
        "person_id": c["row"] + 1,
        "infector_id": pa.array(c["infector"] + 1, mask=c["infector"] < 0),
        "infected_at": _ts(c["t"]),
        "setting": pa.array(np.array(SETTINGS)[c["setting"]]),
        "venue_id": pa.array(c["venue"] + 1, mask=c["venue"] < 0),
        "generation": c["gen"].astype(np.int32),
        "onset_at": _ts(c["onset"]),
        "asymptomatic": c["onset"] == NEVER,
        "infectious_from": _ts(c["start"]),
        "infectious_until": _ts(c["end"]),
    })


def cases_table(log: Infections, *, until: int) -> pa.Table:
    """Infections sampled before `until` (the end of the data window), numbered in order of
    sampling; an infection without symptoms by its sample is classified asymptomatic."""
    row, onset = log.col("row"), log.col("onset")
    sample, iso = log.col("sample"), log.col("isolated")
    found = np.flatnonzero(sample < until)
    found = found[np.lexsort((row[found], sample[found]))]
    onset_f = onset[found]
    return pa.table({
        "case_id": np.arange(1, len(found) + 1, dtype=np.int64),
        "person_id": row[found] + 1,
        "onset_date": _local_date(onset_f),
        "sample_date": _local_date(sample[found]),
        "classification": pa.array(np.where(onset_f == NEVER, "asymptomatic", "confirmed")),
        "isolated_at": _ts(iso[found]),
    })
