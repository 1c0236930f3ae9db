"""The agent model's population from the registry and recorded check-ins."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from fangkong.core.clock import city_today
from fangkong.core.models import AdminUnit
from fangkong.healthcode.models import Checkin
from fangkong.registry.models import Person, Venue
from fangkong.simulation.population import Population
from fangkong.simulation.population_db import UNKNOWN_AGE, population_from_database
from tests.factories import City

TZ = ZoneInfo("Asia/Shanghai")


def _checkin(person: Person, venue: Venue, when: dt.datetime, key: str) -> None:
    row = Checkin(person=person, venue=venue, ts=when, source="resident", client_key=key,
                  received_at=when)
    row.place_in(AdminUnit.objects.get(pk=venue.grid_id))
    row.save()


def _visits(pop: Population, agent: int, weekday: int) -> list[int]:
    ptr = pop.visit_ptr[weekday]
    return pop.visit_venue[ptr[agent]:ptr[agent + 1]].tolist()


@pytest.fixture
def recorded(city: City) -> City:
    """District 1's first resident checks in at both of the district's markets on Monday
    2022-05-02 and at one on Wednesday; an older check-in (more than 7 days before their
    last) is dropped; district 2's first resident visits district 1's first market."""
    d1, d2 = city.districts
    alice, bob = d1.persons[0], d2.persons[0]
    m1, m2 = d1.venues
    monday = dt.datetime(2022, 5, 2, 9, tzinfo=TZ)
    _checkin(alice, m1, monday - dt.timedelta(days=10), "old")
    _checkin(alice, m1, monday, "a1")
    _checkin(alice, m2, monday + dt.timedelta(hours=3), "a2")
    _checkin(alice, m1, monday + dt.timedelta(hours=5), "a3")  # same venue, same day: once
    _checkin(alice, m2, monday + dt.timedelta(days=2), "a4")
    _checkin(bob, m1, dt.datetime(2022, 5, 4, 7, tzinfo=TZ), "b1")  # Tuesday 23:00 UTC
    return city


def test_whole_city(recorded: City) -> None:
    d1, d2 = recorded.districts
    pop = population_from_database()
    people = d1.persons + d2.persons
    assert pop.size == len(people) == 16
    assert pop.venue_count == 2
    alice, bob = people.index(d1.persons[0]), people.index(d2.persons[0])
    monday = _visits(pop, alice, 0)
    assert len(monday) == 2 and monday[0] != monday[1]
    assert _visits(pop, alice, 2) == [monday[1]]
    # 07:00 Wednesday in Shanghai is a Wednesday visit, though UTC says Tuesday
    assert _visits(pop, bob, 2) == [monday[0]] and _visits(pop, bob, 1) == []
    assert sum(pop.visits_on(d) for d in range(7)) == 4
    assert (pop.age == city_today().year - 1980).all()  # all born 1 January 1980
    # households and grids: two per district, one household per grid
    assert len(np.unique(pop.household)) == 4 and len(np.unique(pop.grid)) == 4
    assert len(np.unique(pop.community)) == 2 and len(np.unique(pop.street)) == 2
    assert pop.grid_ids is not None
    assert set(pop.grid_ids.tolist()) == {g.pk for d in (d1, d2) for g in d.grids}
    assert pop.grid_ids[pop.grid[alice]] == d1.persons[0].grid_id


def test_scoped_to_a_district_leaves_the_other_out(recorded: City) -> None:
    d1, d2 = recorded.districts
    pop = population_from_database(unit_id=d2.unit.pk)
    assert pop.size == len(d2.persons)
    assert pop.grid_ids is not None
    assert set(pop.grid_ids.tolist()) == {g.pk for g in d2.grids}
    assert pop.venue_count == 1  # only the one market its resident visited
    assert sum(pop.visits_on(d) for d in range(7)) == 1
    first = population_from_database(unit_id=d1.unit.pk)
    assert first.size == len(d1.persons)
    assert sum(first.visits_on(d) for d in range(7)) == 3


def test_inactive_and_unknown(recorded: City) -> None:
    d1 = recorded.districts[0]
    gone = d1.persons[1]
    gone.inactive_since = dt.date(2022, 1, 1)
    gone.save()
    lone = d1.persons[2]
    lone.household = None
    lone.birth_date = None
    lone.save()
    pop = population_from_database(unit_id=d1.unit.pk)
    assert pop.size == len(d1.persons) - 1
    people = [p for p in d1.persons if p.pk != gone.pk]
    i = people.index(lone)
    assert pop.age[i] == UNKNOWN_AGE
    assert (pop.household == pop.household[i]).sum() == 1  # lives alone


def test_unknown_unit_is_an_error(city: City) -> None:
    with pytest.raises(ValueError, match="unit_id 999999"):
        population_from_database(unit_id=999999)


def test_a_city_with_no_checkins_has_household_contacts_only(city: City) -> None:
    pop = population_from_database()
    assert pop.size == 16 and pop.venue_count == 0
    assert len(pop.visit_venue) == 0 and pop.visit_ptr.shape == (7, 17)


def test_the_movement_folder_s_last_week_is_read_with_the_database_s_rows(
        recorded: City, settings: object, tmp_path: object) -> None:
    """The city's bulk of check-ins lives in the movement folder's day files (synthetic and
    exported), not the database: its last 7 days join the database's rows; an older file and
    people outside the scope are left out; a row in both stores counts once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "checkins"  # type: ignore[operator]
    folder.mkdir()
    settings.MOVEMENT_DIR = tmp_path  # type: ignore[attr-defined]
    d1, d2 = recorded.districts
    carol, bob = d1.persons[1], d2.persons[0]
    m1, m2 = d1.venues

    def day_file(day: dt.date, rows: list[tuple[Person, Venue, int]]) -> None:
        ts = [dt.datetime.combine(day, dt.time(hour), tzinfo=TZ) for _, _, hour in rows]
        pq.write_table(pa.table({
            "person_id": pa.array([p.pk for p, _, _ in rows], pa.int64()),
            "venue_id": pa.array([v.pk for _, v, _ in rows], pa.int64()),
            "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        }), folder / f"day={day.isoformat()}.parquet")

    day_file(dt.date(2022, 5, 9), [(carol, m1, 9), (carol, m2, 20), (bob, m1, 8)])  # Monday
    day_file(dt.date(2022, 5, 10), [(carol, m2, 7)])  # Tuesday
    day_file(dt.date(2022, 4, 20), [(carol, m1, 9)])  # more than 7 days before: not read
    pop = population_from_database(unit_id=d1.unit.pk)
    people = list(d1.persons)
    alice, c = people.index(d1.persons[0]), people.index(carol)
    assert len(_visits(pop, c, 0)) == 2 and len(_visits(pop, c, 1)) == 1
    assert sum(pop.visits_on(d) for d in range(7)) == 3 + 3  # carol's and alice's (database)
    assert len(_visits(pop, alice, 0)) == 2
