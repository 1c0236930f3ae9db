"""Daily checks and test results: range checks naming the field, one alert per order and
kind, a positive test opening a case found in quarantine, scoping by facility and residence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.quarantine import care, orders
from fangkong.quarantine.models import (
    DailyCheck,
    OrderStatus,
    QuarantineAlert,
    QuarantineOrder,
    RoomState,
)
from fangkong.tracing.models import Case
from tests.factories import City, make_user
from tests.quarantine.builders import make_facility, quarantine_users
from tests.quarantine.test_orders import NOW, ninth_edition_time  # noqa: F401


def order_in_facility(city: City, users: dict) -> QuarantineOrder:  # type: ignore[type-arg]
    d1 = city.districts[0]
    order = orders.do_create_order(actor=actor_for(users["officer1"]),
                                   person_id=d1.persons[0].pk, reason="close",
                                   exposure_at=NOW - dt.timedelta(days=3))
    facility = make_facility(unit=d1.unit)
    room = facility.rooms.all()[0]
    room.state = RoomState.OCCUPIED
    room.save()
    QuarantineOrder.objects.filter(pk=order.pk).update(
        facility=facility, room=room, status=OrderStatus.IN_FACILITY, arrived_at=NOW)
    order.refresh_from_db()
    return order


def test_check_ranges_name_the_field(city: City) -> None:
    users = quarantine_users(city)
    order = order_in_facility(city, users)
    staff = actor_for(users["staff1"])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"temperature": "33.9"}, "temperature"), ({"temperature": "abc"}, "temperature"),
        ({"mood": 0}, "mood"), ({"mood": 6}, "mood"), ({"symptoms": ["hiccups"]}, "symptoms"),
        ({"day": NOW.date() + dt.timedelta(days=1)}, "day")]
    for change, field in cases:
        values: dict[str, Any] = {"temperature": "36.5", "symptoms": [], "mood": 4, **change}
        with pytest.raises(DomainError) as bad:
            care.do_record_check(actor=staff, order_id=order.pk, **values)
        assert bad.value.field == field
    assert not DailyCheck.objects.exists()


def test_alerts_once_per_order_and_kind(city: City) -> None:
    users = quarantine_users(city)
    order = order_in_facility(city, users)
    staff = actor_for(users["staff1"])
    care.do_record_check(actor=staff, order_id=order.pk, temperature="37.3", symptoms=[],
                         mood=2)
    with pytest.raises(Conflict):
        care.do_record_check(actor=staff, order_id=order.pk, temperature="36.5", symptoms=[],
                             mood=4)
    care.do_record_check(actor=staff, order_id=order.pk, temperature="36.5",
                         symptoms=["cough"], mood=5, needs_support=True,
                         day=NOW.date() - dt.timedelta(days=1))
    kinds = sorted(QuarantineAlert.objects.values_list("kind", flat=True))
    assert kinds == ["fever", "support"]
    assert QuarantineAlert.objects.get(kind="fever").facility_id == order.facility_id
    care.do_record_check(actor=staff, order_id=order.pk, temperature="38.0", symptoms=[],
                         mood=1, day=NOW.date() - dt.timedelta(days=2))
    assert QuarantineAlert.objects.count() == 2


def test_other_district_staff_cannot_check(city: City) -> None:
    users = quarantine_users(city)
    order = order_in_facility(city, users)
    other = make_user("staff2", unit=city.districts[1].unit, roles=["quarantine_staff"])
    with pytest.raises(NotFound):
        care.do_record_check(actor=actor_for(other), order_id=order.pk, temperature="36.5",
                             symptoms=[], mood=4)
    test = order.tests.all()[0]
    with pytest.raises(NotFound):
        care.do_record_test(actor=actor_for(other), test_id=test.pk, result="negative")


def test_results_idempotent_and_positive_opens_a_case(city: City) -> None:
    users = quarantine_users(city)
    order = order_in_facility(city, users)
    staff = actor_for(users["staff1"])
    first, *rest = list(order.tests.all())
    care.do_record_test(actor=staff, test_id=first.pk, result="negative")
    care.do_record_test(actor=staff, test_id=first.pk, result="negative")
    with pytest.raises(Conflict):
        care.do_record_test(actor=staff, test_id=first.pk, result="positive")
    with pytest.raises(DomainError) as early:
        care.do_record_test(actor=staff, test_id=rest[-1].pk, result="negative")
    assert early.value.field == "test_id"
    rest[0].due_on = NOW.date()
    rest[0].save()
    care.do_record_test(actor=staff, test_id=rest[0].pk, result="positive")
    order.refresh_from_db()
    case = Case.objects.get(person_id=order.person_id)
    assert (order.status, order.case_id, case.found_in) == (OrderStatus.CONVERTED, case.pk,
                                                            "quarantine")
    assert order.room is not None and order.room.state == RoomState.DISINFECTING
    with pytest.raises(Conflict):
        care.do_record_check(actor=staff, order_id=order.pk, temperature="36.5", symptoms=[],
                             mood=4)
