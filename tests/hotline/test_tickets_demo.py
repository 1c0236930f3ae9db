"""The hotline's demo story on the test city: tickets on every channel, the street's
responses, the "to route" queue; told once."""

from __future__ import annotations

from fangkong.hotline.demo_tickets import seed_tickets
from fangkong.hotline.models import Channel, Ticket, TicketEvent
from tests.factories import City
from tests.hotline.builders_tickets import hotline_users, street_of


def test_the_story_is_told_once(city: City) -> None:
    hotline_users(city)
    counts = seed_tickets(seed=7)
    assert counts["tickets"] == Ticket.objects.count() > 30
    assert {t.channel for t in Ticket.objects.all()} >= {Channel.PHONE, Channel.WEB,
                                                          Channel.RESIDENT}
    assert counts["unrouted"] >= 1 and counts["responded"] >= 1
    assert Ticket.objects.filter(street=street_of(city)).count() >= 10
    assert TicketEvent.objects.filter(kind="routed", data__via="hand").count() == 1
    assert seed_tickets(seed=7)["tickets"] == counts["tickets"]
