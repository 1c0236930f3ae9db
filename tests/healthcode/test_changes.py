"""Manual changes: asked with a reason, applied only by a different user with the right to
decide, capped by the rules in force, audited, and scoped like everything else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.approvals import do_decide
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.models import Approval, ApprovalStatus, AuditLog
from fangkong.healthcode import changes
from fangkong.healthcode.models import Override
from tests.factories import City
from tests.healthcode.builders_changes import actor, ask, change_users, make_case, recomputed

__all__ = ["recomputed"]


@pytest.fixture
def users(city: City) -> dict[str, User]:
    return change_users(city)


def test_a_request_changes_nothing_until_a_second_person_approves(
        city: City, users: dict[str, User], recomputed: list[int]) -> None:
    person = city.districts[0].persons[0]
    make_case(person)
    approval = ask(users["officer1"], person, colour="red", days=7)
    assert approval.status == ApprovalStatus.PENDING
    assert not Override.objects.exists() and recomputed == []
    with pytest.raises(DomainError, match="own request"):
        do_decide(actor=actor(users["officer1"]), approval_id=approval.pk, approve=True)
    do_decide(actor=actor(users["officer1b"]), approval_id=approval.pk, approve=True)
    override = Override.objects.get()
    assert (override.person_id, override.colour) == (person.pk, "red")
    assert override.reason == approval.reason and override.approval_id == approval.pk
    assert override.requested_by_id == users["officer1"].pk
    assert override.expires_at - override.set_at == dt.timedelta(days=7)
    assert override.district_id == person.district_id and override.grid_id == person.grid_id
    assert recomputed == [person.pk]
    verbs = set(AuditLog.objects.values_list("verb", flat=True))
    assert {"approval.request", "approval.approve", "healthcode.override.set"} <= verbs


def test_a_rejected_request_writes_no_override(city: City, users: dict[str, User],
                                               recomputed: list[int]) -> None:
    approval = ask(users["officer1"], city.districts[0].persons[0])
    do_decide(actor=actor(users["officer1b"]), approval_id=approval.pk, approve=False)
    assert not Override.objects.exists() and recomputed == []


@pytest.mark.parametrize("case", [
    ("purple", 3, "a reason", "colour"),
    ("red", 0, "a reason", "days"),
    ("red", 15, "a reason", "days"),  # longer than the longest status a fact gives (14)
    ("red", 3, "   ", "reason"),
])
def test_bad_input_names_its_field_and_stores_nothing(
        city: City, users: dict[str, User], case: tuple[str, int, str, str]) -> None:
    colour, days, reason, field = case
    with pytest.raises(DomainError) as caught:
        ask(users["officer1"], city.districts[0].persons[0], colour=colour, days=days,
            reason=reason)
    assert caught.value.field == field
    assert not Approval.objects.exists()


def test_the_cap_is_the_longest_status_of_the_rules_in_force(city: City) -> None:
    assert changes.max_days() == 14


def test_one_pending_change_per_person(city: City, users: dict[str, User]) -> None:
    person = city.districts[0].persons[0]
    ask(users["officer1"], person)
    with pytest.raises(Conflict):
        ask(users["officer1b"], person, colour="yellow")
    assert Approval.objects.count() == 1


def test_a_revocation_is_two_person_too(city: City, users: dict[str, User],
                                        recomputed: list[int]) -> None:
    person = city.districts[0].persons[1]
    first = ask(users["officer1"], person, colour="yellow", days=3)
    do_decide(actor=actor(users["officer1b"]), approval_id=first.pk, approve=True)
    override = Override.objects.get()
    revoke = changes.do_request_revoke(actor=actor(users["officer1b"]),
                                       override_id=override.pk, reason="wrong person")
    override.refresh_from_db()
    assert override.revoked_at is None
    with pytest.raises(DomainError, match="own request"):
        do_decide(actor=actor(users["officer1b"]), approval_id=revoke.pk, approve=True)
    do_decide(actor=actor(users["officer1"]), approval_id=revoke.pk, approve=True)
    override.refresh_from_db()
    assert override.revoked_at is not None and changes.active_override(person.pk) is None
    assert recomputed == [person.pk, person.pk]
    assert AuditLog.objects.filter(verb="healthcode.override.revoke").count() == 1


def test_a_new_override_ends_the_one_in_force(city: City, users: dict[str, User],
                                              recomputed: list[int]) -> None:
    person = city.districts[0].persons[0]
    for colour in ("yellow", "green"):
        approval = ask(users["officer1"], person, colour=colour, days=2)
        do_decide(actor=actor(users["officer1b"]), approval_id=approval.pk, approve=True)
    current = changes.active_override(person.pk)
    assert current is not None and current.colour == "green"
    assert Override.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_stale_revocation_cannot_apply(city: City, users: dict[str, User],
                                         recomputed: list[int],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    person = city.districts[0].persons[0]
    first = ask(users["officer1"], person, days=1)
    do_decide(actor=actor(users["officer1b"]), approval_id=first.pk, approve=True)
    revoke = changes.do_request_revoke(actor=actor(users["officer1"]),
                                       override_id=Override.objects.get().pk, reason="done")
    later = clock.now() + dt.timedelta(days=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(Conflict):
        do_decide(actor=actor(users["officer1b"]), approval_id=revoke.pk, approve=True)
    revoke.refresh_from_db()
    assert revoke.status == ApprovalStatus.PENDING


def test_a_grid_worker_cannot_ask(city: City, users: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        ask(users["grid1"], city.districts[0].persons[0])


def test_district_2_can_neither_ask_nor_decide_for_district_1(
        city: City, users: dict[str, User]) -> None:
    person = city.districts[0].persons[0]
    with pytest.raises(NotFound):
        ask(users["officer2"], person)
    approval = ask(users["officer1"], person)
    with pytest.raises(NotFound):
        do_decide(actor=actor(users["officer2"]), approval_id=approval.pk, approve=True)
    assert not changes.pending_changes(actor(users["officer2"])).exists()
    assert list(changes.pending_changes(actor(users["officer1b"]))) == [approval]
    assert not changes.overrides_in_scope(actor(users["officer2"])).exists()


def test_the_code_follows_the_override_and_its_revocation(
        city: City, users: dict[str, User]) -> None:
    pytest.importorskip("fangkong.healthcode.recompute")
    from fangkong.healthcode.models import PersonCode

    person = city.districts[0].persons[0]
    set_red = ask(users["officer1"], person, colour="red", days=3)
    do_decide(actor=actor(users["officer1b"]), approval_id=set_red.pk, approve=True)
    assert PersonCode.objects.get(person=person).colour == "red"
    revoke = changes.do_request_revoke(actor=actor(users["officer1b"]),
                                       override_id=Override.objects.get().pk, reason="error")
    do_decide(actor=actor(users["officer1"]), approval_id=revoke.pk, approve=True)
    assert PersonCode.objects.get(person=person).colour == "green"
