"""Interventions of the agent model: who is found, isolated, quarantined and sealed. Pure NumPy.

- Symptomatic testing: a symptomatic agent's positive result comes ``test_delay`` days after
  onset (whole days, floor(delay + U)); from that day it is isolated (no contacts at all)
  to the end of the run. Outlasting the infection changes no transmission (a recovered agent
  neither infects nor is infected, and its visits stay in the rooms' denominators); only
  screening skips it and tracing does not quarantine it, as for discharged cases.
- Tracing: from a positive result, each household member and each venue co-visitor of the
  case's infectious days (looking back ``LOOKBACK`` days) is found with ``trace_coverage``
  and quarantined ``trace_delay`` days later for ``quarantine_days`` (centralised quarantine:
  no household or venue contacts), with a PCR tube at entry and at exit.
- Screening: every ``screening_interval`` days each agent who is not isolated or quarantined
  gives a swab with ``screening_coverage``; swabs are pooled ``pool_size`` at a time in
  household order (families queue together). A pool is positive when the mean of its
  members' loads reaches the limit of detection, so dilution costs log2(k) Ct
  (papers.md §1.3); members of a positive pool are held for a single-tube retest whose result
  comes the day after (a pool of 1 is a single tube, its result the next day).
- Sealing: a positive result seals the case's grid, community or street for ``seal_days``;
  residents of a sealed area keep their household contacts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fangkong.simulation.agents_history import LOD_LOG, NEVER, Course, stochastic_days, swab
from fangkong.simulation.agents_mixing import Mixing, VenueDay, segments
from fangkong.simulation.population import Population

LOOKBACK = 14  # days of venue visits kept for tracing
SCREEN_RESULT_DAYS = 1  # swab to pooled result (and single-tube retest to result)


@dataclass
class Control:
    """Per-agent intervention state and the days' pending events."""

    n: int
    detected: np.ndarray = field(init=False)  # day of the positive result (isolated from)
    q_from: np.ndarray = field(init=False)
    q_until: np.ndarray = field(init=False)  # first day out of quarantine
    seal_until: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    due_result: dict[int, list[np.ndarray]] = field(default_factory=dict)
    due_quarantine: dict[int, list[np.ndarray]] = field(default_factory=dict)
    due_hold: dict[int, list[np.ndarray]] = field(default_factory=dict)
    due_found: dict[int, list[np.ndarray]] = field(default_factory=dict)
    due_exit: dict[int, list[np.ndarray]] = field(default_factory=dict)
    venue_log: dict[int, VenueDay] = field(default_factory=dict)
    tubes: int = 0

    def __post_init__(self) -> None:
        self.detected = np.full(self.n, NEVER, dtype=np.int32)
        self.q_from = np.full(self.n, NEVER, dtype=np.int32)
        self.q_until = np.zeros(self.n, dtype=np.int32)

    def isolated(self, day: int) -> np.ndarray:
        return self.detected <= day

    def quarantined(self, day: int) -> np.ndarray:
        return (self.q_from <= day) & (self.q_until > day) & (self.detected > day)

    def schedule(self, book: dict[int, list[np.ndarray]], day: int, who: np.ndarray) -> None:
        book.setdefault(day, []).append(who.astype(np.int64))

    def take(self, book: dict[int, list[np.ndarray]], day: int) -> np.ndarray:
        parts = book.pop(day, [])
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def pcr_positive(rng: np.random.Generator, course: Course, idx: np.ndarray, day: int
                 ) -> np.ndarray:
    """Single-tube PCR of agents `idx` on `day`."""
    return swab(rng, course.viral_load(idx, day)) >= LOD_LOG


def pool_positive(*, rng: np.random.Generator, course: Course, order: np.ndarray, day: int,
                  pool_size: int) -> tuple[np.ndarray, int]:
    """Members (agents) of positive pools, and the number of pools, for swabs in `order`."""
    sizes = members_per_pool(len(order), pool_size)
    infected = course.infected[order] <= day
    pos = np.flatnonzero(infected)
    load = swab(rng, course.viral_load(order[pos], day))
    total = np.bincount(pos // pool_size, weights=10.0 ** load, minlength=len(sizes))
    hot = np.flatnonzero(total / np.maximum(sizes, 1) >= 10.0 ** LOD_LOG)
    lo = hot * pool_size
    idx, _ = segments(lo, np.minimum(lo + pool_size, len(order)))
    return order[idx], len(sizes)


def members_per_pool(swabs: int, pool_size: int) -> np.ndarray:
    """Size of each pool when `swabs` are cut into pools of `pool_size` (last one short)."""
    pools = -(-swabs // pool_size)
    sizes = np.full(pools, pool_size, dtype=np.int64)
    if pools and swabs % pool_size:
        sizes[-1] = swabs % pool_size
    return sizes


def venue_contacts(*, log: dict[int, VenueDay], cases: np.ndarray, day: int, n: int,
                   rooms: list[int]) -> np.ndarray:
    """Open co-visitors (same room, same day) of the cases' infectious venue visits over the
    last LOOKBACK days; `rooms` is the number of rooms of each weekday."""
    is_case = np.zeros(n, dtype=bool)
    is_case[cases] = True
    found = []
    for past in range(day - LOOKBACK, day):
        entry = log.get(past)
        if entry is None:
            continue
        mark = np.zeros(rooms[past % 7], dtype=bool)
        mark[entry.source_room[is_case[entry.source_agent]]] = True
        found.append(entry.visitor_agent[mark[entry.visitor_room]])
    if not found:
        return np.zeros(0, np.int64)
    everyone = np.unique(np.concatenate(found))
    return everyone[~is_case[everyone]]


def household_contacts(*, pop: Population, mix: Mixing, cases: np.ndarray) -> np.ndarray:
    homes = np.unique(pop.household[cases])
    pos, _ = segments(mix.household_ptr[homes], mix.household_ptr[homes + 1])
    return mix.household_member[pos].astype(np.int64)


def seal_area(pop: Population, seal: str) -> np.ndarray | None:
    """Each agent's sealable area, or None when sealing is off."""
    return None if seal == "none" else getattr(pop, seal)


def traced(*, rng: np.random.Generator, contacts: np.ndarray, cases: np.ndarray,
           coverage: float) -> np.ndarray:
    """The contacts found: each with probability `coverage`, never a case itself."""
    contacts = np.setdiff1d(contacts, cases)
    return contacts[rng.random(len(contacts)) < coverage]


def first_days(rng: np.random.Generator, day: int, delay: float, who: np.ndarray
               ) -> dict[int, np.ndarray]:
    """Group `who` by the day their delay (mean `delay` days) ends."""
    when = day + stochastic_days(rng, delay, len(who))
    return {int(d): who[when == d] for d in np.unique(when)}


def trace_all(*, rng: np.random.Generator, ctl: Control, pop: Population, mix: Mixing,
              cases: np.ndarray, day: int, coverage: float, delay: float) -> None:
    """Find the cases' contacts and book their quarantine."""
    if coverage <= 0 or len(cases) == 0:
        return
    near = np.concatenate([
        household_contacts(pop=pop, mix=mix, cases=cases),
        venue_contacts(log=ctl.venue_log, cases=cases, day=day, n=pop.size,
                       rooms=[len(b) for b in mix.room_base])])
    found = traced(rng=rng, contacts=near, cases=cases, coverage=coverage)
    for when, who in first_days(rng, day, delay, found).items():
        ctl.schedule(ctl.due_quarantine, when, who)
