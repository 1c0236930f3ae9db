"""Pages and API of life in an area: the request board, the roster, passes and the printable
pass, the gate keeper's pages, and the resident's public link page; district 2 sees nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.risk import passes, requests
from fangkong.risk.models import AreaStatus, CareCheck, ExitPass, PassCheck, SupplyRequest
from tests.factories import City, make_user
from tests.risk.builders import make_area, make_gate

pytestmark = pytest.mark.django_db


def _login(username: str, unit, roles: list[str]) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(username, unit=unit, roles=roles))
    return client


@pytest.fixture
def area(city: City):  # type: ignore[no-untyped-def]
    return make_area(unit=city.districts[0].grids[0])


@pytest.fixture
def en1(city: City) -> Client:
    return _login("officer-en", city.districts[0].unit, ["district_officer"])


def test_board_files_lists_and_completes(city: City, area, en1: Client,  # type: ignore[no-untyped-def]
                                         officer2: Client) -> None:
    household = city.districts[0].households[0]
    response = en1.post(reverse("risk_request_create"),
                        {"household_id": household.pk, "kind": "medicine", "details": "insulin"})
    assert response.status_code == 302
    req = SupplyRequest.objects.get()
    page = en1.get(reverse("risk_requests")).content.decode()
    assert "insulin" in page and "Requests of households" in page
    assert "insulin" not in officer2.get(reverse("risk_requests")).content.decode()
    bad = en1.post(reverse("risk_request_create"), {"household_id": household.pk, "kind": "x"})
    assert bad.status_code == 422 and SupplyRequest.objects.count() == 1
    assert officer2.post(reverse("risk_request_complete", args=[req.pk]),
                         {"text": "done"}).status_code == 404
    en1.post(reverse("risk_request_complete", args=[req.pk]), {"text": "brought it"})
    assert SupplyRequest.objects.get().status == "done"
    overdue = en1.get(reverse("risk_requests") + "?overdue=1&status=open").content.decode()
    assert "insulin" not in overdue


def test_roster_page_records_a_check(city: City, area, en1: Client,  # type: ignore[no-untyped-def]
                                     officer2: Client) -> None:
    person = city.districts[0].persons[0]
    person.pregnant = True
    person.save()
    page = en1.get(reverse("risk_roster", args=[area.pk]))
    assert page.status_code == 200 and person.name in page.content.decode()
    assert "1 person not checked today." in page.content.decode()
    en1.post(reverse("risk_roster_check", args=[area.pk]),
             {"person_id": person.pk, "status": "needs_help", "note": "check-up",
              "request_kind": "pregnancy"})
    assert CareCheck.objects.get().status == "needs_help"
    assert SupplyRequest.objects.get().kind == "pregnancy"
    assert officer2.get(reverse("risk_roster", args=[area.pk])).status_code == 404


def test_pass_issue_print_and_gate(city: City, area, en1: Client,  # type: ignore[no-untyped-def]
                                   officer2: Client) -> None:
    gate = make_gate(area)
    other_gate = make_gate(make_area(unit=city.districts[0].grids[1], code="RA-9"), name="西门")
    household = city.districts[0].households[0]
    response = en1.post(reverse("risk_pass_issue", args=[area.pk]),
                        {"household_id": household.pk, "purpose": "medical"})
    exit_pass = ExitPass.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("risk_pass", args=[exit_pass.pk])
    printed = en1.get(response["Location"]).content.decode()
    assert "<svg" in printed and household.address in printed
    assert str(city.districts[0].persons[0].id_number) not in printed
    again = en1.post(reverse("risk_pass_issue", args=[area.pk]),
                     {"household_id": household.pk, "purpose": "shopping"})
    assert again.status_code == 422 and ExitPass.objects.count() == 1
    assert officer2.get(reverse("risk_pass", args=[exit_pass.pk])).status_code == 404
    keeper = _login("keeper", city.districts[0].unit, ["gate_keeper"])
    assert gate.name in keeper.get(reverse("risk_gates")).content.decode()
    token = passes.pass_token(exit_pass)
    ok = keeper.post(reverse("risk_gate", args=[gate.pk]), {"token": token}).content.decode()
    assert "PASS" in ok and 'class="verdict go"' in ok
    wrong = keeper.post(reverse("risk_gate", args=[other_gate.pk]), {"token": token})
    assert "STOP" in wrong.content.decode() and "not a gate of this pass" in wrong.content.decode()
    en1.post(reverse("risk_pass_revoke", args=[exit_pass.pk]))
    revoked = keeper.post(reverse("risk_gate", args=[gate.pk]), {"token": token}).content.decode()
    assert "revoked" in revoked and 'class="verdict stop"' in revoked
    assert list(PassCheck.objects.order_by("id").values_list("result", flat=True)) == [
        "pass", "wrong_gate", "revoked"]
    assert officer2.get(reverse("risk_passes", args=[area.pk])).status_code == 404


def test_resident_link_page(city: City, area, en1: Client) -> None:  # type: ignore[no-untyped-def]
    d1 = city.districts[0]
    shown = en1.post(reverse("risk_household_link", args=[d1.households[0].pk])).content.decode()
    assert "/r/h/" in shown
    token = requests.household_token(d1.households[0], area)
    url = reverse("risk_household_request", args=[token]) + "?lang=en"
    public = Client()
    assert "Ask for help" in public.get(url).content.decode()
    for _ in range(2):
        public.post(url, {"kind": "groceries", "details": "rice", "client_key": "abc123"})
    assert SupplyRequest.objects.filter(channel="resident").count() == 1
    assert "rice" in public.get(url).content.decode()
    other = requests.household_token(d1.households[1], make_area(unit=d1.grids[1], code="RA-2"))
    other_page = public.get(reverse("risk_household_request", args=[other]) + "?lang=en")
    assert other_page.status_code == 200 and "rice" not in other_page.content.decode()
    bad = public.get(reverse("risk_household_request", args=[token + "x"]) + "?lang=en")
    assert bad.status_code == 404 and "This link cannot be used" in bad.content.decode()
    area.status = AreaStatus.LIFTED
    area.save()
    lifted = public.get(url)
    assert lifted.status_code == 410 and "lifted" in lifted.content.decode()


def test_api_requests_and_gate(city: City, area, en1: Client,  # type: ignore[no-untyped-def]
                               officer2: Client) -> None:
    household = city.districts[0].households[0]
    body = {"household_id": household.pk, "kind": "dialysis", "client_key": "k-1"}
    first = en1.post("/api/v1/risk/requests", json.dumps(body), content_type="application/json")
    again = en1.post("/api/v1/risk/requests", json.dumps(body), content_type="application/json")
    assert first.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert first.json()["priority"] == 0
    assert [r["id"] for r in en1.get("/api/v1/risk/requests").json()] == [first.json()["id"]]
    assert officer2.get("/api/v1/risk/requests").json() == []
    bad = en1.post("/api/v1/risk/requests", json.dumps(body | {"kind": "x", "client_key": ""}),
                   content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "kind"
    issued = en1.post("/api/v1/risk/passes", json.dumps(
        {"area_id": area.pk, "household_id": household.pk, "purpose": "work"}),
        content_type="application/json")
    assert issued.status_code == 201
    gate = make_gate(area)
    admin = _login("root", city.unit, ["city_admin"])
    answer = admin.post(f"/api/v1/risk/gates/{gate.pk}/check",
                        json.dumps({"token": issued.json()["token"]}),
                        content_type="application/json").json()
    assert answer["passed"] is True and answer["result"] == "pass"
    forged = admin.post(f"/api/v1/risk/gates/{gate.pk}/check", json.dumps({"token": "a:b"}),
                        content_type="application/json").json()
    assert forged["result"] == "forged"
    assert officer2.post(f"/api/v1/risk/passes/{issued.json()['id']}/revoke").status_code == 404


def test_only_people_who_may_deliver_are_offered_as_assignees(  # type: ignore[no-untyped-def]
        city: City, area, en1: Client) -> None:
    grid = city.districts[0].grids[0]
    make_user("keeper-x", unit=grid, roles=["gate_keeper"])
    make_user("helper-x", unit=grid, roles=["volunteer"])
    requests.do_create_request(actor=_actor("officer-en"),
                               household_id=city.districts[0].households[0].pk, kind="medicine")
    page = en1.get(reverse("risk_requests")).content.decode()
    assert ">helper-x<" in page and ">keeper-x<" not in page


def _actor(username: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    from fangkong.core.jurisdiction import actor_for

    return actor_for(User.objects.get(username=username))
