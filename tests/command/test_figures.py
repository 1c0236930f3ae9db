"""The metrics on a constructed day: each figure counts what its definition says, in the right
home unit (street, else district, else the city), and the queries sum a subtree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from fangkong.command import queries
from fangkong.command.refresh import rebuild
from fangkong.core import clock
from fangkong.testing.models import Sample, Tube
from tests.command.builders_figures import (
    NOON,
    make_case,
    make_contact,
    make_request,
    make_task,
    make_ticket,
    street_of,
)
from tests.factories import City
from tests.quarantine.builders import make_facility
from tests.risk.builders import make_area
from tests.testing.builders import make_round

DAY = NOON.date()
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def evening(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "now", lambda: NOON + 6 * HOUR)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def day(city: City) -> dict[str, Any]:
    """Two districts' worth of events around the constructed day (see each assertion)."""
    d1, d2 = city.districts
    p1, p2 = d1.persons, d2.persons
    cases = [make_case(p1[0], at=NOON), make_case(p1[1], at=NOON, found_in="quarantine"),
             make_case(p2[0], at=NOON - 24 * HOUR)]
    make_contact(p1[2], cases[1], at=NOON, transferred_at=NOON + 3 * HOUR)
    make_contact(p1[3], cases[1], at=NOON)
    make_contact(p1[4], cases[1], at=NOON - 30 * HOUR, transferred_at=NOON)  # 30 h: late
    make_ticket(d1.grids[0], at=NOON - 2 * HOUR, hours=1)  # overdue
    make_ticket(None, at=NOON)  # not routed: the city's
    make_ticket(d1.grids[1], at=NOON, resolved_at=NOON + HOUR)  # opened, no longer open
    make_task(d1.grids[0], issuer=city.unit, at=NOON - 30 * HOUR, hours=24)  # overdue
    make_task(d1.grids[0], issuer=city.unit, at=NOON, done_at=NOON + HOUR)
    make_request(p1[0], at=NOON - 5 * HOUR, hours=4)  # overdue
    make_request(p2[1], at=NOON, hours=24)
    make_facility(unit=d1.unit, rooms=10)  # placed at a district: its figures are the district's
    make_area(unit=d1.grids[0], level="sealed")
    make_area(unit=d2.grids[0], level="controlled", code="RA-0002")
    rnd = make_round(city, start=NOON - 5 * HOUR)
    tube = Tube.objects.filter(campaign=rnd.campaign, site__grid=d1.grids[0]).first()
    assert tube is not None
    for person in p1[:3]:
        sample = Sample(campaign=rnd.campaign, tube=tube, person=person, sampled_at=NOON)
        sample.place_in(d1.grids[0] if person.grid_id == d1.grids[0].pk else d1.grids[1])
        sample.save()
    rebuild(day_from=DAY - dt.timedelta(days=1), day_to=DAY)
    return {"d1": d1.unit, "d2": d2.unit, "street1": street_of(d1.grids[0])}


def test_city_sums_every_metric(city: City, day: dict[str, Any]) -> None:
    got = queries.snapshot(unit=city.unit, day=DAY)
    assert got["cases_in_community"] == 1 and got["cases_in_quarantine"] == 1
    assert got["contacts_found"] == 2 and got["contacts_controlled_24h"] == 1
    assert got["tickets_opened"] == 3 and got["tickets_open"] == 2
    assert got["tickets_overdue"] == 1
    assert got["tasks_open"] == 1 and got["tasks_overdue"] == 1
    assert got["requests_open"] == 2 and got["requests_overdue"] == 1
    assert got["rooms_free"] == 10 and got["rooms_total"] == 10
    assert got["areas_sealed"] == 1 and got["areas_controlled"] == 1
    assert got["areas_precaution"] == 0
    assert got["screening_sampled"] == 3 and got["screening_expected"] == 16
    yesterday = queries.snapshot(unit=city.unit, day=DAY - dt.timedelta(days=1))
    assert yesterday["cases_in_community"] == 1 and yesterday["contacts_found"] == 1
    assert yesterday["tasks_open"] == 1 and yesterday["tasks_overdue"] == 0
    assert yesterday["rooms_free"] == 0  # no history of room states: not invented


def test_district_and_street_see_their_subtree(day: dict[str, Any]) -> None:
    d1 = queries.snapshot(unit=day["d1"], day=DAY)
    d2 = queries.snapshot(unit=day["d2"], day=DAY)
    street = queries.snapshot(unit=day["street1"], day=DAY)
    assert d1["cases_in_community"] == 1 and d2["cases_in_community"] == 0
    assert d1["tickets_open"] == 1  # the unrouted ticket is only the city's
    assert d1["rooms_free"] == 10 and street["rooms_free"] == 0  # kept at the district
    assert street["cases_in_quarantine"] == 1 and street["tasks_overdue"] == 1
    assert d2["areas_controlled"] == 1 and d1["areas_controlled"] == 0
    assert d2["screening_expected"] == 8 and d2["screening_sampled"] == 0


def test_breakdown_has_one_row_per_child(city: City, day: dict[str, Any]) -> None:
    rows = queries.breakdown(unit=city.unit, day=DAY)
    assert [u.pk for u, _ in rows] == [day["d1"].pk, day["d2"].pk]
    assert rows[0][1]["screening_sampled"] == 3 and rows[1][1]["cases_in_community"] == 0
    streets = queries.breakdown(unit=day["d1"], day=DAY)
    assert [u.pk for u, _ in streets] == [day["street1"].pk]
    assert streets[0][1]["rooms_free"] == 0  # the district's own figures are in no street
    assert queries.breakdown(unit=day["street1"], day=DAY) == []


def test_trend_is_one_point_per_day(city: City, day: dict[str, Any]) -> None:
    points = queries.trend(unit=city.unit, metric="cases_in_community", days=3, until=DAY)
    assert points == [(DAY - dt.timedelta(days=2), 0), (DAY - dt.timedelta(days=1), 1), (DAY, 1)]
    assert queries.trends(unit=city.unit, days=3, until=DAY)["contacts_found"] == [0, 1, 2]


def test_metrics_list_every_figure_once() -> None:
    assert len(queries.METRICS) == 24
    assert all(info.group for info in queries.METRICS.values())


def test_a_round_over_the_whole_city_expects_everyone(city: City) -> None:
    """A city-wide area is an empty condition; it must widen the count, not empty it."""
    from fangkong.registry.models import Person
    from fangkong.testing.models import CampaignArea

    rnd = make_round(city, start=NOON - 5 * HOUR)
    CampaignArea.objects.filter(campaign=rnd.campaign).delete()
    whole = CampaignArea(campaign=rnd.campaign, unit=city.unit, pool_size=10)
    whole.place_in(city.unit)
    whole.save()
    rebuild(day_from=DAY, day_to=DAY)
    expected = queries.snapshot(unit=city.unit, day=DAY)["screening_expected"]
    assert expected == Person.objects.filter(inactive_since__isnull=True, temporary=False,
                                             purged=False).count() > 0
