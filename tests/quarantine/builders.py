"""Quarantine states built with the ORM, so each part's tests start from the same place
without depending on another part's actions."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.models import AdminUnit
from fangkong.quarantine.models import (
    Facility,
    OrderKind,
    OrderReason,
    QuarantineOrder,
    QuarantinePolicy,
    Room,
)
from fangkong.registry.models import Person
from tests.factories import City, make_user


def make_facility(*, unit: AdminUnit, code: str = "F1", rooms: int = 10, floors: int = 2,
                  family_rooms: int = 2, status: str = "active") -> Facility:
    """A facility placed at ``unit`` with ``rooms`` rooms spread over ``floors``; the last
    ``family_rooms`` hold 3 and are accessible."""
    now = clock.now()
    facility = Facility(code=code, name=f"{code}隔离酒店", address="幸福路1号", status=status,
                        lat=34.2, lon=108.9, created_at=now)
    facility.place_in(unit)
    facility.save()
    Room.objects.bulk_create([
        Room(facility=facility, number=f"{1 + i % floors}{i // floors + 1:02d}",
             floor=1 + i % floors, capacity=3 if i >= rooms - family_rooms else 1,
             accessible=i >= rooms - family_rooms, state_since=now)
        for i in range(rooms)])
    return facility


def make_order(person: Person, *, exposure: dt.datetime, kind: str = OrderKind.CENTRALISED,
               reason: str = OrderReason.CLOSE, policy_name: str = "9th edition",
               centralised_days: int = 7, home_days: int = 3) -> QuarantineOrder:
    """An awaiting order with the 9th-edition dates written out by hand (no schedule rows)."""
    start = (exposure + dt.timedelta(days=1)).date()
    centralised_until = (start + dt.timedelta(days=centralised_days - 1)
                         if kind == OrderKind.CENTRALISED else None)
    order = QuarantineOrder(
        person=person, kind=kind, reason=reason, exposure_at=exposure,
        policy=QuarantinePolicy.objects.get(name=policy_name), starts_on=start,
        centralised_until=centralised_until,
        ends_on=start + dt.timedelta(days=centralised_days + home_days - 1),
        created_at=clock.now())
    order.district_id, order.street_id = person.district_id, person.street_id
    order.community_id, order.grid_id = person.community_id, person.grid_id
    order.save()
    return order


def quarantine_users(city: City) -> dict[str, User]:
    d1, d2 = city.districts
    return {
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "manager1": make_user("manager1", unit=d1.unit, roles=["quarantine_manager"]),
        "staff1": make_user("staff1", unit=d1.unit, roles=["quarantine_staff"]),
        "grid1": make_user("grid1", unit=d1.grids[0], roles=["grid_worker"]),
        "admin": make_user("cityadmin", unit=city.unit, roles=["city_admin"]),
    }
