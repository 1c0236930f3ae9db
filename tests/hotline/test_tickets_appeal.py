"""A health-code appeal opens a ticket after it commits (once), routed by residence; the
street's answer on the ticket answers the appeal through healthcode's own action."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from fangkong.core.models import AuditLog
from fangkong.healthcode import appeals as hc_appeals
from fangkong.healthcode.models import Appeal, AppealStatus
from fangkong.hotline import appeals
from fangkong.hotline.models import Channel, Ticket
from tests.factories import City
from tests.hotline.builders_tickets import actors

Capture = Any


def _file(city: City, capture: Capture, *, key: str = "appeal-key-1") -> Appeal:
    with capture(execute=True):
        return hc_appeals.do_file_appeal(person=city.districts[0].persons[0],
                                         message="I was never at that market", client_key=key)


def test_an_appeal_opens_one_ticket_at_the_residence(
        city: City, django_capture_on_commit_callbacks: Capture) -> None:
    appeal = _file(city, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.APPEAL and ticket.category == "code"
    assert ticket.appeal_id == appeal.pk and ticket.person_id == appeal.person_id
    assert (ticket.street_id, ticket.grid_id) == (appeal.street_id, appeal.grid_id)
    assert ticket.description == "I was never at that market" and ticket.routed
    assert AuditLog.objects.get(verb="hotline.ticket.open").actor_name == f"appeal:{appeal.pk}"
    # The same appeal sent again (same key) stores nothing new; a second signal is a no-op.
    _file(city, django_capture_on_commit_callbacks)
    assert appeals.open_ticket_for_appeal(appeal_id=appeal.pk) == ticket
    assert Ticket.objects.count() == 1


def test_no_ticket_when_the_appeal_rolls_back(
        city: City, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            hc_appeals.do_file_appeal(person=city.districts[0].persons[0], message="m",
                                      client_key="appeal-key-2")
            raise RuntimeError("the request failed later")
    assert not Appeal.objects.exists() and not Ticket.objects.exists()


def test_answering_the_ticket_answers_the_appeal(
        city: City, django_capture_on_commit_callbacks: Capture) -> None:
    appeal = _file(city, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    ticket.answer = "Your code turns green after tomorrow's negative test."
    street1 = actors(city)["street1"]  # holds hotline.handle, not healthcode.change
    with transaction.atomic():
        answered = appeals.answer_appeal_of(ticket=ticket, actor=street1)
    assert answered is not None and answered.status == AppealStatus.ANSWERED
    appeal.refresh_from_db()
    assert appeal.answer == ticket.answer and appeal.answered_by_id == street1.user_id
    assert AuditLog.objects.get(verb="healthcode.appeal.answer").actor_name == "street1"
    # Answered already: kept as it is.
    ticket.answer = "something else"
    assert appeals.answer_appeal_of(ticket=ticket, actor=street1) == appeal
    appeal.refresh_from_db()
    assert appeal.answer.startswith("Your code")


def test_a_ticket_without_an_appeal_answers_nothing(city: City) -> None:
    from tests.hotline.builders_tickets import take_call

    agent = actors(city)["agent"]
    assert appeals.answer_appeal_of(ticket=take_call(agent), actor=agent) is None
