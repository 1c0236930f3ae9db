"""Two-person rule: request, a different user in scope approves, then it applies."""

from __future__ import annotations

import pytest

from fangkong.core.approvals import do_decide, do_request
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import ApprovalStatus, AuditLog
from fangkong.registry.models import Person
from tests.factories import id_number, make_user, small_city

pytestmark = pytest.mark.django_db
KIND = "registry.person_correction"


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    city = small_city()
    d1 = city.districts[0]
    requester = actor_for(make_user("street1", unit=d1.unit, roles=["street_worker"]))
    approver = actor_for(make_user("officer1", unit=d1.unit, roles=["district_officer"]))
    foreign = actor_for(make_user("officer2", unit=city.districts[1].unit,
                                  roles=["district_officer"]))
    viewer = actor_for(make_user("viewer1", unit=d1.unit, roles=["viewer"]))
    return d1.persons[0], requester, approver, foreign, viewer


def _request(person: Person, actor, phone: str = "13911112222"):  # type: ignore[no-untyped-def]
    return do_request(actor=actor, kind=KIND, target_id=str(person.pk),
                      payload={"phone": phone}, reason="resident called the hotline")


def test_approval_applies_change_with_audit(setup) -> None:  # type: ignore[no-untyped-def]
    person, requester, approver, _, _ = setup
    approval = _request(person, requester)
    person.refresh_from_db()
    assert person.phone != "13911112222", "nothing changes before approval"
    do_decide(actor=approver, approval_id=approval.pk, approve=True, note="checked")
    person.refresh_from_db()
    assert person.phone == "13911112222" and person.phone_last4 == "2222"
    verbs = list(AuditLog.objects.order_by("pk").values_list("verb", flat=True))
    assert verbs == ["approval.request", "person.correct", "approval.approve"]


def test_requester_cannot_approve_own_request(setup) -> None:  # type: ignore[no-untyped-def]
    person, *_ = setup
    officer = actor_for(make_user("both", unit=person.district, roles=["district_officer"]))
    approval = _request(person, officer)
    with pytest.raises(DomainError, match="own request"):
        do_decide(actor=officer, approval_id=approval.pk, approve=True)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_other_district_cannot_see_or_decide(setup) -> None:  # type: ignore[no-untyped-def]
    person, requester, _, foreign, _ = setup
    approval = _request(person, requester)
    with pytest.raises(NotFound):
        do_decide(actor=foreign, approval_id=approval.pk, approve=True)


def test_decider_needs_the_right(setup) -> None:  # type: ignore[no-untyped-def]
    person, requester, _, _, viewer = setup
    approval = _request(person, requester)
    with pytest.raises(PermissionDenied):
        do_decide(actor=viewer, approval_id=approval.pk, approve=True)


def test_rejected_request_changes_nothing_and_cannot_be_decided_twice(setup) -> None:  # type: ignore[no-untyped-def]
    person, requester, approver, _, _ = setup
    before = person.phone
    approval = _request(person, requester)
    do_decide(actor=approver, approval_id=approval.pk, approve=False, note="wrong number")
    person.refresh_from_db()
    assert person.phone == before
    with pytest.raises(Conflict):
        do_decide(actor=approver, approval_id=approval.pk, approve=True)


def test_bad_payload_is_refused_at_request(setup) -> None:  # type: ignore[no-untyped-def]
    person, requester, *_ = setup
    with pytest.raises(DomainError) as bad_phone:
        _request(person, requester, phone="12345")
    assert bad_phone.value.field == "phone"
    with pytest.raises(DomainError):
        do_request(actor=requester, kind=KIND, target_id=str(person.pk),
                   payload={"name": "x"}, reason="r")
    with pytest.raises(DomainError):
        do_request(actor=requester, kind=KIND, target_id=str(person.pk),
                   payload={"id_number": id_number(999)}, reason="  ")
    assert not AuditLog.objects.exists()


def test_viewer_cannot_request(setup) -> None:  # type: ignore[no-untyped-def]
    person, _, _, _, viewer = setup
    with pytest.raises(PermissionDenied):
        _request(person, viewer)
