"""Orders from contacts and for one person: dates from the version in force, refusals with
reasons, scoping by residence and by facility."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.quarantine import orders
from fangkong.quarantine.models import OrderStatus, QuarantineOrder, RoomState
from fangkong.registry.models import Person
from fangkong.tracing.models import Case, Contact
from tests.factories import City
from tests.quarantine.builders import make_facility, quarantine_users

CITY_TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2022, 7, 5, 10, 0, tzinfo=CITY_TZ)  # the 9th edition is in force


@pytest.fixture(autouse=True)
def ninth_edition_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fangkong.core.clock.now", lambda: NOW)


def make_case(person: Person) -> Case:
    case = Case(person=person, classification="confirmed", sample_date=NOW.date(),
                result_at=NOW, confirmed_at=NOW, created_at=NOW)
    case.district_id, case.street_id = person.district_id, person.street_id
    case.community_id, case.grid_id = person.community_id, person.grid_id
    case.save()
    return case


def make_contact(case: Case, person: Person, kind: str, *, days_ago: int = 2) -> Contact:
    last = NOW - dt.timedelta(days=days_ago)
    contact = Contact(person=person, index_case=case, contact_type=kind, rule="household",
                      first_exposure=last - dt.timedelta(hours=2), last_exposure=last,
                      identified_at=NOW)
    contact.district_id, contact.street_id = person.district_id, person.street_id
    contact.community_id, contact.grid_id = person.community_id, person.grid_id
    contact.save()
    return contact


def test_orders_from_contacts_by_type(city: City) -> None:
    users = quarantine_users(city)
    actor = actor_for(users["officer1"])
    p = city.districts[0].persons
    case = make_case(p[0])
    close = make_contact(case, p[1], "close", days_ago=2)
    secondary = make_contact(case, p[2], "secondary", days_ago=1)
    companion = make_contact(case, p[3], "companion")
    done = orders.do_orders_from_contacts(
        actor=actor, contact_ids=[close.pk, secondary.pk, companion.pk, 999999])
    by_person = {o.person_id: o for o in done.created}
    first = by_person[p[1].pk]
    assert (first.kind, first.status, first.policy.name) == (
        "centralised", OrderStatus.AWAITING, "9th edition")
    assert (first.starts_on, first.centralised_until, first.ends_on) == (
        dt.date(2022, 7, 4), dt.date(2022, 7, 10), dt.date(2022, 7, 13))
    # day 1 (4 July) has passed and day 2 is today: day 1's test is dropped, not doubled
    assert [(t.phase, t.day_no, t.due_on) for t in first.tests.all()] == [
        ("centralised", 2, dt.date(2022, 7, 5)), ("centralised", 3, dt.date(2022, 7, 6)),
        ("centralised", 5, dt.date(2022, 7, 8)), ("centralised", 7, dt.date(2022, 7, 10)),
        ("home", 3, dt.date(2022, 7, 13))]
    second = by_person[p[2].pk]
    assert (second.kind, second.status, second.reason) == ("home", OrderStatus.AT_HOME,
                                                           "secondary")
    refused = {r.contact_id: r.reason for r in done.refused}
    assert "companion" in refused[companion.pk] and refused[999999] == "contact not found"
    again = orders.do_orders_from_contacts(actor=actor, contact_ids=[close.pk])
    assert not again.created and "open quarantine order" in again.refused[0].reason
    assert AuditLog.objects.filter(verb="quarantine.order.create").count() == 2


def test_cases_are_refused_and_other_district_contacts_unseen(city: City) -> None:
    users = quarantine_users(city)
    p = city.districts[0].persons
    case = make_case(p[0])
    other = make_case(p[1])
    as_case = make_contact(case, p[1], "close")
    done = orders.do_orders_from_contacts(actor=actor_for(users["officer2"]),
                                          contact_ids=[as_case.pk])
    assert done.refused[0].reason == "contact not found"
    done = orders.do_orders_from_contacts(actor=actor_for(users["officer1"]),
                                          contact_ids=[as_case.pk])
    assert "already a case" in done.refused[0].reason and other.pk
    assert not QuarantineOrder.objects.exists()


def test_create_one_order_checks_its_fields(city: City) -> None:
    users = quarantine_users(city)
    actor = actor_for(users["manager1"])
    person = city.districts[0].persons[0]
    with pytest.raises(DomainError) as bad:
        orders.do_create_order(actor=actor, person_id=person.pk, reason="holiday")
    assert bad.value.field == "reason"
    with pytest.raises(DomainError) as future:
        orders.do_create_order(actor=actor, person_id=person.pk, reason="inbound",
                               exposure_at=NOW + dt.timedelta(days=1))
    assert future.value.field == "exposure_at"
    with pytest.raises(DomainError) as old:
        orders.do_create_order(actor=actor, person_id=person.pk, reason="close",
                               exposure_at=NOW - dt.timedelta(days=30))
    assert old.value.field == "exposure_at"
    with pytest.raises(NotFound):
        orders.do_create_order(actor=actor, person_id=city.districts[1].persons[0].pk,
                               reason="inbound")
    with pytest.raises(PermissionDenied):
        orders.do_create_order(actor=actor_for(users["staff1"]), person_id=person.pk,
                               reason="inbound")
    assert not QuarantineOrder.objects.exists()
    order = orders.do_create_order(actor=actor, person_id=person.pk, reason="inbound")
    assert order.starts_on == NOW.date() and order.tests.all()[0].due_on == NOW.date()
    with pytest.raises(Conflict):
        orders.do_create_order(actor=actor, person_id=person.pk, reason="inbound")


def test_orders_seen_by_residence_and_by_facility(city: City) -> None:
    users = quarantine_users(city)
    d1, d2 = city.districts
    order = orders.do_create_order(actor=actor_for(users["officer1"]),
                                   person_id=d1.persons[0].pk, reason="close",
                                   exposure_at=NOW - dt.timedelta(days=1))
    officer2 = actor_for(users["officer2"])
    assert not orders.orders_for(officer2).exists()
    with pytest.raises(NotFound):
        orders.get_order(actor=officer2, order_id=order.pk)
    facility = make_facility(unit=d2.unit)
    room = facility.rooms.all()[0]
    QuarantineOrder.objects.filter(pk=order.pk).update(
        facility=facility, room=room, status=OrderStatus.IN_FACILITY, arrived_at=NOW)
    room.state = RoomState.OCCUPIED
    room.save()
    assert list(orders.orders_for(officer2)) == [order]
    assert list(orders.open_orders_of_person(d1.persons[0])) == [order]
    grid_other = actor_for(users["grid1"])
    assert orders.orders_for(grid_other).count() == 1
    cancelled = orders.do_cancel_order(actor=actor_for(users["officer1"]), order_id=order.pk,
                                       reason="made in error")
    assert cancelled.status == OrderStatus.CANCELLED
    room.refresh_from_db()
    assert room.state == RoomState.DISINFECTING
    assert not orders.open_orders_of_person(d1.persons[0]).exists()
    with pytest.raises(DomainError):
        orders.do_cancel_order(actor=actor_for(users["officer1"]), order_id=order.pk,
                               reason=" ")


def test_twenty_measures_does_not_quarantine_secondary_contacts(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    later = dt.datetime(2022, 11, 20, 9, tzinfo=CITY_TZ)
    monkeypatch.setattr("fangkong.core.clock.now", lambda: later)
    users = quarantine_users(city)
    p = city.districts[0].persons
    case = make_case(p[0])
    contact = make_contact(case, p[1], "secondary")
    contact.last_exposure = later - dt.timedelta(days=1)
    contact.save()
    done = orders.do_orders_from_contacts(actor=actor_for(users["officer1"]),
                                          contact_ids=[contact.pk])
    assert "20 measures" in done.refused[0].reason
