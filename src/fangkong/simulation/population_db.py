"""The agent model's population from the database: the registry's residents, their households
and grids, and their recorded venue check-ins as a weekly routine (the model's one Django part).

Each person's routine is their own last 7 days of check-ins (up to the last day they checked in
anywhere), each visit placed on its weekday in the city's time zone; the same venue twice on
one weekday counts once. People with no check-ins keep household contacts only. Residents are
the registry's active, non-temporary, unpurged persons; a person without a household lives
alone; an unknown birth date counts as ``UNKNOWN_AGE``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils import timezone

from fangkong.core.clock import city_today
from fangkong.core.jurisdiction import within
from fangkong.core.models import AdminUnit
from fangkong.healthcode.models import Checkin
from fangkong.registry.models import Person
from fangkong.simulation.population import Population, dense_codes, routine_csr

UNKNOWN_AGE = 40
WEEK = 7


def _age(birth: dt.date | None, today: dt.date) -> int:
    if birth is None:
        return UNKNOWN_AGE
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return max(0, min(years, 120))


def _codes_with_missing(values: list[int | None], *, fallback: np.ndarray) -> np.ndarray:
    """Dense codes; a missing value gets a code of its own (keyed by `fallback`)."""
    key = np.array([-1 if v is None else v for v in values], dtype=np.int64)
    missing = key < 0
    key[missing] = -1 - fallback[missing]
    return dense_codes(key)


def _residents(unit: AdminUnit | None) -> tuple[list[tuple], np.ndarray]:
    """(rows, person ids) of the residents in scope, in id order."""
    persons = Person.objects.filter(inactive_since__isnull=True, purged=False, temporary=False)
    if unit is not None:
        persons = within(persons, unit)
    rows = list(persons.order_by("id").values_list(
        "id", "household_id", "grid_id", "community_id", "street_id", "birth_date"))
    return rows, np.array([r[0] for r in rows], dtype=np.int64)


def _week(person_ids: np.ndarray, unit: AdminUnit | None
          ) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
    """Visits (agent, venue code) per weekday from each person's last 7 days of check-ins,
    and the number of venues."""
    checkins = Checkin.objects.filter(person__inactive_since__isnull=True,
                                      person__purged=False, person__temporary=False)
    if unit is not None:
        checkins = within(checkins, unit, via="person__")
    rows = list(checkins.order_by("ts", "id").values_list("person_id", "venue_id", "ts"))
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not rows:
        return [empty] * WEEK, 0
    agent = np.searchsorted(person_ids, np.array([r[0] for r in rows], dtype=np.int64))
    venue = dense_codes(np.array([r[1] for r in rows], dtype=np.int64))
    day = np.array([timezone.localtime(r[2]).date().toordinal() for r in rows], dtype=np.int64)
    last = np.full(len(person_ids), np.iinfo(np.int64).min)
    np.maximum.at(last, agent, day)
    recent = day > last[agent] - WEEK
    agent, venue, day = agent[recent], venue[recent], day[recent]
    weekday = (day - 1) % WEEK  # ordinal 1 (1 January of year 1) was a Monday
    key = (agent * WEEK + weekday) * (int(venue.max()) + 1) + venue
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)  # first visit of each (person, weekday, venue), in time order
    days = [(agent[keep][weekday[keep] == d], venue[keep][weekday[keep] == d])
            for d in range(WEEK)]
    return days, int(venue.max()) + 1 if len(venue) else 0


def population_from_database(*, unit_id: int | None = None) -> Population:
    """The residents of the city, or of the subtree of `unit_id`, with their weekly routine."""
    unit = None
    if unit_id is not None:
        unit = AdminUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise ValueError(f"unit_id {unit_id} does not exist")
    rows, person_ids = _residents(unit)
    today = city_today()
    grid_key = np.array([-1 if r[2] is None else r[2] for r in rows], dtype=np.int64)
    grid = _codes_with_missing([r[2] for r in rows], fallback=person_ids)
    grid_ids = np.zeros(int(grid.max()) + 1 if len(grid) else 0, dtype=np.int64)
    grid_ids[grid] = grid_key
    days, venue_count = _week(person_ids, unit)
    ptr, visit_venue = routine_csr(n=len(rows), days=days)
    return Population(
        age=np.array([_age(r[5], today) for r in rows], dtype=np.int16),
        household=_codes_with_missing([r[1] for r in rows], fallback=person_ids),
        grid=grid,
        community=_codes_with_missing([r[3] for r in rows], fallback=person_ids),
        street=_codes_with_missing([r[4] for r in rows], fallback=person_ids),
        visit_ptr=ptr, visit_venue=visit_venue, venue_count=venue_count, grid_ids=grid_ids)
