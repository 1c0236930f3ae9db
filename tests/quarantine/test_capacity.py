"""Capacity reads: what is counted where, the policy's stay and reserve, and scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.errors import NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.quarantine.capacity import capacity_by_district, capacity_for, facility_rooms
from fangkong.quarantine.models import Facility, OrderKind, OrderStatus, QuarantineOrder, Room
from fangkong.registry.models import Person
from tests.factories import City
from tests.quarantine.builders import make_facility, make_order, quarantine_users


def in_room(person: Person, facility: Facility, *, until: dt.date) -> QuarantineOrder:
    """A centralised order of ``person`` in the next ready room of ``facility``."""
    room = Room.objects.filter(facility=facility, state="ready").first()
    assert room is not None
    room.state = "occupied"
    room.save(update_fields=["state"])
    order = make_order(person, exposure=clock.now() - dt.timedelta(days=2))
    order.status, order.facility, order.room = OrderStatus.IN_FACILITY, facility, room
    order.centralised_until = until
    order.save()
    return order


def made_on(order: QuarantineOrder, day: dt.date) -> None:
    """Pretend the order was made at noon of ``day`` (city time)."""
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    QuarantineOrder.objects.filter(pk=order.pk).update(created_at=noon)


def as_actor(user: User) -> Actor:
    return actor_for(user)


@pytest.fixture
def state(city: City) -> City:
    """District 1: F1 with 4 single rooms (one out of service, one taken by a person leaving
    tomorrow), a closed F9, and three people waiting (one made yesterday). District 2: none."""
    d1 = city.districts[0]
    f1 = make_facility(unit=d1.unit, code="F1", rooms=4, family_rooms=0)
    make_facility(unit=d1.unit, code="F9", rooms=5, status="closed")
    Room.objects.filter(facility=f1, number="202").update(state="out")
    today = clock.city_today()
    in_room(d1.persons[0], f1, until=today + dt.timedelta(days=1))
    waiting = [make_order(p, exposure=clock.now() - dt.timedelta(days=1))
               for p in d1.persons[1:4]]
    made_on(waiting[0], today - dt.timedelta(days=1))
    make_order(d1.persons[4], exposure=clock.now(), kind=OrderKind.HOME)  # no room needed
    return city


def test_a_district_forecast_counts_rooms_people_and_inflow(state: City) -> None:
    users = quarantine_users(state)
    today = clock.city_today()
    f = capacity_for(actor=as_actor(users["officer1"]), today=today)
    assert f.rooms_usable == 3  # 4 rooms less the one out of service; the closed site not
    assert f.days[0].occupied == 1 and f.days[1].releases == 1
    assert f.awaiting == 3
    assert f.inflow_basis == (0, 0, 1)  # the one made yesterday; today's are awaiting
    assert f.inflow_per_day == 1
    assert f.residents == 8
    assert f.reserve_target == 1 and f.reserve_met
    assert f.days[0].needed == 1 + 3 + 1 and f.first_shortfall == today


def test_the_policy_in_force_sets_the_stay_and_the_reserve(state: City) -> None:
    officer = as_actor(quarantine_users(state)["officer1"])
    assert capacity_for(actor=officer, today=dt.date(2022, 7, 1)).stay_days == 7  # 9th edition
    assert capacity_for(actor=officer, today=dt.date(2022, 12, 1)).stay_days == 5  # 20 measures
    assert capacity_for(actor=officer, today=dt.date(2021, 6, 1)).stay_days == 14  # 8th
    assert capacity_for(actor=officer).rooms_per_10k == 20


def test_the_city_has_one_row_per_district_the_short_one_first(state: City) -> None:
    d2 = state.districts[1]
    make_facility(unit=d2.unit, code="F2", rooms=6)
    users = quarantine_users(state)
    rows = capacity_by_district(actor=as_actor(users["admin"]))
    assert [r.district.pk for r in rows] == [state.districts[0].unit.pk, d2.unit.pk]
    assert rows[0].forecast.first_shortfall is not None
    assert rows[1].forecast.first_shortfall is None and rows[1].forecast.rooms_usable == 6
    city = capacity_for(actor=as_actor(users["admin"]))
    assert city.rooms_usable == 9 and city.residents == 16 and city.awaiting == 3
    one = capacity_for(actor=as_actor(users["admin"]), unit_id=d2.unit.pk)
    assert one.rooms_usable == 6 and one.awaiting == 0


def test_another_district_sees_none_of_it(state: City) -> None:
    users = quarantine_users(state)
    officer2 = as_actor(users["officer2"])
    f = capacity_for(actor=officer2)
    assert (f.rooms_usable, f.awaiting, f.days[0].occupied, f.residents) == (0, 0, 0, 8)
    with pytest.raises(NotFound):
        capacity_for(actor=officer2, unit_id=state.districts[0].unit.pk)
    assert [r.district.pk for r in capacity_by_district(actor=officer2)] == [
        state.districts[1].unit.pk]
    assert facility_rooms(actor=officer2) == []


def test_a_user_without_a_node_or_the_right_sees_nothing(state: City) -> None:
    nobody = Actor(user_id=None, username="x", unit=None,
                   rights=frozenset(as_actor(quarantine_users(state)["admin"]).rights))
    f = capacity_for(actor=nobody)
    assert (f.rooms_usable, f.residents, f.awaiting) == (0, 0, 0)
    assert capacity_by_district(actor=nobody) == []
    with pytest.raises(PermissionDenied):
        capacity_for(actor=Actor(user_id=None, username="y", unit=state.unit))


def test_rooms_by_state_per_facility(state: City) -> None:
    rows = facility_rooms(actor=as_actor(quarantine_users(state)["officer1"]))
    assert [(r.facility.code, r.ready, r.occupied, r.disinfecting, r.out, r.usable)
            for r in rows] == [("F1", 2, 1, 0, 1, 3), ("F9", 5, 0, 0, 0, 0)]
