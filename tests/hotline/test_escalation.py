"""Escalation on a missed SLA: levels over time, idempotency, what is left alone, and a
property test that the set-wise job equals ``logic.escalation_level`` ticket by ticket."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.models import AdminUnit, AuditLog
from fangkong.hotline.followup import do_escalate_overdue, rules_for
from fangkong.hotline.logic import escalation_level, missed_since
from fangkong.hotline.models import Ticket, TicketEvent, TicketStatus
from tests.factories import City
from tests.hotline.builders_followup import NOV_20, new_ticket, set_clock
from tests.hotline.builders_tickets import street_of

__all__ = ["set_clock"]
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def street(city: City) -> AdminUnit:
    return street_of(city, 0)


def name_of(unit_id: int | None) -> str:
    return AdminUnit.objects.get(pk=unit_id or 0).name


def _events(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(kind="escalated").order_by("id"))


def test_levels_rise_with_time(street: AdminUnit) -> None:
    """Supply under hotline-2022-11: respond within 30 min, resolve within 240; the district
    at the first missed deadline, the city 240 minutes after it."""
    ticket = new_ticket(street=street, at=NOV_20)
    assert do_escalate_overdue(now=NOV_20 + 30 * MIN) == 0
    assert do_escalate_overdue(now=NOV_20 + 31 * MIN) == 1
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.escalated_at) == (1, NOV_20 + 31 * MIN)
    first = _events(ticket)[0]
    assert first.data["supervisor"] == "district" and first.data["unit_id"] == street.district_id
    assert first.note == name_of(street.district_id)
    assert do_escalate_overdue(now=NOV_20 + 269 * MIN) == 0
    assert do_escalate_overdue(now=NOV_20 + 270 * MIN) == 1
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    assert [e.data["supervisor"] for e in _events(ticket)] == ["district", "city"]
    assert AuditLog.objects.filter(verb="hotline.ticket.escalate",
                                   target_id=str(ticket.pk)).count() == 2


def test_running_twice_changes_nothing(street: AdminUnit) -> None:
    tickets = [new_ticket(street=street, at=NOV_20 - k * 60 * MIN) for k in range(6)]
    now = NOV_20 + 45 * MIN
    first = do_escalate_overdue(now=now)
    assert first == len(tickets)
    state = list(Ticket.objects.order_by("pk").values_list("escalation_level", "escalated_at"))
    events = TicketEvent.objects.count()
    assert do_escalate_overdue(now=now) == 0
    assert do_escalate_overdue(now=now + MIN) == 0  # no new step reached a minute later
    assert list(Ticket.objects.order_by("pk").values_list(
        "escalation_level", "escalated_at")) == state
    assert TicketEvent.objects.count() == events


def test_a_long_late_ticket_jumps_to_the_city_once(street: AdminUnit) -> None:
    ticket = new_ticket(street=street, at=NOV_20)
    assert do_escalate_overdue(now=NOV_20 + 10 * 60 * MIN) == 1
    (event,) = _events(ticket)
    city_id = AdminUnit.objects.get(level=0).pk
    assert event.data == {"level": 2, "from": 0, "unit_id": city_id, "supervisor": "city"}


def test_answered_and_on_time_tickets_are_left_alone(street: AdminUnit) -> None:
    on_time = new_ticket(street=street, at=NOV_20, first_response_at=NOV_20 + 5 * MIN)
    resolved = new_ticket(street=street, at=NOV_20, status=TicketStatus.RESOLVED,
                          first_response_at=NOV_20 + 5 * MIN, resolved_at=NOV_20 + 9 * MIN)
    closed = new_ticket(street=street, at=NOV_20 - 99 * 60 * MIN, status=TicketStatus.CLOSED)
    late_answer = new_ticket(street=street, at=NOV_20, first_response_at=NOV_20 + 40 * MIN,
                             status=TicketStatus.IN_PROGRESS)
    assert do_escalate_overdue(now=NOV_20 + 50 * MIN) == 1
    levels = dict(Ticket.objects.values_list("pk", "escalation_level"))
    assert levels == {on_time.pk: 0, resolved.pk: 0, closed.pk: 0, late_answer.pk: 1}


def test_unrouted_tickets_go_to_the_city(city: City) -> None:
    ticket = new_ticket(street=None, at=NOV_20)
    do_escalate_overdue(now=NOV_20 + 31 * MIN)
    (event,) = _events(ticket)
    assert event.data["unit_id"] == city.unit.pk and event.note == city.unit.name


TICKETS = st.lists(st.tuples(
    st.sampled_from(["medical", "supply", "code", "quarantine", "other"]),
    st.integers(0, 2),  # urgency
    st.integers(-600, 0),  # opened, minutes from NOV_20
    st.one_of(st.none(), st.integers(0, 400)),  # first response, minutes after opening
    st.integers(0, 2),  # prior escalation level
), min_size=1, max_size=15)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=TICKETS, policy=st.sampled_from(["hotline-2021-10", "hotline-2022-11"]))
def test_job_equals_the_rule_ticket_by_ticket(street: AdminUnit, rows: list[tuple[
        str, int, int, int | None, int]], policy: str) -> None:
    Ticket.objects.all().delete()
    for category, urgency, opened, responded, prior in rows:
        at = NOV_20 + opened * MIN
        new_ticket(street=street, at=at, category=category, urgency=urgency, policy=policy,
                   escalation_level=prior, first_response_at=None if responded is None
                   else at + responded * MIN)
    do_escalate_overdue(now=NOV_20)
    rules = rules_for(policy)
    for t, (*_rest, prior) in zip(Ticket.objects.order_by("pk"), rows, strict=True):
        missed = missed_since(respond_by=t.respond_by, resolve_by=t.resolve_by,
                              responded_at=t.first_response_at, resolved_at=None, now=NOV_20)
        assert t.escalation_level == max(prior, escalation_level(rules, missed_at=missed,
                                                                 now=NOV_20))
