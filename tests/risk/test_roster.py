"""The special-groups roster: who is on it, unchecked first, one check a day that may be
corrected, a request opened with ``needs_help`` in the same transaction, and scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.risk import roster
from fangkong.risk.models import CareCheck, SupplyRequest
from tests.factories import City
from tests.risk.builders import make_area, risk_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(city: City):  # type: ignore[no-untyped-def]
    d1 = city.districts[0]
    people = d1.persons[:4]  # grid 1 of district 1
    for person, group in zip(people[:3], ("over80_alone", "pregnant", "chronic_care"),
                             strict=True):
        setattr(person, group, True)
        person.save()
    area = make_area(unit=d1.grids[0], started_at=clock.now() - dt.timedelta(days=3))
    return area, people, risk_users(city)


def test_roster_lists_special_groups_unchecked_first(setup) -> None:  # type: ignore[no-untyped-def]
    area, people, users = setup
    actor = actor_for(users["grid1"])
    rows = roster.roster(actor, area)
    assert {r.person for r in rows} == set(people[:3])  # the fourth is in no group
    assert all(r.check is None for r in rows)
    roster.do_record_care_check(actor=actor, area_id=area.pk, person_id=people[0].pk,
                                status="ok")
    roster.do_record_care_check(actor=actor, area_id=area.pk, person_id=people[1].pk,
                                status="needs_help", note="fever")
    rows = roster.roster(actor, area)
    assert [r.person for r in rows] == [people[2], people[1], people[0]]
    assert rows[1].groups == ("pregnant",)
    yesterday = roster.roster(actor, area, day=clock.city_today() - dt.timedelta(days=1))
    assert all(r.check is None for r in yesterday)


def test_one_check_a_day_corrected_in_place(setup) -> None:  # type: ignore[no-untyped-def]
    area, people, users = setup
    actor = actor_for(users["grid1"])
    first = roster.do_record_care_check(actor=actor, area_id=area.pk, person_id=people[0].pk,
                                        status="unreachable")
    fixed = roster.do_record_care_check(actor=actor, area_id=area.pk, person_id=people[0].pk,
                                        status="ok", note="answered later")
    assert fixed.pk == first.pk and CareCheck.objects.count() == 1
    assert fixed.grid_id == people[0].grid_id
    correction = AuditLog.objects.filter(verb="risk.care.correct").get()
    assert correction.before is not None and correction.before["status"] == "unreachable"
    earlier = clock.city_today() - dt.timedelta(days=1)
    roster.do_record_care_check(actor=actor, area_id=area.pk, person_id=people[0].pk,
                                status="ok", day=earlier)
    assert CareCheck.objects.count() == 2


def test_needs_help_opens_one_request_a_day(setup) -> None:  # type: ignore[no-untyped-def]
    area, people, users = setup
    actor = actor_for(users["volunteer1"])
    for _ in range(2):
        roster.do_record_care_check(actor=actor, area_id=area.pk, person_id=people[2].pk,
                                    status="needs_help", note="dialysis tomorrow",
                                    request_kind="dialysis")
    req = SupplyRequest.objects.get()
    assert (req.person, req.kind, req.details, req.area) == (
        people[2], "dialysis", "dialysis tomorrow", area)


def test_bad_input_changes_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    area, people, users = setup
    actor = actor_for(users["grid1"])
    cases = [({"person_id": people[3].pk, "status": "ok"}, "person_id"),
             ({"person_id": people[0].pk, "status": "fine"}, "status"),
             ({"person_id": people[0].pk, "status": "ok", "request_kind": "medicine"},
              "request_kind"),
             ({"person_id": people[0].pk, "status": "needs_help", "request_kind": "x"},
              "request_kind"),
             ({"person_id": people[0].pk, "status": "ok",
               "day": clock.city_today() + dt.timedelta(days=1)}, "day"),
             ({"person_id": people[0].pk, "status": "ok", "note": "n" * 301}, "note")]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as err:
            roster.do_record_care_check(actor=actor, area_id=area.pk, **kwargs)
        assert err.value.field == field
    assert not CareCheck.objects.exists() and not SupplyRequest.objects.exists()


def test_district_2_sees_no_roster_of_district_1(setup) -> None:  # type: ignore[no-untyped-def]
    area, people, users = setup
    officer2 = actor_for(users["officer2"])
    assert roster.roster(officer2, area) == []
    with pytest.raises(NotFound):
        roster.do_record_care_check(actor=officer2, area_id=area.pk, person_id=people[0].pk,
                                    status="ok")
