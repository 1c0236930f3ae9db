"""The agent model's population from the database: the registry's residents, their households
and grids, and their recorded venue check-ins as a weekly routine (the model's one Django part).

Each person's routine is their own last 7 days of check-ins (up to the last day they checked in
anywhere), each visit placed on its weekday in the city's time zone; the same venue twice on
one weekday counts once. Check-ins come from the movement folder (``MOVEMENT_DIR``: the
synthetic city's and the live exports' day files, the last 7 days it holds; the city's bulk of
check-ins lives there, not in the database) and from the database's ``Checkin`` table (what
the export job has not written out yet). People with no check-ins keep household contacts
only. Residents are the registry's active, non-temporary, unpurged persons; a person without
a household lives alone; an unknown birth date counts as ``UNKNOWN_AGE``.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
from django.conf import settings

from fangkong.core.clock import city_today
from fangkong.core.jurisdiction import within
from fangkong.core.models import AdminUnit
from fangkong.healthcode.models import Checkin
from fangkong.registry.models import Person
from fangkong.simulation.population import Population, dense_codes, routine_csr
from fangkong.tracing.movement import DAY_FILE, movement_dir

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


def _recent_files() -> list[str]:
    """The movement folder's check-in day files of its last 7 days (live exports included)."""
    folder = movement_dir() / "checkins"
    dated = [(dt.date.fromisoformat(m.group(1)), str(path))
             for path in sorted(folder.glob("*.parquet")) if (m := DAY_FILE.search(path.name))]
    if not dated:
        return []
    last = max(day for day, _ in dated)
    return [path for day, path in dated if day > last - dt.timedelta(days=WEEK)]


def _stored(person_ids: np.ndarray, unit: AdminUnit | None) -> list[np.ndarray]:
    """(person id, venue id, epoch seconds) of the check-ins: the movement folder's recent
    files, then the database's rows."""
    parts = []
    files = _recent_files()
    if files:
        table = duckdb.connect().execute(
            "SELECT person_id, venue_id, epoch(ts) AS t FROM read_parquet($files) "
            "WHERE person_id BETWEEN $lo AND $hi",
            {"files": files, "lo": int(person_ids.min(initial=0)),
             "hi": int(person_ids.max(initial=0))}).fetchnumpy()
        parts.append([np.asarray(table[k]).astype(np.int64) for k in ("person_id", "venue_id")]
                     + [np.asarray(table["t"]).astype(np.float64)])
    checkins = Checkin.objects.filter(person__inactive_since__isnull=True,
                                      person__purged=False, person__temporary=False)
    if unit is not None:
        checkins = within(checkins, unit, via="person__")
    rows = list(checkins.values_list("person_id", "venue_id", "ts"))
    parts.append([np.array([r[0] for r in rows], dtype=np.int64),
                  np.array([r[1] for r in rows], dtype=np.int64),
                  np.array([r[2].timestamp() for r in rows], dtype=np.float64)])
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def _local_ordinals(seconds: np.ndarray) -> np.ndarray:
    """Proleptic ordinals of the local days (the city's zone) of epoch seconds."""
    local = pd.to_datetime(seconds, unit="s", utc=True).tz_convert(settings.TIME_ZONE)
    days = local.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
    return days.astype(np.int64) + dt.date(1970, 1, 1).toordinal()


def _week(person_ids: np.ndarray, unit: AdminUnit | None
          ) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
    """Visits (agent, venue code) per weekday from each person's last 7 days of check-ins,
    and the number of venues."""
    person, venue_id, seconds = _stored(person_ids, unit)
    agent = np.searchsorted(person_ids, person)
    known = agent < len(person_ids)
    known[known] = person_ids[agent[known]] == person[known]  # residents in scope only
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not known.any():
        return [empty] * WEEK, 0
    agent, seconds = agent[known], seconds[known]
    venue = dense_codes(venue_id[known])
    day = _local_ordinals(seconds)
    last = np.full(len(person_ids), np.iinfo(np.int64).min)
    np.maximum.at(last, agent, day)
    recent = day > last[agent] - WEEK
    agent, venue, day, seconds = agent[recent], venue[recent], day[recent], seconds[recent]
    weekday = (day - 1) % WEEK  # ordinal 1 (1 January of year 1) was a Monday
    key = (agent * WEEK + weekday) * (int(venue.max()) + 1) + venue
    order = np.lexsort((seconds, key))
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
    keep = first[np.argsort(seconds[first], kind="stable")]  # first visits, in time order
    days = [(agent[keep][weekday[keep] == d], venue[keep][weekday[keep] == d])
            for d in range(WEEK)]
    return days, int(venue.max()) + 1


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
