"""The followup pages and API: the panel on a ticket's page resolves (typed or from a
template) and records the callback, the callbacks due, the rates page (drill-down, sorting,
chart data) and the API, with 404 for another district."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.hotline.models import Ticket, TicketStatus
from tests.factories import PASSWORD, City
from tests.hotline.builders_followup import NOV_20, Clock, new_ticket, set_clock
from tests.hotline.builders_tickets import hotline_users, street_of

__all__ = ["set_clock"]


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def ticket(city: City, set_clock: Clock) -> Ticket:
    hotline_users(city)
    set_clock(NOV_20)
    return new_ticket(street=street_of(city, 0), at=NOV_20, category="supply")


def test_panel_resolves_and_calls_back(ticket: Ticket) -> None:
    page_url = reverse("hotline_ticket", args=[ticket.pk])
    street = _client("street1")
    html = street.get(page_url).content.decode()
    assert 'id="resolve-form"' in html and reverse("hotline_answer_picker",
                                                   args=[ticket.pk]) in html
    picker = street.get(reverse("hotline_answer_picker", args=[ticket.pk])).content.decode()
    assert picker.index('value="supply-needs"') < picker.index('value="code-popup"')
    filled = street.get(reverse("hotline_answer_text") + "?template=supply-needs")
    assert "within 4 hours" in filled.content.decode()
    done = street.post(reverse("hotline_ticket_resolve", args=[ticket.pk]),
                       {"answer": "Delivered at 15:00.", "next": page_url})
    assert done.status_code == 302 and done["Location"] == page_url
    agent = _client("hotline1")
    html = agent.get(page_url).content.decode()
    assert 'id="callback-form"' in html and "Delivered at 15:00." in html
    agent.post(reverse("hotline_ticket_callback", args=[ticket.pk]),
               {"reached": "yes", "satisfaction": "5", "note": "ok", "next": page_url})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.satisfaction == 5


def test_refusals_come_back_as_messages_and_other_districts_get_404(ticket: Ticket) -> None:
    street = _client("street1")
    page_url = reverse("hotline_ticket", args=[ticket.pk])
    answer = street.post(reverse("hotline_ticket_resolve", args=[ticket.pk]),
                         {"answer": " ", "next": page_url}, follow=True)
    assert "write the answer" in answer.content.decode()
    outside = _client("street2").post(reverse("hotline_ticket_resolve", args=[ticket.pk]),
                                      {"answer": "x"})
    assert outside.status_code == 404
    assert _client("street2").get(reverse("hotline_answer_picker",
                                          args=[ticket.pk])).status_code == 404
    hostile = street.post(reverse("hotline_ticket_resolve", args=[ticket.pk]),
                          {"answer": "a", "next": "https://evil.example/"})
    assert hostile["Location"] == page_url  # an outside "next" is ignored


def test_callbacks_page(ticket: Ticket) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.RESOLVED, resolved_at=NOV_20)
    html = _client("hotline1").get(reverse("hotline_callbacks")).content.decode()
    assert ticket.number in html and "2022-11-21" in html  # due 24 hours after (city time)
    assert ticket.number not in _client("officer2").get(
        reverse("hotline_callbacks")).content.decode()


def test_rates_page_drills_down_and_sorts(city: City, ticket: Ticket) -> None:
    commander = _client("commander")
    url = reverse("hotline_rates") + "?since=2022-11-20&until=2022-11-20"
    page = commander.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="rates-chart"' in html
    chart = page.context["chart"]
    assert chart["units"] == ["District 1", "District 2"]
    assert f'?unit={city.districts[0].unit.pk}&amp;' in html
    down = commander.get(url + f"&unit={city.districts[0].unit.pk}&sort=tickets&dir=desc")
    assert [r.rates.tickets for r in down.context["rows"]] == [1]
    assert _client("officer2").get(url + f"&unit={city.districts[0].unit.pk}").status_code == 404
    data = json.loads(html.split('id="rates-data" type="application/json">')[1].split("<")[0])
    assert len(data["series"]) == 3


def test_api(ticket: Ticket) -> None:
    base = "/api/v1/hotline"
    street = _client("street1")
    resolved = street.post(f"{base}/tickets/{ticket.pk}/resolve",
                           {"template": "supply-needs"}, content_type="application/json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    agent = _client("hotline1")
    assert [r["id"] for r in agent.get(f"{base}/callbacks").json()] == [ticket.pk]
    bad = agent.post(f"{base}/tickets/{ticket.pk}/callback", {"reached": True},
                     content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "satisfaction"
    reopened = agent.post(f"{base}/tickets/{ticket.pk}/callback",
                          {"reached": True, "satisfaction": 2}, content_type="application/json")
    assert reopened.json()["status"] == "in_progress"
    templates = agent.get(f"{base}/answer-templates?category=quarantine&on=2022-08-01").json()
    assert templates and "7 days of centralised quarantine" in templates[0]["text"]
    rates = agent.get(f"{base}/rates?since=2022-11-20&until=2022-11-20").json()
    assert [r["tickets"] for r in rates] == [1, 0]
    assert _client("street2").post(f"{base}/tickets/{ticket.pk}/resolve", {"answer": "x"},
                                   content_type="application/json").status_code == 404
