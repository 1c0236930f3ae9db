"""Where agents meet: households every day, venues on their weekday's routine. Pure NumPy.

Transmission of one day, vectorised with bincount over venues and households; the cost grows
with the infectious agents and the visitors of the venues they visit, not with a loop over
agents:

- household: a susceptible member's daily infection probability is
  ``1 − exp(−beta_household · Σ infectiousness of the infectious members)``;
- venue: mixing within a room of the venue (at most ``ROOM`` visitors, see `Mixing`),
  normalised by the room's routine visits (frequency-dependent), so a visitor's probability
  is ``1 − exp(−beta_venue · Σ infectiousness of the room's infectious visitors / visits)``
  and an infectious visit causes on average ``beta_venue`` infections whatever the venue's
  size.

The denominator is the room's usual visit count, whoever stays away that day: each pair of
room-mates is a contact of fixed weight (as Covasim's edges), so isolating, quarantining or
sealing someone removes their contacts and leaves the others' as they were. Dividing by the
visits still open instead would concentrate the remaining infectious visits on fewer people
every time a case is found, and made a 3-day test delay worse than no testing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fangkong.simulation.population import Population


def segments(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated ranges [lo_j, hi_j) and, for each element, the j it came from."""
    counts = (hi - lo).astype(np.int64)
    owner = np.repeat(np.arange(len(lo)), counts)
    starts = np.cumsum(counts) - counts
    idx = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts - lo, counts)
    return idx, owner


ROOM = 40  # most people one visitor mixes with at a venue in a day (as the synthetic outbreak)


@dataclass(frozen=True)
class Mixing:
    """Index structures of a population, built once and shared by all runs on it.

    Mixing happens in rooms: a venue's visitors of a weekday are split round-robin, in agent
    order, into ceil(visitors / ROOM) rooms, so a big office has departments, a school
    classes, a mall its crowds; the same people share a room every week. Room ids are per
    weekday; ``room_of_visit`` is aligned with ``Population.visit_venue``."""

    room_of_visit: np.ndarray  # room of each visit (int32, ids per weekday)
    room_ptr: list[np.ndarray]  # per weekday (rooms + 1) into room_agent
    room_agent: np.ndarray  # agents sorted by room, the 7 days concatenated
    room_base: list[np.ndarray]  # per weekday: visits per room
    household_ptr: np.ndarray  # (H + 1) into household_member
    household_member: np.ndarray  # agents sorted by household (stable)

    @classmethod
    def build(cls, pop: Population) -> Mixing:
        n = pop.size
        counts = np.diff(pop.visit_ptr, axis=1)
        room_of_visit = np.zeros(len(pop.visit_venue), dtype=np.int32)
        room_agent = np.zeros(len(pop.visit_venue), dtype=np.int32)
        room_ptr, room_base = [], []
        for d in range(7):
            lo, hi = int(pop.visit_ptr[d, 0]), int(pop.visit_ptr[d, -1])
            agent = np.repeat(np.arange(n, dtype=np.int32), counts[d])
            room, ptr, base = _rooms(pop.visit_venue[lo:hi], pop.venue_count)
            room_of_visit[lo:hi] = room
            order = np.argsort(room, kind="stable")
            room_agent[lo:hi] = agent[order]
            room_ptr.append(ptr + lo)
            room_base.append(base)
        member = np.argsort(pop.household, kind="stable").astype(np.int32)
        n_households = int(pop.household.max()) + 1 if n else 0
        hh_counts = np.bincount(pop.household, minlength=n_households)
        hh_ptr = np.concatenate([[0], np.cumsum(hh_counts)]).astype(np.int64)
        return cls(room_of_visit=room_of_visit, room_ptr=room_ptr, room_agent=room_agent,
                   room_base=room_base, household_ptr=hh_ptr, household_member=member)


def _rooms(venue: np.ndarray, venue_count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Room of each visit of one weekday, the rooms' CSR pointer and their visit counts."""
    visitors = np.bincount(venue, minlength=venue_count)
    rooms = -(-visitors // ROOM)
    first_room = np.cumsum(rooms) - rooms
    order = np.argsort(venue, kind="stable")
    first_visit = np.cumsum(visitors) - visitors
    rank = np.empty(len(venue), dtype=np.int64)
    rank[order] = np.arange(len(venue)) - first_visit[venue[order]]
    room = (first_room[venue] + rank % np.maximum(rooms[venue], 1)).astype(np.int32)
    base = np.bincount(room, minlength=int(rooms.sum()))
    ptr = np.concatenate([[0], np.cumsum(base)]).astype(np.int64)
    return room, ptr, base


@dataclass(frozen=True)
class Exposures:
    """Candidate infections of one day: infectee, infector, and the room (−1: household)."""

    infectee: np.ndarray
    infector: np.ndarray
    room: np.ndarray

    @classmethod
    def none(cls) -> Exposures:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, empty)


def pick_sources(*, group: np.ndarray, weight: np.ndarray, source: np.ndarray,
                 target_group: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each target, one source of its group drawn in proportion to weight (only the
    groups with a target are sorted)."""
    if len(target_group) == 0:
        return np.zeros(0, dtype=np.int64)
    need = np.zeros(int(max(group.max(), target_group.max())) + 1, dtype=bool)
    need[target_group] = True
    sel = np.flatnonzero(need[group])
    group, weight, source = group[sel], weight[sel], source[sel]
    order = np.argsort(group)
    g, w = group[order], weight[order]
    cw = np.cumsum(w)
    first = np.searchsorted(g, target_group, side="left")
    last = np.searchsorted(g, target_group, side="right") - 1
    before = np.where(first > 0, cw[np.maximum(first - 1, 0)], 0.0)
    total = cw[last] - before
    pos = np.searchsorted(cw, before + u * total, side="right")
    return source[order][np.clip(pos, first, last)]


def household_exposures(*, rng: np.random.Generator, pop: Population, mix: Mixing,
                        src: np.ndarray, weight: np.ndarray, open_target: np.ndarray,
                        beta: float) -> Exposures:
    """Household infections from infectious agents `src` (weight = infectiousness) of
    susceptible members for whom ``open_target`` is true."""
    if len(src) == 0 or beta <= 0:
        return Exposures.none()
    hh = pop.household[src]
    pressure = np.bincount(hh, weights=weight, minlength=len(mix.household_ptr) - 1)
    homes = np.flatnonzero(pressure)
    chance = 1.0 - np.exp(-beta * pressure[homes])
    pos, owner = segments(mix.household_ptr[homes], mix.household_ptr[homes + 1])
    member = mix.household_member[pos]
    ok = open_target[member]
    member, owner = member[ok], owner[ok]
    hit = rng.random(len(member)) < chance[owner]
    member, owner = member[hit], owner[hit]
    infector = pick_sources(group=hh, weight=weight, source=src, target_group=homes[owner],
                            u=rng.random(len(member)))
    return Exposures(member.astype(np.int64), infector.astype(np.int64),
                     np.full(len(member), -1, dtype=np.int64))


@dataclass(frozen=True)
class VenueDay:
    """One day's venue mixing: the rooms of infectious visits and the open visitors of those
    rooms (what tracing looks back at)."""

    source_agent: np.ndarray
    source_room: np.ndarray
    visitor_agent: np.ndarray
    visitor_room: np.ndarray


def venue_day(*, pop: Population, mix: Mixing, weekday: int, src: np.ndarray,
              keep: np.ndarray) -> VenueDay:
    """Infectious visits of `src` (already open) and the visitors of their rooms for whom
    `keep` is true (the open ones for tracing; the open susceptible ones otherwise)."""
    ptr = pop.visit_ptr[weekday]
    pos, owner = segments(ptr[src], ptr[src + 1])
    room = mix.room_of_visit[pos]
    rptr = mix.room_ptr[weekday]
    mark = np.zeros(len(rptr) - 1, dtype=bool)
    mark[room] = True
    hot = np.flatnonzero(mark)
    vpos, vowner = segments(rptr[hot], rptr[hot + 1])
    visitor = mix.room_agent[vpos]
    ok = keep[visitor]
    return VenueDay(source_agent=src[owner], source_room=room,
                    visitor_agent=visitor[ok].astype(np.int64),
                    visitor_room=hot[vowner[ok]])


def room_chance(*, day: VenueDay, weight: np.ndarray, visitors: np.ndarray, beta: float
                ) -> np.ndarray:
    """Each room's chance of infecting one of its susceptible visitors today; `visitors` is
    the rooms' routine visit count (``Mixing.room_base``), closed visits included."""
    pressure = np.bincount(day.source_room, weights=weight, minlength=len(visitors))
    return -np.expm1(-beta * pressure / np.maximum(visitors, 1))


def venue_exposures(*, rng: np.random.Generator, day: VenueDay, weight: np.ndarray,
                    visitors: np.ndarray, susceptible: np.ndarray, beta: float
                    ) -> Exposures:
    """Venue infections: `weight` is the infectiousness of each infectious visit."""
    if len(day.source_agent) == 0 or beta <= 0:
        return Exposures.none()
    chance = room_chance(day=day, weight=weight, visitors=visitors, beta=beta)
    ok = susceptible[day.visitor_agent]
    who, room = day.visitor_agent[ok], day.visitor_room[ok]
    hit = rng.random(len(who)) < chance[room]
    who, room = who[hit], room[hit]
    infector = pick_sources(group=day.source_room, weight=weight, source=day.source_agent,
                            target_group=room, u=rng.random(len(who)))
    return Exposures(who, infector.astype(np.int64), room)


def first_exposures(parts: list[Exposures], *, rng: np.random.Generator) -> Exposures:
    """One infection per infectee (a random one of its exposures that day)."""
    who = np.concatenate([p.infectee for p in parts])
    if len(who) == 0:
        return Exposures.none()
    infector = np.concatenate([p.infector for p in parts])
    room = np.concatenate([p.room for p in parts])
    order = np.lexsort((rng.random(len(who)), who))
    keep = order[np.r_[True, who[order][1:] != who[order][:-1]]]
    return Exposures(who[keep], infector[keep], room[keep])
