"""Abuse alerts: a change for a person with no epidemiological link, and one user changing many
codes, are flagged when asked (to the approver, before deciding) and again when applied."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core import clock
from fangkong.core.approvals import do_decide
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.healthcode import abuse
from fangkong.healthcode.models import AbuseAlert, Arrival, Purchase
from fangkong.registry.models import Person
from tests.factories import City
from tests.healthcode.builders_changes import (
    actor,
    ask,
    change_users,
    make_case,
    recomputed,
    small_bulk_threshold,
)

__all__ = ["recomputed"]


@pytest.fixture
def users(city: City) -> dict[str, User]:
    return change_users(city)


def _place(row: Arrival | Purchase, person: Person) -> None:
    row.district_id, row.street_id = person.district_id, person.street_id
    row.community_id, row.grid_id = person.community_id, person.grid_id
    row.save()


def test_a_change_for_an_unlinked_person_fires_when_asked_and_when_applied(
        city: City, users: dict[str, User], recomputed: list[int]) -> None:
    person = city.districts[0].persons[2]
    approval = ask(users["officer1"], person, colour="red")
    alert = AbuseAlert.objects.get()
    assert alert.kind == "unlinked" and alert.actor_id == users["officer1"].pk
    assert alert.detail["approval_id"] == approval.pk and alert.detail["stage"] == "requested"
    assert (alert.district_id, alert.grid_id) == (person.district_id, person.grid_id)
    assert approval.payload["alerts"] == ["unlinked"]
    warnings = abuse.approval_warnings(approval)
    assert len(warnings) == 1 and "No epidemiological link" in warnings[0]
    do_decide(actor=actor(users["officer1b"]), approval_id=approval.pk, approve=True)
    applied = AbuseAlert.objects.get(detail__stage="applied")
    assert applied.kind == "unlinked" and applied.actor_id == users["officer1b"].pk
    assert AuditLog.objects.filter(verb="healthcode.abuse.raise").count() == 2


def test_a_linked_person_or_a_green_change_raises_nothing(
        city: City, users: dict[str, User]) -> None:
    case_person, other = city.districts[0].persons[0], city.districts[0].persons[1]
    make_case(case_person)
    ask(users["officer1"], case_person, colour="red")
    ask(users["officer1"], other, colour="green")
    assert not AbuseAlert.objects.exists()


LINKS = st.lists(st.tuples(st.sampled_from(["arrival", "purchase", "case"]),
                           st.integers(min_value=0, max_value=40)), max_size=3)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(links=LINKS, colour=st.sampled_from(["green", "yellow", "red"]))
def test_unlinked_fires_exactly_when_no_fact_is_within_the_longest_status(
        city: City, users: dict[str, User], links: list[tuple[str, int]], colour: str) -> None:
    person = city.districts[0].persons[3]
    now = clock.now()
    with transaction.atomic():
        for kind, age_days in links:
            at = now - dt.timedelta(days=age_days, minutes=1)
            if kind == "arrival":
                _place(Arrival(person=person, arrived_at=at, recorded_at=now), person)
            elif kind == "purchase":
                _place(Purchase(person=person, drug_class="fever", bought_at=at), person)
            elif not person.cases.exists():
                make_case(person)
        linked = any(kind == "case" or age < 14 for kind, age in links)
        ask(users["officer1"], person, colour=colour)
        fired = AbuseAlert.objects.filter(kind="unlinked").exists()
        transaction.set_rollback(True)
    assert fired == (colour != "green" and not linked)


def test_a_bulk_manual_change_fires_the_alert(city: City, users: dict[str, User],
                                              recomputed: list[int]) -> None:
    small_bulk_threshold(3)
    people = city.districts[0].persons[:5]
    for person in people:
        make_case(person)
    approvals = [ask(users["officer1"], p, colour="yellow") for p in people]
    bulk = AbuseAlert.objects.filter(kind="bulk", detail__stage="requested").order_by("pk")
    assert [a.detail["approval_id"] for a in bulk] == [a.pk for a in approvals[3:]]
    assert [a.detail["count"] for a in bulk] == [4, 5]
    assert all(a.actor_id == users["officer1"].pk for a in bulk)
    assert abuse.approval_warnings(approvals[0]) == []
    assert "Bulk change" in abuse.approval_warnings(approvals[4])[0]
    for approval in approvals:  # the approver applying them all is flagged too
        do_decide(actor=actor(users["officer1b"]), approval_id=approval.pk, approve=True)
    applied = AbuseAlert.objects.filter(kind="bulk", detail__stage="applied")
    assert [a.actor_id for a in applied] == [users["officer1b"].pk] * 2


def test_the_window_forgets_old_changes(city: City, users: dict[str, User],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    small_bulk_threshold(2, minutes=30)
    people = city.districts[0].persons[:4]
    for person in people:
        make_case(person)
    start = clock.now()
    for i, person in enumerate(people):
        monkeypatch.setattr(clock, "now", lambda i=i: start + dt.timedelta(minutes=20 * i))
        ask(users["officer1"], person, colour="yellow")
    assert not AbuseAlert.objects.filter(kind="bulk").exists()


def test_resolving_needs_a_note_and_someone_else(city: City, users: dict[str, User]) -> None:
    ask(users["officer1"], city.districts[0].persons[2], colour="red")
    alert = AbuseAlert.objects.get()
    with pytest.raises(DomainError, match="someone else"):
        abuse.do_resolve_alert(actor=actor(users["officer1"]), alert_id=alert.pk, note="fine")
    with pytest.raises(DomainError) as caught:
        abuse.do_resolve_alert(actor=actor(users["officer1b"]), alert_id=alert.pk, note=" ")
    assert caught.value.field == "note"
    with pytest.raises(PermissionDenied):
        abuse.do_resolve_alert(actor=actor(users["grid1"]), alert_id=alert.pk, note="ok")
    abuse.do_resolve_alert(actor=actor(users["officer1b"]), alert_id=alert.pk,
                           note="arrival declared on paper; entered now")
    alert.refresh_from_db()
    assert alert.resolved_at is not None and alert.detail["resolved_by"] == "officer1b"
    assert not abuse.alerts_in_scope(actor(users["officer1"])).exists()
    with pytest.raises(Conflict):
        abuse.do_resolve_alert(actor=actor(users["officer1b"]), alert_id=alert.pk, note="x")
    assert AuditLog.objects.filter(verb="healthcode.abuse.resolve").count() == 1


def test_district_2_sees_and_resolves_none_of_district_1s_alerts(
        city: City, users: dict[str, User]) -> None:
    ask(users["officer1"], city.districts[0].persons[2], colour="red")
    alert = AbuseAlert.objects.get()
    assert list(abuse.alerts_in_scope(actor(users["grid1"]))) == [alert]
    assert not abuse.alerts_in_scope(actor(users["officer2"])).exists()
    with pytest.raises(NotFound):
        abuse.do_resolve_alert(actor=actor(users["officer2"]), alert_id=alert.pk, note="ok")
