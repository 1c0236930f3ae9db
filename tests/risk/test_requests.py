"""Supply requests: deadlines and priorities from the version in force, the scoped board,
assignment rules, closing, the resident's signed link and its idempotent client key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.risk import requests as rq
from fangkong.risk.models import AreaStatus, Priority, RequestStatus, SupplyRequest
from fangkong.risk.policy import risk_rules
from tests.factories import City
from tests.risk.builders import make_area, risk_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(city: City) -> dict:  # type: ignore[type-arg]
    return risk_users(city)


def _actor(users: dict, name: str):  # type: ignore[no-untyped-def, type-arg]
    return actor_for(users[name])


def test_deadline_and_priority_follow_the_kind(city: City, users: dict) -> None:  # type: ignore[type-arg]
    area = make_area(unit=city.districts[0].grids[0])
    household = city.districts[0].households[0]
    before = clock.now()
    req = rq.do_create_request(actor=_actor(users, "grid1"), household_id=household.pk,
                               kind="dialysis", details=" twice a week ")
    hours = risk_rules(on=clock.city_today()).request_deadline_hours["dialysis"]
    assert req.area == area and req.priority == Priority.URGENT
    assert req.details == "twice a week" and req.grid_id == household.grid_id
    assert before + dt.timedelta(hours=hours) <= req.deadline
    assert req.deadline <= clock.now() + dt.timedelta(hours=hours)
    other = rq.do_create_request(actor=_actor(users, "grid1"), household_id=household.pk,
                                 kind="groceries", priority=Priority.HIGH)
    assert other.priority == Priority.HIGH  # an explicit priority wins
    assert rq.default_priority("pregnancy") == Priority.HIGH
    assert rq.default_priority("other") == Priority.NORMAL
    assert AuditLog.objects.filter(verb="risk.request.create").count() == 2


def test_bad_input_names_the_field_and_stores_nothing(city: City, users: dict) -> None:  # type: ignore[type-arg]
    household = city.districts[0].households[0]
    actor = _actor(users, "grid1")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "pizza"}, "kind"), ({"kind": "other", "details": "x" * 1001}, "details"),
        ({"kind": "other", "priority": 7}, "priority"),
        ({"kind": "other", "person_id": city.districts[0].persons[5].pk}, "person_id"),
        ({"kind": "other", "channel": "resident"}, "channel")]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as err:
            rq.do_create_request(actor=actor, household_id=household.pk, **kwargs)
        assert err.value.field == field
    assert not SupplyRequest.objects.exists()


def test_volunteer_sees_only_their_grid_and_district_2_nothing(city: City, users: dict) -> None:  # type: ignore[type-arg]
    d1 = city.districts[0]
    make_area(unit=d1.unit.children.get().children.get())  # the community: both grids
    officer = _actor(users, "officer1")
    mine = rq.do_create_request(actor=officer, household_id=d1.households[0].pk, kind="other")
    theirs = rq.do_create_request(actor=officer, household_id=d1.households[1].pk,
                                  kind="medicine")
    assert list(rq.board(_actor(users, "volunteer1"))) == [mine]
    assert list(rq.board(officer)) == [theirs, mine]  # high priority first
    assert not rq.board(_actor(users, "officer2")).exists()
    assert rq.counts(_actor(users, "officer2"))["open"] == 0
    with pytest.raises(NotFound):
        rq.do_create_request(actor=_actor(users, "officer2"), household_id=d1.households[0].pk,
                             kind="other")
    with pytest.raises(NotFound):
        rq.do_complete_request(actor=_actor(users, "officer2"), request_id=mine.pk,
                               outcome="done")


def test_assignment_rules(city: City, users: dict) -> None:  # type: ignore[type-arg]
    d1 = city.districts[0]
    make_area(unit=d1.grids[0])
    req = rq.do_create_request(actor=_actor(users, "grid1"), household_id=d1.households[0].pk,
                               kind="groceries")
    volunteer = _actor(users, "volunteer1")
    with pytest.raises(PermissionDenied):  # a volunteer does not dispatch others
        rq.do_assign_request(actor=volunteer, request_id=req.pk,
                             assignee_id=users["grid1"].pk)
    taken = rq.do_assign_request(actor=volunteer, request_id=req.pk,
                                 assignee_id=users["volunteer1"].pk)
    assert taken.status == RequestStatus.ASSIGNED and taken.assignee_id == users["volunteer1"].pk
    assert list(rq.board(volunteer, rq.BoardFilter(mine=True))) == [taken]
    for name in ("officer2", "gate1"):  # out of scope; no support right
        with pytest.raises(DomainError) as err:
            rq.do_assign_request(actor=_actor(users, "grid1"), request_id=req.pk,
                                 assignee_id=users[name].pk)
        assert err.value.field == "assignee_id"
    again = rq.do_assign_request(actor=volunteer, request_id=req.pk,
                                 assignee_id=users["volunteer1"].pk)
    assert again.assigned_at == taken.assigned_at  # a resend changes nothing


def test_complete_cancel_and_overdue(city: City, users: dict, monkeypatch) -> None:  # type: ignore[no-untyped-def, type-arg]
    d1 = city.districts[0]
    make_area(unit=d1.grids[0])
    actor = _actor(users, "grid1")
    urgent = rq.do_create_request(actor=actor, household_id=d1.households[0].pk,
                                  kind="emergency")
    slow = rq.do_create_request(actor=actor, household_id=d1.households[0].pk, kind="other")
    later = clock.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert rq.is_overdue(urgent) and not rq.is_overdue(slow)
    assert list(rq.board(actor, rq.BoardFilter(overdue=True))) == [urgent]
    assert rq.counts(actor)["overdue"] == 1
    with pytest.raises(DomainError) as err:
        rq.do_complete_request(actor=actor, request_id=urgent.pk, outcome=" ")
    assert err.value.field == "outcome"
    done = rq.do_complete_request(actor=actor, request_id=urgent.pk, outcome="ambulance came")
    assert done.status == RequestStatus.DONE and not rq.is_overdue(done)
    assert rq.do_complete_request(actor=actor, request_id=urgent.pk, outcome="x").outcome == (
        "ambulance came")  # resent: unchanged
    with pytest.raises(Conflict):
        rq.do_cancel_request(actor=actor, request_id=urgent.pk, reason="not needed")
    cancelled = rq.do_cancel_request(actor=actor, request_id=slow.pk, reason="moved away")
    assert cancelled.status == RequestStatus.CANCELLED and cancelled.outcome == "moved away"
    assert rq.counts(actor) == {"overdue": 0, "open": 0, "assigned": 0, "done": 1,
                                "cancelled": 1}


def test_resident_link_is_for_its_household_only(city: City, users: dict) -> None:  # type: ignore[type-arg]
    d1 = city.districts[0]
    area = make_area(unit=d1.unit.children.get().children.get())
    actor = _actor(users, "grid1")
    token_a = rq.do_make_household_link(actor=actor, household_id=d1.households[0].pk)
    token_b = rq.household_token(d1.households[1], area)
    rq.do_create_request(actor=_actor(users, "officer1"), household_id=d1.households[0].pk,
                         kind="medicine", details="insulin")
    rq.do_request_by_link(token=token_b, kind="groceries")
    link_b = rq.read_household_token(token_b)
    assert link_b.household == d1.households[1]
    assert [r.kind for r in rq.household_requests(link_b.household)] == ["groceries"]
    assert [r.details for r in rq.household_requests(
        rq.read_household_token(token_a).household)] == ["insulin"]
    forged = signing.dumps({"h": d1.households[0].pk, "a": area.pk}, salt="other")
    for bad in (forged, token_b[:-2] + "xx", "nonsense"):
        with pytest.raises(NotFound):
            rq.read_household_token(bad)
    with pytest.raises(NotFound):  # the grid worker of grid 1 cannot link grid 2's household
        rq.do_make_household_link(actor=actor, household_id=d1.households[1].pk)
    area.status = AreaStatus.LIFTED
    area.save()
    with pytest.raises(Conflict):
        rq.read_household_token(token_a)


def test_resending_the_same_client_key_stores_one_request(city: City, users: dict) -> None:  # type: ignore[type-arg]
    d1 = city.districts[0]
    area = make_area(unit=d1.grids[0])
    token = rq.household_token(d1.households[0], area)
    first = rq.do_request_by_link(token=token, kind="medicine", details="a", client_key="k1")
    again = rq.do_request_by_link(token=token, kind="medicine", details="a", client_key="k1")
    other = rq.do_request_by_link(token=token, kind="medicine", details="a", client_key="k2")
    assert first.pk == again.pk != other.pk
    assert first.channel == "resident" and first.created_by_id is None
    assert SupplyRequest.objects.count() == 2
    assert AuditLog.objects.filter(verb="risk.request.create",
                                   actor_name=f"household-link:{d1.households[0].pk}").count() == 2


def test_household_outside_any_area_gets_no_link(city: City, users: dict) -> None:  # type: ignore[type-arg]
    household = city.districts[0].households[0]
    with pytest.raises(Conflict):
        rq.do_make_household_link(actor=_actor(users, "grid1"), household_id=household.pk)
    req = rq.do_create_request(actor=_actor(users, "grid1"), household_id=household.pk,
                               kind="other")
    assert req.area is None  # staff may still help a household outside any area
