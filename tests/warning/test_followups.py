"""The grid's follow-up list: scoped (the second district sees nothing and gets 404),
overdue first, phones masked without pii.view, closed once with an audited outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.models import AuditLog
from fangkong.warning import followup_actions, queries_followups
from fangkong.warning.followups import open_follow_up
from fangkong.warning.models import FollowUp, FollowUpKind, FollowUpStatus
from fangkong.warning.queries_followups import Filters
from tests.factories import PASSWORD, City
from tests.warning.builders_sentinel import SUMMER, actor, move_clock, sentinel_users

H = dt.timedelta(hours=1)


@pytest.fixture
def users(city: City, monkeypatch: pytest.MonkeyPatch) -> dict[str, User]:
    move_clock(monkeypatch, SUMMER)
    return sentinel_users(city)


@pytest.fixture
def rows(city: City, users: dict[str, User]) -> list[FollowUp]:
    a, b = city.districts[0].persons[:2]
    return [
        open_follow_up(kind=FollowUpKind.CLINIC, source_id=1, person=a, place=None,
                       summary="fever", now=SUMMER - 2 * H, due_in=24 * H),
        open_follow_up(kind=FollowUpKind.UNTESTED_BUYER, source_id=2, person=b, place=None,
                       summary="bought", now=SUMMER - 30 * H, due_in=24 * H),  # overdue
        open_follow_up(kind=FollowUpKind.CLINIC, source_id=3,
                       person=city.districts[1].persons[0], place=None, summary="other",
                       now=SUMMER, due_in=24 * H),
    ]


def test_the_list_is_scoped_overdue_first_and_filtered(
        users: dict[str, User], rows: list[FollowUp]) -> None:
    officer1 = actor(users["officer1"])
    found = list(queries_followups.follow_ups(officer1, Filters(), now=SUMMER))
    assert found == [rows[1], rows[0]]
    assert list(queries_followups.follow_ups(
        officer1, Filters(kind=FollowUpKind.CLINIC), now=SUMMER)) == [rows[0]]
    assert list(queries_followups.follow_ups(
        officer1, Filters(overdue=True), now=SUMMER)) == [rows[1]]
    assert list(queries_followups.follow_ups(
        actor(users["officer2"]), Filters(), now=SUMMER)) == [rows[2]]
    assert queries_followups.open_counts(officer1)[FollowUpKind.CLINIC] == 1


def test_close_with_an_outcome_once_audited(users: dict[str, User],
                                             rows: list[FollowUp]) -> None:
    grid1 = actor(users["grid1"])
    with pytest.raises(DomainError) as caught:
        followup_actions.do_close_follow_up(actor=grid1, follow_up_id=rows[0].pk, outcome=" ")
    assert caught.value.field == "outcome"
    done = followup_actions.do_close_follow_up(actor=grid1, follow_up_id=rows[0].pk,
                                               outcome="called: tested at the clinic")
    assert done.status == FollowUpStatus.DONE and done.done_at == SUMMER
    log = AuditLog.objects.get(verb="warning.followup.close")
    assert log.before is not None and log.before["status"] == "open"
    with pytest.raises(Conflict):
        followup_actions.do_close_follow_up(actor=grid1, follow_up_id=rows[0].pk, outcome="x")


def test_the_second_district_gets_404(users: dict[str, User], rows: list[FollowUp]) -> None:
    with pytest.raises(NotFound):
        followup_actions.do_close_follow_up(actor=actor(users["officer2"]),
                                            follow_up_id=rows[0].pk, outcome="x")
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert web.login(username="officer2", password=PASSWORD)
    assert web.get(f"/api/v1/warning/followups/{rows[0].pk}").status_code == 404
    assert web.post(f"/api/v1/warning/followups/{rows[0].pk}/close", {"outcome": "x"},
                    content_type="application/json").status_code == 404
    assert web.post(f"/warning/followups/{rows[0].pk}/close/",
                    {"outcome": "x"}).status_code == 404
    assert [r["id"] for r in web.get("/api/v1/warning/followups").json()] == [rows[2].pk]
    assert FollowUp.objects.get(pk=rows[0].pk).status == FollowUpStatus.OPEN


def test_phones_are_masked_without_pii_view(city: City, users: dict[str, User],
                                            rows: list[FollowUp]) -> None:
    phone = city.districts[0].persons[0].phone
    masked = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert masked.login(username="commander", password=PASSWORD)
    page = masked.get("/warning/followups/").content.decode()
    assert phone not in page and f"{phone[:3]}****{phone[-4:]}" in page
    full = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert full.login(username="grid1", password=PASSWORD)
    assert phone in full.get("/warning/followups/").content.decode()
    assert AuditLog.objects.filter(verb="pii.read", actor_name="grid1").exists()
    closed = full.post(f"/warning/followups/{rows[0].pk}/close/", {"outcome": "visited"})
    assert closed.status_code == 302
    assert FollowUp.objects.get(pk=rows[0].pk).outcome == "visited"
