"""Where agents meet: households every day, venues on their weekday's routine. Pure NumPy.

Transmission of one day, vectorised with bincount over venues and households; the cost grows
with the infectious agents and the visitors of the venues they visit, not with a loop over
agents:

- household: a susceptible member's daily infection probability is
  ``1 − exp(−beta_household · Σ infectiousness of the infectious members)``;
- venue: venue-level mixing normalised by its visitors (frequency-dependent), so a visitor's
  probability is ``1 − exp(−beta_venue · Σ infectiousness of infectious visitors / visitors)``
  and an infectious visit causes on average ``beta_venue`` infections whatever the venue's size.
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


@dataclass(frozen=True)
class Mixing:
    """Index structures of a population, built once and shared by all runs on it."""

    visit_agent: np.ndarray  # agent of each entry of visit_venue
    venue_ptr: np.ndarray  # (7, V + 1): per weekday, visits sorted by venue
    venue_agent: np.ndarray  # agent of each venue-sorted visit (7 days concatenated)
    base_visitors: np.ndarray  # (7, V) visits per venue and weekday
    household_ptr: np.ndarray  # (H + 1) into household_member
    household_member: np.ndarray  # agents sorted by household (stable)

    @classmethod
    def build(cls, pop: Population) -> Mixing:
        n, v = pop.size, pop.venue_count
        counts = np.diff(pop.visit_ptr, axis=1)
        visit_agent = np.concatenate(
            [np.repeat(np.arange(n, dtype=np.int32), counts[d]) for d in range(7)]
            ) if pop.visit_venue.size else np.zeros(0, np.int32)
        venue_ptr = np.zeros((7, v + 1), dtype=np.int64)
        base = np.zeros((7, v), dtype=np.int64)
        parts = []
        for d in range(7):
            lo, hi = pop.visit_ptr[d, 0], pop.visit_ptr[d, -1]
            venues = pop.visit_venue[lo:hi]
            order = np.argsort(venues, kind="stable")
            parts.append(visit_agent[lo:hi][order])
            base[d] = np.bincount(venues, minlength=v)
            venue_ptr[d, 0] = lo
            venue_ptr[d, 1:] = lo + np.cumsum(base[d])
        member = np.argsort(pop.household, kind="stable").astype(np.int32)
        n_households = int(pop.household.max()) + 1 if n else 0
        hh_counts = np.bincount(pop.household, minlength=n_households)
        hh_ptr = np.concatenate([[0], np.cumsum(hh_counts)]).astype(np.int64)
        venue_agent = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        return cls(visit_agent=visit_agent, venue_ptr=venue_ptr, venue_agent=venue_agent,
                   base_visitors=base, household_ptr=hh_ptr, household_member=member)


@dataclass(frozen=True)
class Exposures:
    """Candidate infections of one day: infectee, infector, and the venue (−1: household)."""

    infectee: np.ndarray
    infector: np.ndarray
    venue: np.ndarray

    @classmethod
    def none(cls) -> Exposures:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, empty)


def pick_sources(*, group: np.ndarray, weight: np.ndarray, source: np.ndarray,
                 target_group: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each target, one source of its group drawn in proportion to weight."""
    order = np.lexsort((source, group))
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
    homes, inv = np.unique(hh, return_inverse=True)
    pressure = np.bincount(inv, weights=weight)
    pos, owner = segments(mix.household_ptr[homes], mix.household_ptr[homes + 1])
    member = mix.household_member[pos]
    ok = open_target[member]
    member, owner = member[ok], owner[ok]
    hit = rng.random(len(member)) < 1.0 - np.exp(-beta * pressure[owner])
    member, owner = member[hit], owner[hit]
    infector = pick_sources(group=hh, weight=weight, source=src, target_group=homes[owner],
                            u=rng.random(len(member)))
    return Exposures(member.astype(np.int64), infector.astype(np.int64),
                     np.full(len(member), -1, dtype=np.int64))


@dataclass(frozen=True)
class VenueDay:
    """One day's venue mixing: infectious visits and the open visitors of those venues
    (what tracing looks back at)."""

    source_agent: np.ndarray
    source_venue: np.ndarray
    visitor_agent: np.ndarray
    visitor_venue: np.ndarray


def venue_day(*, pop: Population, mix: Mixing, weekday: int, src: np.ndarray,
              closed: np.ndarray) -> VenueDay:
    """Infectious visits of `src` (already open) and the open visitors of their venues."""
    ptr = pop.visit_ptr[weekday]
    pos, owner = segments(ptr[src], ptr[src + 1])
    venue = pop.visit_venue[pos].astype(np.int64)
    hot = np.unique(venue)
    vpos, vowner = segments(mix.venue_ptr[weekday, hot], mix.venue_ptr[weekday, hot + 1])
    visitor = mix.venue_agent[vpos]
    ok = ~closed[visitor]
    return VenueDay(source_agent=src[owner], source_venue=venue,
                    visitor_agent=visitor[ok].astype(np.int64),
                    visitor_venue=hot[vowner[ok]])


def open_visitors(*, pop: Population, mix: Mixing, weekday: int, closed_idx: np.ndarray
                  ) -> np.ndarray:
    """Visitors per venue on the weekday, less the visits of closed agents."""
    ptr = pop.visit_ptr[weekday]
    pos, _ = segments(ptr[closed_idx], ptr[closed_idx + 1])
    gone = np.bincount(pop.visit_venue[pos], minlength=pop.venue_count)
    return mix.base_visitors[weekday] - gone


def venue_exposures(*, rng: np.random.Generator, day: VenueDay, weight: np.ndarray,
                    visitors: np.ndarray, susceptible: np.ndarray, beta: float
                    ) -> Exposures:
    """Venue infections: `weight` is the infectiousness of each infectious visit."""
    if len(day.source_agent) == 0 or beta <= 0:
        return Exposures.none()
    pressure = np.bincount(day.source_venue, weights=weight, minlength=len(visitors))
    ok = susceptible[day.visitor_agent]
    who, venue = day.visitor_agent[ok], day.visitor_venue[ok]
    share = pressure[venue] / np.maximum(visitors[venue], 1)
    hit = rng.random(len(who)) < 1.0 - np.exp(-beta * share)
    who, venue = who[hit], venue[hit]
    infector = pick_sources(group=day.source_venue, weight=weight, source=day.source_agent,
                            target_group=venue, u=rng.random(len(who)))
    return Exposures(who, infector.astype(np.int64), venue)


def first_exposures(parts: list[Exposures], *, rng: np.random.Generator) -> Exposures:
    """One infection per infectee (a random one of its exposures that day)."""
    who = np.concatenate([p.infectee for p in parts])
    if len(who) == 0:
        return Exposures.none()
    infector = np.concatenate([p.infector for p in parts])
    venue = np.concatenate([p.venue for p in parts])
    order = np.lexsort((rng.random(len(who)), who))
    keep = order[np.r_[True, who[order][1:] != who[order][:-1]]]
    return Exposures(who[keep], infector[keep], venue[keep])
