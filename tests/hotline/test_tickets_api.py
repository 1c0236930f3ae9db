"""The tickets API: rights per operation, scoping (404 for another district's ticket), the
masked phone and its audited reveal, idempotent create, respond, note and route."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from fangkong.core.models import AuditLog
from fangkong.hotline.models import Ticket
from tests.factories import PASSWORD, City
from tests.hotline.builders_tickets import hotline_users, street_of

API = "/api/v1/hotline"


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")


def test_an_agent_opens_and_the_street_responds(city: City) -> None:
    hotline_users(city)
    agent, street1, street2 = _client("hotline1"), _client("street1"), _client("street2")
    body = {"category": "supply", "subject": "No water", "caller_phone": "13812345678",
            "building_id": city.districts[0].buildings[0].pk, "client_key": "api-key-0001"}
    made = _post(agent, "/tickets", body)
    assert made.status_code == 201, made.content
    ticket = made.json()
    assert ticket["caller_phone"] == "138****5678" and ticket["routed"]
    assert _post(agent, "/tickets", body).json()["id"] == ticket["id"]  # resent: stored once
    assert Ticket.objects.count() == 1
    listed = street1.get(f"{API}/tickets?status=new").json()
    assert [t["number"] for t in listed] == [ticket["number"]]
    assert street2.get(f"{API}/tickets").json() == []
    assert street2.get(f"{API}/tickets/{ticket['id']}").status_code == 404
    assert _post(street2, f"/tickets/{ticket['id']}/respond", {"note": "x"}).status_code == 404
    responded = _post(street1, f"/tickets/{ticket['id']}/respond", {"note": "On our way"})
    assert responded.json()["status"] == "in_progress"
    again = _post(street1, f"/tickets/{ticket['id']}/respond", {"note": "again"})
    assert again.status_code == 409
    assert _post(agent, f"/tickets/{ticket['id']}/notes", {"note": "Called again"}).status_code \
        == 201
    detail = street1.get(f"{API}/tickets/{ticket['id']}").json()
    assert [e["kind"] for e in detail["events"]] == ["created", "routed", "responded", "note"]


def test_rights_and_bad_input(city: City) -> None:
    hotline_users(city)
    street1, agent = _client("street1"), _client("hotline1")
    assert _post(street1, "/tickets", {"category": "other", "subject": "x",
                                       "caller_phone": "13800000000"}).status_code == 403
    bad = _post(agent, "/tickets", {"category": "weather", "subject": "x",
                                    "caller_phone": "13800000000"})
    assert bad.status_code in (400, 422) and "category" in bad.content.decode()
    assert Client().get(f"{API}/tickets").status_code in (401, 403)


def test_unrouted_routed_by_hand_and_the_phone_revealed(city: City) -> None:
    hotline_users(city)
    agent, officer1, street1 = _client("hotline1"), _client("officer1"), _client("street1")
    made = _post(agent, "/tickets", {"category": "other", "subject": "Somewhere",
                                     "caller_phone": "13812345678"}).json()
    assert not made["routed"]
    assert agent.get(f"{API}/tickets?unrouted=true").json()[0]["id"] == made["id"]
    assert officer1.get(f"{API}/tickets/{made['id']}").status_code == 404
    routed = _post(agent, f"/tickets/{made['id']}/route", {"street_id": street_of(city).pk})
    assert routed.json()["street_id"] == street_of(city).pk
    assert officer1.get(f"{API}/tickets/{made['id']}").status_code == 200
    assert officer1.get(f"{API}/tickets/counts").json()["new"] == 1
    assert _post(officer1, f"/tickets/{made['id']}/reveal", {}).status_code == 403
    shown = _post(street1, f"/tickets/{made['id']}/reveal", {})
    assert shown.json() == {"caller_phone": "13812345678"}
    assert AuditLog.objects.filter(verb="pii.read", actor_name="street1").count() == 1
