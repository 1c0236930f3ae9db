"""The agent model's population: who lives with whom, where, and which venues they visit on
each weekday (a weekly routine). Pure NumPy, no Django.

`population_from_synth` builds it in memory from the synthetic city generator with the same
seeds as `fangkong.synth.generate.generate_city`, so for a given seed the agents are the demo
city's residents (same households, grids, ages and workplaces) and their weekly routine is the
first week of the demo city's check-ins (the stays of `synth.routines.day_stays`, before any
outbreak clipped them). Person and ID tables are not built: only the arrays the model needs.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import numpy as np

from fangkong.synth.generate import (
    CHUNK,
    GEO,
    HOUSING,
    PERSONS,
    ROUTINES,
    VENUES,
    _epoch_day,
    _rng,
)
from fangkong.synth.geography import Geography, build_geography
from fangkong.synth.housing import Housing, build_housing
from fangkong.synth.outbreak import DAY, TZ_OFFSET
from fangkong.synth.people import IdCounter, PersonArrays, make_persons
from fangkong.synth.routines import day_stays
from fangkong.synth.venues import Venues, build_venues

SYNTH_START = datetime.date(2022, 5, 1)  # generate_city's default first day (a Sunday)


@dataclass(frozen=True)
class Population:
    """Row i = agent i. ``visit_ptr[d, i]:visit_ptr[d, i + 1]`` indexes the venues agent i
    visits on weekday d (0 = Monday) in ``visit_venue``, which concatenates the 7 days."""

    age: np.ndarray  # int16 years
    household: np.ndarray  # int32 household index
    grid: np.ndarray  # int32 grid index; community, street: the same, coarser
    community: np.ndarray
    street: np.ndarray
    visit_ptr: np.ndarray  # (7, n + 1) int64
    visit_venue: np.ndarray  # int32 venue index, concatenated over days
    venue_count: int
    grid_ids: np.ndarray | None = None  # database ids of the grids (for maps); None in memory

    @property
    def size(self) -> int:
        return len(self.age)

    def visits_on(self, weekday: int) -> int:
        """Number of venue visits in the routine of one weekday."""
        return int(self.visit_ptr[weekday, -1] - self.visit_ptr[weekday, 0])


def routine_csr(*, n: int, days: list[tuple[np.ndarray, np.ndarray]]
                ) -> tuple[np.ndarray, np.ndarray]:
    """(visit_ptr, visit_venue) from 7 (agent, venue) arrays, one per weekday (Monday first).
    Visits keep their order within an agent (stable sort), e.g. the order of the day."""
    if len(days) != 7:
        raise ValueError(f"a weekly routine has 7 days, got {len(days)}")
    ptr = np.zeros((7, n + 1), dtype=np.int64)
    parts: list[np.ndarray] = []
    offset = 0
    for d, (agent, venue) in enumerate(days):
        order = np.argsort(agent, kind="stable")
        counts = np.bincount(agent, minlength=n)
        ptr[d, 0] = offset
        np.cumsum(counts, out=ptr[d, 1:])
        ptr[d, 1:] += offset
        parts.append(venue[order].astype(np.int32))
        offset += len(agent)
    venue_all = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return ptr, venue_all


def dense_codes(values: np.ndarray) -> np.ndarray:
    """Map arbitrary ids to 0..k−1 (int32), preserving their order."""
    _, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int32)


def _grid_parents(geo: Geography) -> tuple[np.ndarray, np.ndarray]:
    """(community index, street index) of each grid, from the admin table's parent ids."""
    level = np.array(geo.table.column("level").to_pylist())
    parent = geo.table.column("parent_id").to_numpy(zero_copy_only=False)
    unit = geo.table.column("unit_id").to_numpy()
    first = {name: int(unit[level == name].min()) for name in ("street", "community")}
    community = np.asarray(geo.grid_community, dtype=np.int64)
    community_unit = community + first["community"]
    street_unit = parent[community_unit - 1]  # unit ids are row + 1
    return community.astype(np.int32), (street_unit - first["street"]).astype(np.int32)


def _persons(seed: int, geo: Geography, housing: Housing, venues: Venues
             ) -> list[PersonArrays]:
    """The demo city's persons, chunk by chunk exactly as generate_city draws them."""
    ids = IdCounter(len(geo.district_code), _epoch_day(SYNTH_START))
    first_row = housing.first_person - 1
    cuts = np.searchsorted(first_row, np.arange(0, int(housing.size.sum()), CHUNK))
    edges = [*cuts.tolist(), housing.n_households]
    parts = []
    for ci, (lo, hi) in enumerate(itertools.pairwise(edges)):
        _, arrays = make_persons(
            _rng(seed, PERSONS, ci), housing=housing, geo=geo, venues=venues, lo=lo, hi=hi,
            start_day=_epoch_day(SYNTH_START), ids=ids, phone_salt=seed % 10**8)
        parts.append(arrays)
    return parts


def _week(seed: int, parts: list[PersonArrays], venues: Venues
          ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The stays of the demo city's first seven days, keyed by weekday."""
    by_weekday: list[tuple[np.ndarray, np.ndarray]] = [(np.zeros(0), np.zeros(0))] * 7
    for day in range(7):
        date = SYNTH_START + datetime.timedelta(days=day)
        day0 = _epoch_day(date) * DAY - TZ_OFFSET
        agents, places = [], []
        for ci, people in enumerate(parts):
            stays = day_stays(rng=_rng(seed, ROUTINES, day, ci), people=people, venues=venues,
                              day0=day0, weekday=date.weekday())
            agents.append(stays.pidx)
            places.append(stays.venue)
        by_weekday[date.weekday()] = (np.concatenate(agents), np.concatenate(places))
    return by_weekday


def population_from_synth(*, residents: int, seed: int) -> Population:
    """The synthetic city of `residents` for `seed`, in memory (see the module docstring)."""
    if residents < 1:
        raise ValueError(f"residents must be at least 1, got {residents}")
    geo = build_geography(_rng(seed, GEO), residents)
    housing = build_housing(_rng(seed, HOUSING), geo, residents)
    weight = np.bincount(housing.grid, minlength=geo.n_grids).astype(np.float64) + 1.0
    venues = build_venues(_rng(seed, VENUES), geo, weight, residents, seed)
    parts = _persons(seed, geo, housing, venues)
    grid = np.concatenate([p.grid for p in parts]).astype(np.int32)
    community, street = _grid_parents(geo)
    household = np.repeat(np.arange(housing.n_households, dtype=np.int32),
                          housing.size.astype(np.int64))
    ptr, venue = routine_csr(n=len(grid), days=_week(seed, parts, venues))
    return Population(
        age=np.concatenate([p.age for p in parts]).astype(np.int16),
        household=household, grid=grid, community=community[grid], street=street[grid],
        visit_ptr=ptr, visit_venue=venue, venue_count=len(venues.vtype))
