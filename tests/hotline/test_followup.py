"""Resolve and callback: the paths a ticket takes after intake (closed satisfied, reopened
with a new deadline, closed unreached after two tries), refusals naming the field, the
linked appeal answered, the callbacks due, and a second district that sees nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AuditLog
from fangkong.healthcode import appeals as hc_appeals
from fangkong.healthcode.models import AppealStatus
from fangkong.hotline import followup
from fangkong.hotline.models import Ticket, TicketStatus
from tests.factories import City
from tests.hotline.builders_followup import NOV_20, Clock, new_ticket, set_clock
from tests.hotline.builders_tickets import actors, street_of

__all__ = ["set_clock"]
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def who(city: City) -> dict[str, Actor]:
    return actors(city)


@pytest.fixture
def ticket(city: City, set_clock: Clock) -> Ticket:
    set_clock(NOV_20)
    return new_ticket(street=street_of(city, 0), at=NOV_20, category="supply")


def _resolve(who: dict[str, Actor], ticket: Ticket, answer: str = "Delivered today.") -> Ticket:
    return followup.do_resolve_ticket(actor=who["street1"], ticket_id=ticket.pk, answer=answer)


def _kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


def test_resolved_then_satisfied_closes(who: dict[str, Actor], ticket: Ticket,
                                        set_clock: Clock) -> None:
    set_clock(NOV_20 + HOUR)
    done = _resolve(who, ticket)
    assert done.status == TicketStatus.RESOLVED and done.resolved_at == NOV_20 + HOUR
    assert done.first_response_at == NOV_20 + HOUR  # an answer is also the first response
    set_clock(NOV_20 + 3 * HOUR)
    closed = followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=True,
                                  satisfaction=4, note="thanks")
    assert closed.status == TicketStatus.CLOSED and closed.closed_at == NOV_20 + 3 * HOUR
    assert (closed.satisfaction, closed.callback_reached, closed.callback_note) == (
        4, True, "thanks")
    assert _kinds(closed) == ["resolved", "callback", "closed"]
    assert ticket.events.get(kind="closed").data == {"outcome": "satisfied"}
    verbs = set(AuditLog.objects.filter(target_id=str(ticket.pk)).values_list("verb", flat=True))
    assert verbs == {"hotline.ticket.resolve", "hotline.ticket.callback"}


def test_dissatisfied_reopens_with_a_new_deadline(who: dict[str, Actor], ticket: Ticket,
                                                  set_clock: Clock) -> None:
    _resolve(who, ticket)
    set_clock(NOV_20 + 5 * HOUR)
    reopened = followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=True,
                                    satisfaction=3)  # satisfied_at_least is 4
    assert reopened.status == TicketStatus.IN_PROGRESS and reopened.resolved_at is None
    # supply under hotline-2022-11 resolves within 240 minutes, counted from the reopening
    assert reopened.resolve_by == NOV_20 + 5 * HOUR + dt.timedelta(minutes=240)
    assert _kinds(reopened)[-2:] == ["callback", "reopened"]
    set_clock(NOV_20 + 6 * HOUR)
    again = _resolve(who, ticket, "Delivered again, with the medicine.")
    assert again.status == TicketStatus.RESOLVED and again.resolved_at == NOV_20 + 6 * HOUR


def test_unreached_twice_closes_as_unreached(who: dict[str, Actor], ticket: Ticket) -> None:
    _resolve(who, ticket)
    once = followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=False)
    assert once.status == TicketStatus.RESOLVED and once.callback_reached is False
    twice = followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=False,
                                 note="no answer, 18:00")
    assert twice.status == TicketStatus.CLOSED and twice.satisfaction is None
    assert ticket.events.get(kind="closed").data == {"outcome": "unreached"}


def test_a_reopened_ticket_counts_failed_callbacks_afresh(who: dict[str, Actor],
                                                         ticket: Ticket) -> None:
    _resolve(who, ticket)
    followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=False)
    followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=True, satisfaction=1)
    _resolve(who, ticket)
    once = followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=False)
    assert once.status == TicketStatus.RESOLVED


def test_a_template_answer_states_the_rule_of_the_day(who: dict[str, Actor],
                                                     ticket: Ticket) -> None:
    done = followup.do_resolve_ticket(actor=who["street1"], ticket_id=ticket.pk,
                                      template_key="supply-needs")
    assert "within 4 hours" in done.answer  # hotline-2022-11: supply settled in 240 minutes
    assert ticket.events.get(kind="resolved").data == {"template": "supply-needs"}


@pytest.mark.parametrize(("change", "field"), [
    ({"answer": "  "}, "answer"),
    ({"answer": "x" * 4001}, "answer"),
    ({"template_key": "no-such-template"}, None),
])
def test_resolve_refusals(who: dict[str, Actor], ticket: Ticket, change: dict[str, Any],
                          field: str | None) -> None:
    with pytest.raises((DomainError, NotFound)) as caught:
        followup.do_resolve_ticket(actor=who["street1"], ticket_id=ticket.pk, **change)
    assert caught.value.field == field
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


@pytest.mark.parametrize(("change", "field"), [
    ({"reached": True, "satisfaction": None}, "satisfaction"),
    ({"reached": True, "satisfaction": 6}, "satisfaction"),
    ({"reached": False, "satisfaction": 3}, "satisfaction"),
    ({"reached": False, "note": "n" * 1001}, "note"),
])
def test_callback_refusals(who: dict[str, Actor], ticket: Ticket, change: dict[str, Any],
                           field: str) -> None:
    _resolve(who, ticket)
    with pytest.raises(DomainError) as caught:
        followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, **change)
    assert caught.value.field == field
    assert Ticket.objects.get(pk=ticket.pk).callback_at is None


def test_state_and_rights_are_checked(who: dict[str, Actor], ticket: Ticket) -> None:
    with pytest.raises(Conflict):  # not resolved yet
        followup.do_callback(actor=who["agent"], ticket_id=ticket.pk, reached=False)
    with pytest.raises(PermissionDenied):  # agents take calls; streets answer
        followup.do_resolve_ticket(actor=who["agent"], ticket_id=ticket.pk, answer="a")
    _resolve(who, ticket)
    with pytest.raises(Conflict):
        _resolve(who, ticket)
    with pytest.raises(PermissionDenied):
        followup.do_callback(actor=who["street1"], ticket_id=ticket.pk, reached=False)


def test_another_district_sees_nothing(who: dict[str, Actor], ticket: Ticket,
                                       set_clock: Clock) -> None:
    with pytest.raises(NotFound):
        followup.do_resolve_ticket(actor=who["street2"], ticket_id=ticket.pk, answer="a")
    _resolve(who, ticket)
    assert followup.callbacks_due(actor=who["officer2"], now=NOV_20) == []
    assert [r.ticket for r in followup.callbacks_due(actor=who["officer1"], now=NOV_20)] == [
        ticket]


def test_callbacks_due_and_overdue(who: dict[str, Actor], ticket: Ticket,
                                   set_clock: Clock) -> None:
    _resolve(who, ticket)
    (row,) = followup.callbacks_due(actor=who["agent"], now=NOV_20 + HOUR)
    assert row.due == NOV_20 + 24 * HOUR and not row.overdue  # callback_hours 24
    assert followup.callbacks_due(actor=who["agent"], now=NOV_20 + HOUR,
                                  overdue_only=True) == []
    late = followup.callbacks_due(actor=who["agent"], now=NOV_20 + 25 * HOUR,
                                  overdue_only=True)
    assert [r.overdue for r in late] == [True]


def test_resolving_answers_the_linked_appeal(
        city: City, who: dict[str, Actor], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appeal = hc_appeals.do_file_appeal(person=city.districts[0].persons[0],
                                           message="I was never there", client_key="appeal-key-1")
    ticket = Ticket.objects.get(appeal=appeal)
    followup.do_resolve_ticket(actor=who["street1"], ticket_id=ticket.pk,
                               answer="Checked: the record was wrong, corrected.")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED
    assert appeal.answer == "Checked: the record was wrong, corrected."
