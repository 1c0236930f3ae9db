"""The audit log search and the approvals queue (two-person rule)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core.approvals import do_request
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import Approval, ApprovalStatus, AuditLog
from tests.factories import City, make_user

pytestmark = pytest.mark.django_db
KIND = "registry.person_correction"


def _approval(city: City, *, requester: str = "street1") -> Approval:
    user = make_user(requester, unit=city.districts[0].unit, roles=["street_worker"])
    person = city.districts[0].persons[0]
    return do_request(actor=actor_for(user), kind=KIND, target_id=str(person.pk),
                      payload={"phone": "13911112222"}, reason="resident called")


def _audit(verb: str, *, actor: str, at: dt.datetime, city: City) -> AuditLog:
    row = AuditLog(at=at, actor_name=actor, verb=verb, target_type="registry.person",
                   target_id="7")
    row.district_id = city.districts[0].unit.pk
    row.save()
    return row


def test_audit_filters(officer1: Client, city: City) -> None:
    day = dt.datetime(2022, 5, 1, 10, tzinfo=dt.UTC)
    _audit("pii.read", actor="wang", at=day, city=city)
    _audit("person.correct", actor="li", at=day + dt.timedelta(days=3), city=city)

    def verbs(**query: str) -> set[str]:
        page = officer1.get("/audit/", query).content.decode()
        return {v for v in ("pii.read", "person.correct") if f'<td class="mono">{v}</td>' in page}

    assert verbs() == {"pii.read", "person.correct"}
    assert verbs(verb="pii") == {"pii.read"}
    assert verbs(actor="li") == {"person.correct"}
    assert verbs(target="registry.person:7") == {"pii.read", "person.correct"}
    assert verbs(target="8") == set()
    assert verbs(since="2022-05-02") == {"person.correct"}
    assert verbs(until="2022-05-01") == {"pii.read"}
    assert verbs(since="bad-date") == {"pii.read", "person.correct"}


def test_audit_keyset_pages(officer1: Client, city: City) -> None:
    from fangkong.core.views import PAGE_SIZE

    start = dt.datetime(2022, 5, 1, tzinfo=dt.UTC)
    rows = [_audit(f"v.{n:03d}", actor="a", at=start + dt.timedelta(minutes=n), city=city)
            for n in range(PAGE_SIZE + 3)]
    first = officer1.get("/audit/").content.decode()
    assert f"v.{PAGE_SIZE + 2:03d}" in first and "v.000" not in first
    before = first.split("before=")[1].split('"')[0]
    second = officer1.get(f"/audit/?before={before}").content.decode()
    assert "v.000" in second and f"v.{PAGE_SIZE + 2:03d}" not in second
    assert len(rows) == PAGE_SIZE + 3


def test_audit_needs_right(city: City, grid_worker: Client) -> None:
    assert grid_worker.get("/audit/").status_code == 403


def test_approvals_list_and_approve(officer1: Client, city: City) -> None:
    approval = _approval(city)
    page = officer1.get("/approvals/").content.decode()
    assert "resident called" in page and f"/approvals/{approval.pk}/decide" in page
    response = officer1.post(f"/approvals/{approval.pk}/decide",
                             {"decision": "approve", "note": "checked"})
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPLIED and approval.decision_note == "checked"
    decided = officer1.get("/approvals/?show=decided").content.decode()
    assert "checked" in decided and "officer1" in decided


def test_reject(officer1: Client, city: City) -> None:
    approval = _approval(city)
    officer1.post(f"/approvals/{approval.pk}/decide", {"decision": "reject", "note": "no"})
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.REJECTED


def test_self_approval_refused_with_message(city: City, client: Client) -> None:
    user = make_user("both", unit=city.districts[0].unit, roles=["district_officer"])
    approval = do_request(actor=actor_for(user), kind=KIND,
                          target_id=str(city.districts[0].persons[0].pk),
                          payload={"phone": "13911112222"}, reason="typo")
    client.force_login(user)
    page = client.get("/approvals/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "another person must decide" in page
    response = client.post(f"/approvals/{approval.pk}/decide", {"decision": "approve"},
                           follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "You cannot decide your own request" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_other_district_cannot_see_or_decide(officer2: Client, city: City) -> None:
    approval = _approval(city)
    assert "resident called" not in officer2.get("/approvals/?show=all").content.decode()
    response = officer2.post(f"/approvals/{approval.pk}/decide", {"decision": "approve"})
    assert response.status_code == 404
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_approvals_need_right(city: City, grid_worker: Client) -> None:
    assert grid_worker.get("/approvals/").status_code == 403
    assert User.objects.filter(username="gridder").exists()
