"""The ticket pages: the queue with its filters and overdue rows, a new call with the caller
search, the ticket page (404 out of scope, masked phone, respond), the public web form and
the resident's form behind their health-code link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.core import clock
from fangkong.healthcode.resident import resident_token
from fangkong.hotline.models import Channel, Ticket
from tests.factories import PASSWORD, City
from tests.hotline.builders_tickets import actors, street_of, take_call


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_queue_highlights_overdue_and_filters(city: City,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    agent = actors(city)["agent"]
    b = city.districts[0].buildings[0].pk
    late = take_call(agent, category="medical", subject="Insulin", building_id=b)
    take_call(agent, category="other", subject="Noise", building_id=b)
    later = clock.now() + dt.timedelta(minutes=30)
    monkeypatch.setattr("fangkong.core.clock.now", lambda: later)
    page = _client("street1").get(reverse("hotline_tickets"))
    html = page.content.decode()
    assert page.status_code == 200 and late.number in html and "Noise" in html
    assert f'class="overdue" data-number="{late.number}"' in html and "late by" in html
    filtered = _client("street1").get(reverse("hotline_tickets") + "?overdue=1").content.decode()
    assert late.number in filtered and "Noise" not in filtered
    assert late.number not in _client("street2").get(reverse("hotline_tickets")).content.decode()
    bad = _client("street1").get(reverse("hotline_tickets") + "?status=lost")
    assert bad.status_code == 200 and "unknown status" in bad.content.decode()


def test_an_agent_finds_the_caller_and_opens_a_ticket(city: City) -> None:
    actors(city)
    person = city.districts[0].persons[1]
    agent = _client("hotline1")
    found = agent.get(reverse("hotline_ticket_new") + f"?q={person.phone}").content.decode()
    results = found.split('id="search-results"')[1].split("</table>")[0]
    assert person.name in results and person.phone not in results  # masked in the results
    assert person.phone[:3] + "****" + person.phone[-4:] in results
    made = agent.post(reverse("hotline_ticket_new"), {
        "category": "testing", "subject": "Missed the test", "person_id": person.pk,
        "client_key": "page-key-0001"})
    ticket = Ticket.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("hotline_ticket",
                                                                   args=[ticket.pk])
    assert ticket.person_id == person.pk and ticket.grid_id == person.grid_id
    bad = agent.post(reverse("hotline_ticket_new"), {"category": "testing", "subject": ""})
    assert bad.status_code == 422 and Ticket.objects.count() == 1


def test_the_ticket_page_masks_scopes_and_takes_the_response(city: City) -> None:
    agent = actors(city)["agent"]
    ticket = take_call(agent, building_id=city.districts[0].buildings[0].pk,
                       caller_phone="13812345678")
    url = reverse("hotline_ticket", args=[ticket.pk])
    street1 = _client("street1")
    html = street1.get(url).content.decode()
    assert "138****5678" in html and "13812345678" not in html and 'id="followup"' in html
    assert _client("street2").get(url).status_code == 404
    shown = street1.post(reverse("hotline_ticket_reveal", args=[ticket.pk]))
    assert "13812345678" in shown.content.decode()
    done = street1.post(reverse("hotline_ticket_respond", args=[ticket.pk]),
                        {"note": "We are on it"})
    assert done.status_code == 302
    assert Ticket.objects.get().status == "in_progress"
    assert "We are on it" in street1.get(url).content.decode()


def test_the_public_web_form_answers_with_the_number(city: City) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = client.get(reverse("hotline_public_new") + "?lang=en").content.decode()
    assert "District 1" in form and 'name="client_key"' in form
    data = {"street_id": street_of(city).pk, "category": "supply", "subject": "No rice",
            "description": "Building 3 has had no delivery", "caller_name": "Wang",
            "caller_phone": "13900001111", "client_key": "public-key-01"}
    sent = client.post(reverse("hotline_public_new") + "?lang=en", data)
    ticket = Ticket.objects.get()
    assert sent.status_code == 200 and ticket.number in sent.content.decode()
    assert ticket.channel == Channel.WEB and ticket.street_id == street_of(city).pk
    client.post(reverse("hotline_public_new"), data)  # resent
    assert Ticket.objects.count() == 1
    bad = client.post(reverse("hotline_public_new"), {**data, "client_key": "public-key-02",
                                                      "caller_phone": ""})
    assert bad.status_code == 422 and Ticket.objects.count() == 1


def test_the_resident_writes_from_their_link(city: City) -> None:
    person = city.districts[0].persons[0]
    url = reverse("hotline_resident_ticket", args=[resident_token(person)]) + "?lang=en"
    client = Client()
    assert client.get(url).status_code == 200
    sent = client.post(url, {"category": "code", "subject": "Yellow since Monday",
                             "description": "My test was negative", "client_key": "res-page-01"})
    ticket = Ticket.objects.get()
    assert sent.status_code == 200 and ticket.number in sent.content.decode()
    assert ticket.person_id == person.pk and ticket.channel == Channel.RESIDENT
    assert client.get(reverse("hotline_resident_ticket", args=["nope"])).status_code == 404
