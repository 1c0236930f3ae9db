"""Assignment of awaiting orders to ready rooms: the plan, its apply, standby facilities,
scoping and a second apply that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core import clock
from fangkong.core.errors import PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.quarantine import assignment
from fangkong.quarantine.models import Facility, OrderKind, QuarantineOrder, Room, RoomState
from tests.factories import City
from tests.quarantine.builders import make_facility, make_order, quarantine_users

T0 = dt.datetime(2022, 7, 1, 10, tzinfo=dt.UTC)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    now = dt.datetime(2022, 7, 2, 9, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: now)
    monkeypatch.setattr(clock, "city_today", now.date)
    return now


def _actors(city: City):  # type: ignore[no-untyped-def]
    return {k: actor_for(u) for k, u in quarantine_users(city).items()}


def test_age_on() -> None:
    assert assignment.age_on(dt.date(2010, 7, 3), dt.date(2022, 7, 2)) == 11
    assert assignment.age_on(dt.date(2010, 7, 2), dt.date(2022, 7, 2)) == 12
    assert assignment.age_on(None, dt.date(2022, 7, 2)) is None


def test_a_family_gets_a_family_room_and_singles_single_rooms(city: City, frozen: dt.datetime
                                                              ) -> None:
    a = _actors(city)
    d1 = city.districts[0]
    child = d1.persons[1]
    child.birth_date = dt.date(2015, 1, 1)
    child.save()
    f = make_facility(unit=d1.unit, rooms=4, family_rooms=1)
    orders = [make_order(p, exposure=T0) for p in d1.persons[:4]]  # one household
    plan = assignment.preview_assignment(actor=a["manager1"])
    assert not plan.unplaced and plan.people_placed == 4
    assert not Room.objects.filter(state=RoomState.OCCUPIED).exists()  # preview writes nothing
    result = assignment.do_assign_orders(actor=a["manager1"])
    assert sorted(result.assigned) == sorted(o.pk for o in orders)
    by_order = {o.pk: o for o in QuarantineOrder.objects.select_related("room")}
    family = by_order[orders[0].pk].room
    assert family is not None and family.capacity == 3
    assert by_order[orders[1].pk].room == family  # the child with its carer
    assert all(by_order[o.pk].room.capacity == 1 for o in orders[2:])  # type: ignore[union-attr]
    assert {o.facility_id for o in by_order.values()} == {f.pk}
    assert Room.objects.filter(state=RoomState.OCCUPIED).count() == 3
    assert AuditLog.objects.filter(verb="quarantine.order.assign").count() == 4
    again = assignment.do_assign_orders(actor=a["manager1"])
    assert again.assigned == [] and Room.objects.filter(state=RoomState.OCCUPIED).count() == 3


def test_rooms_short_leaves_the_rest_unplaced(city: City, frozen: dt.datetime) -> None:
    a = _actors(city)
    d1 = city.districts[0]
    make_facility(unit=d1.unit, rooms=2, family_rooms=0)
    for p in d1.persons[:3]:
        make_order(p, exposure=T0)
    result = assignment.do_assign_orders(actor=a["manager1"])
    assert len(result.assigned) == 2
    assert [u.reason for u in result.plan.unplaced] == ["ran_out"]


def test_standby_only_when_asked_and_then_put_in_service(city: City, frozen: dt.datetime
                                                         ) -> None:
    a = _actors(city)
    d1 = city.districts[0]
    f = make_facility(unit=d1.unit, rooms=2, family_rooms=0, status="standby")
    make_order(d1.persons[0], exposure=T0)
    assert assignment.preview_assignment(actor=a["manager1"]).placements == []
    result = assignment.do_assign_orders(actor=a["manager1"], include_standby=True)
    assert result.activated == [f.pk]
    assert Facility.objects.get(pk=f.pk).status == "active"


def test_home_orders_and_other_facilities_are_left_alone(city: City, frozen: dt.datetime
                                                         ) -> None:
    a = _actors(city)
    d1 = city.districts[0]
    f1 = make_facility(unit=d1.unit, rooms=2, family_rooms=0)
    f2 = make_facility(unit=d1.unit, code="F2", rooms=2, family_rooms=0)
    home = make_order(d1.persons[0], exposure=T0, kind=OrderKind.HOME)
    central = make_order(d1.persons[1], exposure=T0)
    result = assignment.do_assign_orders(actor=a["manager1"], facility_ids=[f2.pk])
    assert result.assigned == [central.pk]
    assert QuarantineOrder.objects.get(pk=central.pk).facility_id == f2.pk
    assert QuarantineOrder.objects.get(pk=home.pk).room_id is None
    assert not Room.objects.filter(facility=f1, state=RoomState.OCCUPIED).exists()


def test_scoping_and_rights(city: City, frozen: dt.datetime) -> None:
    a = _actors(city)
    d1, d2 = city.districts
    make_facility(unit=d1.unit, rooms=4, family_rooms=0)
    make_order(d1.persons[0], exposure=T0)
    make_order(d2.persons[0], exposure=T0)
    other = assignment.do_assign_orders(actor=a["officer2"])  # sees its order, not the rooms
    assert other.assigned == [] and [u.reason for u in other.plan.unplaced] == ["no_rooms"]
    with pytest.raises(PermissionDenied):
        assignment.do_assign_orders(actor=a["staff1"])
    mine = assignment.do_assign_orders(actor=a["manager1"])
    assert len(mine.assigned) == 1
    assert QuarantineOrder.objects.filter(room__isnull=False).get().person_id == d1.persons[0].pk
