"""Facilities: register, status, rooms and their states, roster, occupancy, scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.quarantine import facilities
from fangkong.quarantine.models import Facility, OrderStatus, Room, RoomState
from tests.factories import City
from tests.quarantine.builders import make_facility, make_order, quarantine_users

T0 = dt.datetime(2022, 7, 1, 10, tzinfo=dt.UTC)


def _actors(city: City):  # type: ignore[no-untyped-def]
    return {k: actor_for(u) for k, u in quarantine_users(city).items()}


def test_register_a_facility_on_standby_and_audited(city: City) -> None:
    a = _actors(city)
    d1 = city.districts[0]
    f = facilities.do_register_facility(actor=a["manager1"], code="H1", name="Hotel",
                                        unit_id=d1.unit.pk, lat=34.2, lon=108.9)
    assert (f.status, f.district_id) == ("standby", d1.unit.pk)
    assert AuditLog.objects.filter(verb="quarantine.facility.register").count() == 1
    with pytest.raises(DomainError) as dup:
        facilities.do_register_facility(actor=a["manager1"], code="H1", name="Again",
                                        unit_id=d1.unit.pk)
    assert dup.value.field == "code"


@pytest.mark.parametrize(("changes", "field"), [
    ({"code": "bad code"}, "code"), ({"name": ""}, "name"), ({"lat": 34.0}, "lat"),
    ({"lat": 120.0, "lon": 10.0}, "lat"), ({"phone": "call me"}, "phone")])
def test_bad_registration_names_the_field(city: City, changes: dict, field: str) -> None:
    a = _actors(city)
    args = {"code": "H2", "name": "Hotel", "unit_id": city.districts[0].unit.pk, **changes}
    with pytest.raises(DomainError) as exc:
        facilities.do_register_facility(actor=a["manager1"], **args)
    assert exc.value.field == field
    assert not Facility.objects.exists()


def test_an_officer_cannot_place_a_facility_in_another_district(city: City) -> None:
    a = _actors(city)
    with pytest.raises(DomainError) as exc:
        facilities.do_register_facility(actor=a["officer2"], code="X", name="X",
                                        unit_id=city.districts[0].unit.pk)
    assert exc.value.field == "unit_id"
    with pytest.raises(PermissionDenied):
        facilities.do_register_facility(actor=a["staff1"], code="X", name="X",
                                        unit_id=city.districts[0].unit.pk)


def test_add_rooms_numbers_them_and_refuses_duplicates(city: City) -> None:
    a = _actors(city)
    f = make_facility(unit=city.districts[0].unit, rooms=0, family_rooms=0)
    rooms = facilities.do_add_rooms(actor=a["manager1"], facility_id=f.pk, floors=2,
                                    rooms_per_floor=3, first_floor=3)
    assert [r.number for r in rooms] == ["301", "302", "303", "401", "402", "403"]
    with pytest.raises(DomainError) as exc:
        facilities.do_add_rooms(actor=a["manager1"], facility_id=f.pk, floors=1,
                                rooms_per_floor=5, first_floor=4)
    assert "401" in exc.value.message and Room.objects.filter(facility=f).count() == 6
    with pytest.raises(DomainError) as cap:
        facilities.do_add_rooms(actor=a["manager1"], facility_id=f.pk, floors=1,
                                rooms_per_floor=1, capacity=7, first_floor=9)
    assert cap.value.field == "capacity"


def test_room_state_moves(city: City) -> None:
    a = _actors(city)
    f = make_facility(unit=city.districts[0].unit, rooms=2, family_rooms=0)
    room = f.rooms.first()
    assert room is not None
    m = a["manager1"]
    assert facilities.do_set_room_state(actor=m, room_id=room.pk, state="out").state == "out"
    assert facilities.do_set_room_state(actor=m, room_id=room.pk, state="ready").state == "ready"
    with pytest.raises(Conflict):
        facilities.do_set_room_state(actor=m, room_id=room.pk, state="occupied")
    with pytest.raises(Conflict):
        facilities.do_set_room_state(actor=m, room_id=room.pk, state="disinfecting")
    Room.objects.filter(pk=room.pk).update(state=RoomState.OCCUPIED)
    with pytest.raises(Conflict) as occ:
        facilities.do_set_room_state(actor=m, room_id=room.pk, state="ready")
    assert "released" in occ.value.message
    Room.objects.filter(pk=room.pk).update(state=RoomState.DISINFECTING)
    with pytest.raises(Conflict):
        facilities.do_set_room_state(actor=m, room_id=room.pk, state="out")
    assert facilities.do_set_room_state(actor=m, room_id=room.pk, state="ready").state == "ready"
    with pytest.raises(NotFound):
        facilities.do_set_room_state(actor=a["officer2"], room_id=room.pk, state="out")


def test_closing_refuses_while_people_are_in(city: City) -> None:
    a = _actors(city)
    f = make_facility(unit=city.districts[0].unit, rooms=2, family_rooms=0)
    order = make_order(city.districts[0].persons[0], exposure=T0)
    order.facility, order.status = f, OrderStatus.IN_FACILITY
    order.save()
    with pytest.raises(Conflict) as exc:
        facilities.do_set_facility_status(actor=a["manager1"], facility_id=f.pk,
                                          status="closed")
    assert "1 people" in exc.value.message
    order.status = OrderStatus.COMPLETED
    order.save()
    closed = facilities.do_set_facility_status(actor=a["manager1"], facility_id=f.pk,
                                               status="closed")
    assert closed.status == "closed"
    with pytest.raises(DomainError):
        facilities.do_set_facility_status(actor=a["manager1"], facility_id=f.pk, status="gone")


def test_occupancy_counts_rooms_and_people(city: City) -> None:
    d1 = city.districts[0]
    f = make_facility(unit=d1.unit, rooms=5, family_rooms=1)
    Room.objects.filter(facility=f, number="101").update(state=RoomState.OCCUPIED)
    Room.objects.filter(facility=f, number="201").update(state=RoomState.OUT_OF_SERVICE)
    order = make_order(d1.persons[0], exposure=T0)
    order.facility, order.status = f, OrderStatus.IN_FACILITY
    order.save()
    waiting = make_order(d1.persons[1], exposure=T0)
    waiting.facility = f
    waiting.save()
    empty = make_facility(unit=d1.unit, code="F2", rooms=0, family_rooms=0)
    counts = facilities.occupancy(Facility.objects.all())
    c = counts[f.pk]
    assert (c.ready, c.occupied, c.out, c.disinfecting, c.rooms) == (3, 1, 1, 0, 5)
    assert (c.beds_ready, c.people_in, c.people_expected) == (5, 1, 1)
    assert counts[empty.pk].rooms == 0


def test_roster_and_scoping(city: City) -> None:
    a = _actors(city)
    f = make_facility(unit=city.districts[0].unit)
    users = User.objects
    staff = users.get(username="staff1")
    shift = facilities.do_add_shift(actor=a["manager1"], facility_id=f.pk, name="王医生",
                                    role="medical", starts_at=T0,
                                    ends_at=T0 + dt.timedelta(days=14), user_id=staff.pk)
    assert list(facilities.shifts_of(f, since=T0)) == [shift]
    assert not facilities.shifts_of(f, since=T0 + dt.timedelta(days=15)).exists()
    with pytest.raises(DomainError) as long:
        facilities.do_add_shift(actor=a["manager1"], facility_id=f.pk, name="x", role="medical",
                                starts_at=T0, ends_at=T0 + dt.timedelta(days=40))
    assert long.value.field == "ends_at"
    with pytest.raises(DomainError) as other_user:
        facilities.do_add_shift(actor=a["manager1"], facility_id=f.pk, name="x",
                                role="security", starts_at=T0, ends_at=T0 + dt.timedelta(1),
                                user_id=users.get(username="officer2").pk)
    assert other_user.value.field == "user_id"
    with pytest.raises(NotFound):
        facilities.do_add_shift(actor=a["officer2"], facility_id=f.pk, name="x", role="medical",
                                starts_at=T0, ends_at=T0 + dt.timedelta(days=1))
    assert not facilities.facilities_for(a["officer2"]).exists()
    assert not facilities.rooms_for(a["officer2"]).exists()
    assert list(facilities.facilities_for(a["admin"])) == [f]
