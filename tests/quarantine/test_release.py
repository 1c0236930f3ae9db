"""Release from the facility (refused clearly until the centralised phase is over and all
its tests negative), the home phase in the residence grid, and the daily completion job."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core.errors import Conflict, NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.quarantine import care, orders, release
from fangkong.quarantine.models import (
    DailyCheck,
    OrderStatus,
    QuarantineAlert,
    QuarantineOrder,
    RoomState,
    ScheduledTest,
)
from tests.factories import City
from tests.quarantine.builders import quarantine_users
from tests.quarantine.test_care import order_in_facility
from tests.quarantine.test_orders import NOW, ninth_edition_time  # noqa: F401

DAY = dt.timedelta(days=1)


def move_clock(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    moved = NOW + (day - NOW.date())
    monkeypatch.setattr("fangkong.core.clock.now", lambda: moved)


def test_release_refused_then_home_phase_then_completed(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    users = quarantine_users(city)
    order = order_in_facility(city, users)  # 9th edition: 3–9 July centralised, home to 12
    manager, grid = actor_for(users["manager1"]), actor_for(users["grid1"])
    with pytest.raises(Conflict) as early:
        release.do_release(actor=manager, order_id=order.pk)
    assert "lasts until 2022-07-09" in early.value.message
    for test in order.tests.filter(phase="centralised"):
        move_clock(monkeypatch, test.due_on)
        care.do_record_test(actor=manager, test_id=test.pk, result="negative")
    with pytest.raises(NotFound):
        release.do_release(actor=actor_for(users["officer2"]), order_id=order.pk)
    done = release.do_release(actor=manager, order_id=order.pk)  # on day 7, after its test
    assert done.status == OrderStatus.AT_HOME and done.certificate_no == (
        f"QR20220709-{order.pk:07d}")
    assert done.room is not None and done.room.state == RoomState.DISINFECTING
    assert list(orders.orders_for(grid).filter(status=OrderStatus.AT_HOME)) == [done]
    move_clock(monkeypatch, dt.date(2022, 7, 12))
    home = order.tests.get(phase="home")
    care.do_record_check(actor=grid, order_id=order.pk, temperature="36.6", symptoms=[],
                         mood=4)
    care.do_record_test(actor=grid, test_id=home.pk, result="negative")
    with pytest.raises(Conflict):
        release.do_release(actor=manager, order_id=order.pk)
    assert release.do_complete_due(on=dt.date(2022, 7, 12)).completed == 0
    assert release.do_complete_due(on=dt.date(2022, 7, 13)).completed == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.completed_at is not None


def test_release_refused_with_a_pending_test(city: City,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    users = quarantine_users(city)
    order = order_in_facility(city, users)
    move_clock(monkeypatch, dt.date(2022, 7, 10))
    with pytest.raises(Conflict) as pending:
        release.do_release(actor=actor_for(users["manager1"]), order_id=order.pk)
    assert pending.value.message == "a centralised test has no result yet"


def test_daily_job_alerts_idempotently(city: City) -> None:
    users = quarantine_users(city)
    order = order_in_facility(city, users)  # starts 3 July; tests from today (5 July)
    DailyCheck.objects.create(order=order, day=dt.date(2022, 7, 3), temperature="36.5",
                              mood=4, at=NOW)
    first = release.do_complete_due(on=dt.date(2022, 7, 5))
    assert (first.checks_missed, first.tests_overdue) == (1, 0)
    assert release.do_complete_due(on=dt.date(2022, 7, 6)).tests_overdue == 1
    again = release.do_complete_due(on=dt.date(2022, 7, 6))
    assert (again.checks_missed, again.tests_overdue) == (0, 0)
    assert QuarantineAlert.objects.filter(order=order).count() == 2
    alert = QuarantineAlert.objects.get(kind="test_overdue")
    assert alert.facility_id == order.facility_id
    ScheduledTest.objects.filter(order=order).update(result="negative")
    QuarantineOrder.objects.filter(pk=order.pk).update(status=OrderStatus.AT_HOME)
    assert release.do_complete_due(on=dt.date(2022, 7, 20)).completed == 1
