"""The demo's followup on the test city: after the intake story, tickets are answered from
templates, called back (closed, reopened, unreached) and escalated; told once."""

from __future__ import annotations

from fangkong.core.models import AuditLog
from fangkong.hotline.demo_followup import seed_followup
from fangkong.hotline.demo_tickets import seed_tickets
from fangkong.hotline.models import Ticket, TicketEvent
from tests.factories import small_city
from tests.hotline.builders_tickets import hotline_users


def test_seed_followup_tells_the_story_once(db: None) -> None:
    city = small_city(people_per_grid=9)
    hotline_users(city)
    seed_tickets(seed=7)
    counts = seed_followup(seed=7)
    assert counts["closed"] + counts["resolved"] > 0, counts
    answered = Ticket.objects.exclude(answer="")
    assert answered.exists()
    assert all("{" not in t.answer for t in answered)
    resolves = AuditLog.objects.filter(verb="hotline.ticket.resolve").count()
    assert resolves == TicketEvent.objects.filter(kind="resolved").count()
    events = TicketEvent.objects.count()
    assert seed_followup(seed=7) == counts
    assert TicketEvent.objects.count() == events
