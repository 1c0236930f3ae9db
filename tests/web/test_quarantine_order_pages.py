"""The order pages: list with filters, an order's timeline with check and result entry,
release, new orders, the board, the certificate and the rule versions; district 2 sees none
of district 1's orders."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.test import Client

from fangkong.core import clock
from fangkong.core.jurisdiction import actor_for
from fangkong.quarantine import orders
from fangkong.quarantine.models import DailyCheck, OrderStatus, QuarantineOrder
from tests.factories import City, make_user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _order(city: City) -> QuarantineOrder:
    officer = make_user("maker1", unit=city.districts[0].unit, roles=["district_officer"])
    return orders.do_create_order(actor=actor_for(officer),
                                  person_id=city.districts[0].persons[0].pk, reason="inbound",
                                  exposure_at=clock.now() - dt.timedelta(days=1))


def test_list_detail_and_scoping(city: City, officer2: Client) -> None:
    order = _order(city)
    client = _client(User.objects.get(username="maker1"))
    page = client.get("/quarantine/orders/?status=all")
    assert page.status_code == 200 and f"/quarantine/orders/{order.pk}/" in page.content.decode()
    detail = client.get(f"/quarantine/orders/{order.pk}/")
    assert detail.status_code == 200
    assert str(city.districts[0].persons[0].id_number) not in detail.content.decode()
    assert officer2.get(f"/quarantine/orders/{order.pk}/").status_code == 404
    assert f"/quarantine/orders/{order.pk}/" not in officer2.get(
        "/quarantine/orders/?status=all").content.decode()


def test_check_entry_and_result(city: City) -> None:
    order = _order(city)
    carer = make_user("carer", unit=city.districts[0].unit, roles=["quarantine_manager"])
    client = _client(carer)
    bad = client.post(f"/quarantine/orders/{order.pk}/check",
                      {"temperature": "50", "mood": "4"})
    assert bad.status_code == 422 and not DailyCheck.objects.exists()
    good = client.post(f"/quarantine/orders/{order.pk}/check",
                       {"temperature": "36.6", "mood": "4"})
    assert good.status_code == 302 and DailyCheck.objects.filter(order=order).count() == 1
    test = order.tests.filter(due_on__lte=orders.today())[0]
    client.post(f"/quarantine/orders/{order.pk}/tests/{test.pk}/result", {"result": "negative"})
    test.refresh_from_db()
    assert test.result == "negative"
    refused = client.post(f"/quarantine/orders/{order.pk}/release", follow=True)
    assert "only a person in a facility" in refused.content.decode()


def test_new_order_for_one_person(city: City, officer1: Client) -> None:
    person = city.districts[0].persons[1]
    bad = officer1.post("/quarantine/orders/new", {"person_id": person.pk, "reason": "x"})
    assert bad.status_code == 422
    other = officer1.post("/quarantine/orders/new",
                          {"person_id": city.districts[1].persons[0].pk, "reason": "inbound"})
    assert other.status_code == 422 and not QuarantineOrder.objects.exists()
    made = officer1.post("/quarantine/orders/new", {"person_id": person.pk, "reason": "inbound"})
    assert made.status_code == 302
    assert QuarantineOrder.objects.get().person_id == person.pk
    assert officer1.get("/quarantine/orders/new").status_code == 200


def test_board_counts_and_missing(city: City, officer1: Client, officer2: Client) -> None:
    order = _order(city)
    QuarantineOrder.objects.filter(pk=order.pk).update(status=OrderStatus.AT_HOME)
    page = officer1.get("/quarantine/board/")
    assert page.status_code == 200 and page.context["counts"]["missing"] == 1
    assert page.context["page"].items[0].pk == order.pk
    assert officer2.get("/quarantine/board/").context["counts"]["total"] == 0
    assert officer1.get("/quarantine/board/?facility=999").status_code == 404


def test_certificate_and_policies(city: City, officer1: Client, officer2: Client) -> None:
    order = _order(city)
    assert officer1.get(f"/quarantine/orders/{order.pk}/certificate").status_code == 404
    QuarantineOrder.objects.filter(pk=order.pk).update(certificate_no="QR20220709-0000001",
                                                       released_at=clock.now())
    cert = officer1.get(f"/quarantine/orders/{order.pk}/certificate")
    body = cert.content.decode()
    assert cert.status_code == 200 and "QR20220709-0000001" in body
    assert order.person.name in body and str(order.person.id_number) not in body
    assert officer2.get(f"/quarantine/orders/{order.pk}/certificate").status_code == 404
    policies = Client(HTTP_ACCEPT_LANGUAGE="en")
    policies.force_login(User.objects.get(username="maker1"))
    text = policies.get("/quarantine/policies/").content.decode()
    assert "9th edition" in text and "20 measures" in text and "7 d centralised + 3 d" in text


def test_api_orders(city: City, officer1: Client, officer2: Client) -> None:
    person = city.districts[0].persons[2]
    bad = officer1.post("/api/v1/quarantine/orders", {"person_id": person.pk, "reason": "x"},
                        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "reason"
    made = officer1.post("/api/v1/quarantine/orders",
                         {"person_id": person.pk, "reason": "inbound"},
                         content_type="application/json")
    assert made.status_code == 201 and made.json()["tests"]
    order_id = made.json()["id"]
    assert "*" in made.json()["id_number"]
    assert officer2.get(f"/api/v1/quarantine/orders/{order_id}").status_code == 404
    assert officer2.get("/api/v1/quarantine/orders").json() == []
    listed = officer1.get("/api/v1/quarantine/orders").json()
    assert [o["id"] for o in listed] == [order_id]
    cancelled = officer1.post(f"/api/v1/quarantine/orders/{order_id}/cancel",
                              {"reason": "wrong person"}, content_type="application/json")
    assert cancelled.json()["status"] == "cancelled"
