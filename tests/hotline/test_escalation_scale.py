"""The escalation job and the rates are set-wise: their queries grow with chunks of 2,000
escalated tickets and bulk-insert batches, never with tickets one by one."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.core.models import AdminUnit
from fangkong.hotline import rates
from fangkong.hotline.followup import CHUNK, do_escalate_overdue
from fangkong.hotline.logic import deadlines
from fangkong.hotline.models import HotlinePolicy, Ticket
from fangkong.hotline.policy import rules_of
from tests.factories import City
from tests.hotline.builders_followup import NOV_20
from tests.hotline.builders_tickets import actors, street_of

MIN = dt.timedelta(minutes=1)


def bulk_tickets(street: AdminUnit, count: int) -> None:
    """``count`` open supply tickets opened over the 10 hours before NOV_20."""
    rules = rules_of(HotlinePolicy.objects.get(name="hotline-2022-11"))
    rows = []
    for n in range(count):
        at = NOV_20 - (n % 600) * MIN
        due = deadlines(rules, category="supply", urgency=1, opened=at)
        ticket = Ticket(number=f"B{n:09d}", channel="phone", category="supply", urgency=1,
                        subject="s", policy_name="hotline-2022-11", created_at=at,
                        respond_by=due.respond_by, resolve_by=due.resolve_by, routed=True)
        ticket.place_in(street)
        rows.append(ticket)
    Ticket.objects.bulk_create(rows, batch_size=2000)


def test_queries_grow_with_chunks_not_tickets(city: City) -> None:
    bulk_tickets(street_of(city, 0), 3 * CHUNK)
    with CaptureQueriesContext(connection) as run:
        raised = do_escalate_overdue(now=NOV_20)
    on_time = sum(1 for n in range(3 * CHUNK) if n % 600 <= 30)  # respond within 30 min
    assert raised == 3 * CHUNK - on_time
    # a handful of lookups, then per (level, chunk): lock, update, and the events and audit
    # rows in bulk inserts (SQLite's 999-parameter limit cuts those to ~70 rows a statement)
    assert len(run.captured_queries) < 12 + raised / 25
    with CaptureQueriesContext(connection) as again:
        assert do_escalate_overdue(now=NOV_20) == 0
    assert len(again.captured_queries) < 12
    agent = actors(city)["agent"]
    with CaptureQueriesContext(connection) as table:
        rates.rates_table(actor=agent, since=NOV_20.date(), until=NOV_20.date())
    assert len(table.captured_queries) < 12  # policies, the unit's children, 2 aggregates

