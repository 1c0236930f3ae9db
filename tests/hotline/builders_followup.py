"""Tickets for the followup tests, written straight to the table with the deadlines of their
policy version (intake itself is tested in test_tickets_*), and the moving clock."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from fangkong.core.models import AdminUnit
from fangkong.hotline.logic import deadlines
from fangkong.hotline.models import HotlinePolicy, Ticket, TicketStatus
from fangkong.hotline.policy import rules_of

NUMBERS = itertools.count(1)
NOV_20 = dt.datetime(2022, 11, 20, 9, 0, tzinfo=dt.UTC)  # under hotline-2022-11
AUG_1 = dt.datetime(2022, 8, 1, 9, 0, tzinfo=dt.UTC)  # under hotline-2021-10


def new_ticket(*, street: AdminUnit | None, at: dt.datetime, category: str = "supply",
               policy: str = "hotline-2022-11", urgency: int | None = None,
               **fields: Any) -> Ticket:
    """An open ticket placed at ``street`` (None: not routed), opened at ``at``."""
    rules = rules_of(HotlinePolicy.objects.get(name=policy))
    level = rules.categories[category].urgency if urgency is None else urgency
    due = deadlines(rules, category=category, urgency=level, opened=at)
    ticket = Ticket(number=f"T{next(NUMBERS):08d}", channel="phone", category=category,
                    urgency=level, subject="Needs help", policy_name=policy, created_at=at,
                    respond_by=due.respond_by, resolve_by=due.resolve_by,
                    routed=street is not None, caller_name="Caller",
                    caller_phone="13811112222")
    if street is not None:
        ticket.place_in(street)
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save()
    return ticket


Clock = Callable[[dt.datetime], None]


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """``set_clock(moment)`` moves ``core.clock.now`` (and so the city's day) to ``moment``."""

    def move(moment: dt.datetime) -> None:
        monkeypatch.setattr("fangkong.core.clock.now", lambda: moment)

    return move


__all__ = ["AUG_1", "NOV_20", "TicketStatus", "new_ticket", "set_clock"]
