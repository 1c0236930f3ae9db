"""Facts read from the tables: every kind, only recent ones, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.healthcode.facts import facts_for_batch, facts_of, order_fact
from fangkong.healthcode.logic import AreaFact, ContactFact, Facts, PurchaseFact
from fangkong.quarantine.models import OrderKind, ScheduledTest
from tests.factories import City
from tests.healthcode.builders_status import (
    NOW,
    make_arrival,
    make_case,
    make_contact,
    make_hold,
    make_negative,
    make_override,
    make_purchase,
)
from tests.quarantine.builders import make_order
from tests.risk.builders import make_area

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fangkong.core.clock.now", lambda: NOW)


def test_every_kind_of_fact_is_read(city: City) -> None:
    p = city.districts[0].persons
    case = make_case(p[0], at=NOW - 2 * DAY)
    make_contact(case, p[1], "close", last=NOW - 3 * DAY)
    make_contact(case, p[1], "companion", last=NOW - 40 * DAY)  # too old to matter
    make_hold(p[1], at=NOW - DAY)
    make_arrival(p[1], at=NOW - 5 * DAY)
    make_purchase(p[1], at=NOW - 4 * DAY, drug="cough")
    make_negative(p[1], sampled=NOW - 2 * DAY)
    override = make_override(p[1], colour="yellow", at=NOW - DAY)
    make_override(p[1], at=NOW - 10 * DAY, days=2)  # expired
    facts = facts_of(p[1], now=NOW)
    assert facts.contacts == (ContactFact("close", NOW - 3 * DAY),)
    assert facts.holds == (NOW - DAY,)
    assert facts.arrivals == (NOW - 5 * DAY,)
    assert facts.purchases == (PurchaseFact("cough", NOW - 4 * DAY),)
    assert facts.negative_tests == (NOW - 2 * DAY,)
    assert [(o.colour, o.override_id) for o in facts.overrides] == [("yellow", override.pk)]
    assert facts_of(p[0], now=NOW) == Facts(case_since=NOW - 2 * DAY)
    assert facts_of(city.districts[1].persons[0], now=NOW) == Facts()


def test_an_open_order_and_its_tests(city: City) -> None:
    person = city.districts[0].persons[0]
    order = make_order(person, exposure=NOW - 2 * DAY)
    ScheduledTest.objects.create(order=order, phase="centralised", day_no=1,
                                 due_on=order.starts_on, sampled_at=NOW - DAY,
                                 result="negative", resulted_at=NOW - DAY / 2)
    ScheduledTest.objects.create(order=order, phase="centralised", day_no=2,
                                 due_on=order.starts_on, sampled_at=NOW, result="pending")
    facts = facts_of(person, now=NOW)
    assert facts.order == order_fact(kind=order.kind, created_at=order.created_at,
                                     starts_on=order.starts_on, ends_on=order.ends_on,
                                     centralised_until=order.centralised_until)
    assert facts.order is not None and facts.order.home_from is not None
    assert facts.order.since < facts.order.home_from < facts.order.until
    assert facts.negative_tests == (NOW - DAY,)
    order.status = "completed"
    order.save()
    assert facts_of(person, now=NOW).order is None


def test_order_dates_become_city_midnights() -> None:
    created = dt.datetime(2022, 6, 1, 4, tzinfo=dt.UTC)
    fact = order_fact(kind=OrderKind.CENTRALISED, created_at=created,
                      starts_on=dt.date(2022, 6, 1), ends_on=dt.date(2022, 6, 10),
                      centralised_until=dt.date(2022, 6, 7))
    assert fact.since.isoformat() == "2022-06-01T00:00:00+08:00"
    assert fact.until.isoformat() == "2022-06-11T00:00:00+08:00"
    assert fact.home_from is not None and fact.home_from.isoformat() == "2022-06-08T00:00:00+08:00"
    home = order_fact(kind=OrderKind.HOME, created_at=created, starts_on=dt.date(2022, 6, 3),
                      ends_on=dt.date(2022, 6, 9), centralised_until=None)
    assert home.since == created and home.home_from is None


def test_areas_reach_their_residents_only(city: City) -> None:
    d1 = city.districts[0]
    area = make_area(unit=d1.grids[0], level="sealed", started_at=NOW - DAY)
    make_area(unit=d1.grids[1], level="controlled", code="RA-2", started_at=NOW)
    in_grid = [p for p in d1.persons if p.grid_id == d1.grids[0].pk]
    visitor = in_grid[1]
    visitor.temporary = True
    visitor.save()
    facts = facts_for_batch([p.pk for p in d1.persons + city.districts[1].persons], now=NOW)
    assert facts[in_grid[0].pk].areas == (AreaFact("sealed", NOW - DAY, area.pk),)
    assert facts[visitor.pk].areas == ()
    assert all(facts[p.pk].areas == () for p in city.districts[1].persons)
    area.status = "lifted"
    area.save()
    assert facts_of(in_grid[0], now=NOW).areas == ()


def test_a_batch_costs_the_same_queries_whatever_its_size(city: City) -> None:
    persons = city.districts[0].persons + city.districts[1].persons
    case = make_case(persons[0], at=NOW - DAY)
    for p in persons[1:]:
        make_contact(case, p, "secondary", last=NOW - DAY)
        make_arrival(p, at=NOW - DAY)
        make_negative(p, sampled=NOW - DAY)
    with CaptureQueriesContext(connection) as one:
        facts_for_batch([persons[1].pk], now=NOW)
    with CaptureQueriesContext(connection) as many:
        found = facts_for_batch([p.pk for p in persons], now=NOW)
    assert len(many) == len(one) <= 13
    assert len(found) == len(persons)
    assert all(found[p.pk].negative_tests == (NOW - DAY,) for p in persons[1:])


def test_scattered_ids_and_missing_people(city: City) -> None:
    p = city.districts[0].persons
    make_arrival(p[0], at=NOW - DAY)
    found = facts_for_batch([p[0].pk, city.districts[1].persons[-1].pk, 10**9], now=NOW)
    assert set(found) == {p[0].pk, city.districts[1].persons[-1].pk}
    assert found[p[0].pk].arrivals == (NOW - DAY,)
