"""The demo's quarantine on a small generated city: a hotel in use with 120 rooms and one on
standby, about 150 inbound travellers over seven days and the household contacts of the two
screening cases, orders in every status on the demo day (with checks and tests up to
yesterday, a fever and a support alert, one positive turned case, rooms being disinfected),
a capacity forecast with something to say; built once, through the actions, and invisible to
the second district's officer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.test import override_settings

from fangkong import demo
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, AuditLog, Level
from fangkong.quarantine.capacity import capacity_for
from fangkong.quarantine.facilities import facilities_for
from fangkong.quarantine.models import (
    AlertKind,
    BatchStatus,
    DailyCheck,
    Facility,
    FacilityStatus,
    OrderReason,
    OrderStatus,
    QuarantineAlert,
    QuarantineOrder,
    Room,
    RoomState,
    ScheduledTest,
)
from fangkong.quarantine.models import (
    TestResult as Outcome,
)
from fangkong.quarantine.orders import orders_for
from fangkong.registry.load import load_city
from fangkong.synth.generate import generate_city
from fangkong.tracing.models import Case, CaseOrigin, FoundIn

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def seeded(tmp_path: Path) -> dict[str, int]:
    city = tmp_path / "city"
    generate_city(out=city, residents=3000, seed=11, days=7, progress=False)
    load_city(src=city, progress=False)
    with override_settings(DATA_DIR=tmp_path):
        demo.ensure_logins()
        demo.seed_screening(seed=5)
        demo.ensure_logins()
        demo.seed_risk(seed=5)
        return demo.seed_quarantine(seed=5)


def _actor(name: str) -> Actor:
    return actor_for(User.objects.get(username=name))


def test_hotels_orders_and_care(seeded: dict[str, int]) -> None:
    hotel, standby = Facility.objects.order_by("code")
    assert (hotel.status, standby.status) == (FacilityStatus.ACTIVE, FacilityStatus.STANDBY)
    assert hotel.rooms.count() == 120 and hotel.shifts.exists()
    assert hotel.rooms.filter(capacity__gt=1, accessible=False).exists()
    assert hotel.rooms.filter(accessible=True).exists()
    assert Room.objects.filter(state=RoomState.DISINFECTING).exists()
    statuses = dict(QuarantineOrder.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(OrderStatus.values)
    reasons = dict(QuarantineOrder.objects.values_list("reason").annotate(n=Count("pk")))
    assert 145 <= reasons[OrderReason.INBOUND] <= 150 and reasons[OrderReason.CLOSE] > 0
    cases = Case.objects.filter(origin=CaseOrigin.RESULT)
    close = QuarantineOrder.objects.filter(reason=OrderReason.CLOSE)
    assert set(close.values_list("person__household_id", flat=True)) <= set(
        cases.values_list("person__household_id", flat=True))
    # Released with a certificate and at home; today's party in rooms waiting for the coach.
    home = QuarantineOrder.objects.filter(status=OrderStatus.AT_HOME)
    assert home.exists() and not home.filter(certificate_no__isnull=True).exists()
    assert seeded["released"] == QuarantineOrder.objects.filter(
        certificate_no__isnull=False).count() >= home.count()
    waiting = QuarantineOrder.objects.filter(status=OrderStatus.AWAITING, room__isnull=False)
    assert waiting.exists()
    assert not waiting.exclude(batch__status=BatchStatus.PLANNED).exists()
    # Checks and tests up to yesterday, never today; the alerts they raised.
    today = clock.city_today()
    yesterday = today - dt.timedelta(days=1)
    assert DailyCheck.objects.filter(day=yesterday).exists()
    assert not DailyCheck.objects.filter(day=today).exists()
    assert not ScheduledTest.objects.filter(due_on=today).exclude(
        result=Outcome.PENDING).exists()
    alerts = set(QuarantineAlert.objects.values_list("kind", flat=True))
    assert {AlertKind.FEVER, AlertKind.SUPPORT} <= alerts
    converted = QuarantineOrder.objects.get(status=OrderStatus.CONVERTED)
    assert converted.case is not None and converted.case.found_in == FoundIn.QUARANTINE
    assert ScheduledTest.objects.filter(order=converted, result=Outcome.POSITIVE).exists()
    # The capacity forecast has something to say: rooms run short within the week.
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[0]
    forecast = capacity_for(actor=_actor("officer1"), unit_id=district.pk)
    assert forecast.rooms_usable == Room.objects.exclude(state=RoomState.OUT_OF_SERVICE).count()
    assert forecast.inflow_per_day > 10 and forecast.awaiting > 0
    assert forecast.days[0].occupied > 60
    assert forecast.first_shortfall is not None  # the standby site will not be enough


def test_second_district_sees_none_and_seed_runs_once(seeded: dict[str, int],
                                                       tmp_path: Path) -> None:
    other = _actor("officer2")
    assert not orders_for(other).exists() and not facilities_for(other).exists()
    assert not QuarantineAlert.objects.filter(~Q(kind=AlertKind.CAPACITY),
                                              district=other.unit).exists()
    assert orders_for(_actor("hotel1")).count() == QuarantineOrder.objects.count()
    audit = AuditLog.objects.count()
    with override_settings(DATA_DIR=tmp_path):
        again = demo.seed_quarantine(seed=5)
    assert {k: v for k, v in again.items() if k != "seconds"} == \
        {k: v for k, v in seeded.items() if k != "seconds"}
    assert AuditLog.objects.count() == audit and seeded["seconds"] < 30
