"""The command benchmark's fixture and baseline at a few hundred residents: every table the
dashboard reads gets rows, the bulk-inserted rows are valid for the read model's rebuild,
and the naive recount over the raw tables gives the read model's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from benchmarks.command_fixture import Shape, World, build_outbreak, counts_by_table
from benchmarks.command_fixture_city import build_city
from benchmarks.command_measure import incremental_case, naive, picture_vs_naive, units

from fangkong.command import queries, refresh
from fangkong.core import clock
from fangkong.core.models import Level
from fangkong.registry.models import Household, Person
from tests.factories import City, small_city
from tests.web.browser import rule_versions  # noqa: F401 (fixture)

SHAPE = Shape(case_share=0.1, contacts=(3, 6))
pytestmark = pytest.mark.django_db


def populate(city: City, *, per_grid: int) -> None:
    """The test city's grids filled up to ``per_grid`` residents in a few households each."""
    for district in city.districts:
        for grid, building in zip(district.grids, district.buildings, strict=True):
            homes = []
            for h in range(per_grid // 3):
                home = Household(building=building, address=f"{grid.code} {h}")
                home.place_in(grid)
                homes.append(home)
            Household.objects.bulk_create(homes)
            people = []
            for k in range(per_grid - Person.objects.filter(grid=grid).count()):
                person = Person(household=homes[k % len(homes)], name=f"居民{grid.pk}-{k}",
                                sex="F" if k % 2 else "M", birth_date=dt.date(1980, 1, 1))
                person.place_in(grid)
                people.append(person)
            Person.objects.bulk_create(people)


@pytest.fixture
def loaded() -> World:
    populate(small_city(people_per_grid=4), per_grid=75)
    world = World.load(SHAPE, seed=7)
    build_city(world, build_outbreak(world))
    today = clock.city_today()
    refresh.rebuild(day_from=today - dt.timedelta(days=13), day_to=today)
    return world


def test_every_table_gets_rows(loaded: World) -> None:
    rows = counts_by_table()
    assert rows["persons"] == 300
    assert all(rows.values()), rows
    assert rows["campaigns"] == len(SHAPE.rounds)
    assert rows["cases"] == 30
    assert rows["samples"] == loaded.sizes["samples"]
    assert rows["tasks"] > rows["directives"] > 0


def test_naive_recount_equals_the_read_model(loaded: World) -> None:
    today = clock.city_today()
    for name, unit in units().items():
        recount = naive(unit, today)
        stored = queries.trends(unit=unit, days=14, until=today)
        for metric, values in recount.items():
            assert values[-1] == stored[metric][-1], (name, metric)
            if metric in ("cases_in_quarantine", "cases_in_community", "tickets_opened"):
                assert values == stored[metric], (name, metric)  # day metrics: whole trend
        row = picture_vs_naive(unit, repeat=1, naive_repeat=1)
        assert row["differ_today"] == {}
        assert row["picture_queries"] <= 5


def test_city_has_cases_contacts_and_screening(loaded: World) -> None:
    city = units()["city"]
    assert city.level == Level.CITY
    trend = queries.trends(unit=city, days=14, until=clock.city_today())
    assert sum(trend["cases_in_quarantine"]) + sum(trend["cases_in_community"]) == 30
    assert sum(trend["contacts_found"]) > 0
    today = queries.snapshot(unit=city, day=clock.city_today())
    assert 0 < today["screening_sampled"] <= today["screening_expected"] == 300


@pytest.mark.django_db(transaction=True)  # the case's marks are written after commit
def test_one_new_case_is_refreshed(rule_versions: None,  # noqa: F811 (the fixture above)
                                   loaded: World) -> None:
    """Transactional: an earlier live-server test on this worker may have flushed the rule
    versions the migrations seeded, hence ``rule_versions``."""
    street = units()["street"]
    row = incremental_case(street)
    assert row["tile_after"] == row["tile_before"] + 1
    assert row["cells"] >= 1
