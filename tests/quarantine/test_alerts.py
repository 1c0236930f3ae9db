"""Capacity alerts (the job) and the reading and resolving of every kind of alert."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.quarantine.alerts import alerts_for, do_raise_capacity_alerts, do_resolve_alert
from fangkong.quarantine.models import AlertKind, Facility, QuarantineAlert
from tests.factories import City, make_user
from tests.quarantine.builders import make_facility, make_order, quarantine_users
from tests.quarantine.test_capacity import as_actor, in_room


@pytest.fixture
def short(city: City) -> City:
    """District 1 has 2 rooms for 1 person in a room and 3 waiting; district 2 has 6 rooms."""
    d1, d2 = city.districts
    f1 = make_facility(unit=d1.unit, code="F1", rooms=2, family_rooms=0)
    in_room(d1.persons[0], f1, until=clock.city_today() + dt.timedelta(days=2))
    for person in d1.persons[1:4]:
        make_order(person, exposure=clock.now() - dt.timedelta(days=1))
    make_facility(unit=d2.unit, code="F2", rooms=6)
    return city


def capacity_alerts() -> list[QuarantineAlert]:
    return list(QuarantineAlert.objects.filter(kind=AlertKind.CAPACITY).order_by("id"))


def test_the_job_raises_one_alert_for_the_short_district_once_a_day(short: City) -> None:
    today = clock.city_today()
    assert do_raise_capacity_alerts(today=today) == 1
    assert do_raise_capacity_alerts(today=today) == 0
    [alert] = capacity_alerts()
    assert alert.district_id == short.districts[0].unit.pk and alert.street_id is None
    assert alert.detail["day"] == today.isoformat()
    assert alert.detail["first_shortfall"] == today.isoformat()
    assert alert.detail["peak_shortfall"] >= 2 and alert.detail["rooms_usable"] == 2
    assert AuditLog.objects.filter(verb="quarantine.alert.raise", target_id=str(alert.pk),
                                   actor__isnull=True).count() == 1


def test_a_new_day_supersedes_the_open_alert_and_a_resolved_day_stays_quiet(
        short: City) -> None:
    today = clock.city_today()
    do_raise_capacity_alerts(today=today)
    assert do_raise_capacity_alerts(today=today + dt.timedelta(days=1)) == 1
    old, new = capacity_alerts()
    assert old.resolved_at is not None and old.detail["superseded_by"] == new.pk
    assert new.resolved_at is None
    staff = as_actor(quarantine_users(short)["staff1"])
    do_resolve_alert(actor=staff, alert_id=new.pk, note="opened the standby hotel")
    assert do_raise_capacity_alerts(today=today + dt.timedelta(days=1)) == 0


def test_a_reserve_under_target_raises_an_alert_too(short: City) -> None:
    Facility.objects.filter(code="F2").update(status="closed")
    do_raise_capacity_alerts()
    assert {a.district_id for a in capacity_alerts()} == {d.unit.pk for d in short.districts}
    d2 = next(a for a in capacity_alerts() if a.district_id == short.districts[1].unit.pk)
    assert d2.detail["reserve_met"] is False and d2.detail["first_shortfall"] is None


def fever_alert(city: City) -> QuarantineAlert:
    """An alert of another kind, placed at district 1's facility as the checks raise them."""
    facility = Facility.objects.get(code="F1")
    alert = QuarantineAlert(kind=AlertKind.FEVER, at=clock.now(), facility=facility,
                            detail={"temperature": "38.1"})
    alert.place_in(facility.district)  # type: ignore[arg-type]
    alert.save()
    return alert


def test_alerts_are_read_by_kind_within_the_subtree(short: City) -> None:
    do_raise_capacity_alerts()
    fever = fever_alert(short)
    users = quarantine_users(short)
    officer1, officer2 = as_actor(users["officer1"]), as_actor(users["officer2"])
    assert {a.kind for a in alerts_for(officer1)} == {"capacity", "fever"}
    assert [a.pk for a in alerts_for(officer1, kind="fever")] == [fever.pk]
    assert list(alerts_for(officer2)) == []
    assert list(alerts_for(as_actor(users["grid1"]))) == []  # placed above the grid
    with pytest.raises(DomainError) as err:
        alerts_for(officer1, kind="boredom")
    assert err.value.field == "kind"


def test_resolving_needs_a_note_the_right_and_the_place(short: City) -> None:
    do_raise_capacity_alerts()
    [alert] = capacity_alerts()
    users = quarantine_users(short)
    staff = as_actor(users["staff1"])
    with pytest.raises(DomainError) as err:
        do_resolve_alert(actor=staff, alert_id=alert.pk, note="   ")
    assert err.value.field == "note"
    with pytest.raises(PermissionDenied):  # a district officer holds no quarantine.care
        do_resolve_alert(actor=as_actor(users["officer1"]), alert_id=alert.pk, note="done")
    other = make_user("staff2", unit=short.districts[1].unit, roles=["quarantine_staff"])
    with pytest.raises(NotFound):
        do_resolve_alert(actor=as_actor(other), alert_id=alert.pk, note="done")
    alert.refresh_from_db()
    assert alert.resolved_at is None

    done = do_resolve_alert(actor=staff, alert_id=alert.pk, note=" moved 3 people to F2 ")
    again = do_resolve_alert(actor=staff, alert_id=alert.pk, note="resent")
    assert done.resolved_by_id == users["staff1"].pk
    assert again.detail["resolution_note"] == "moved 3 people to F2"
    assert AuditLog.objects.filter(verb="quarantine.alert.resolve").count() == 1
    assert list(alerts_for(staff)) == []
    assert [a.pk for a in alerts_for(staff, open_only=False)] == [alert.pk]
