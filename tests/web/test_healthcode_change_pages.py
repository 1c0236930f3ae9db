"""Pages and API of manual changes, abuse alerts and reports: asked on the page, decided on
the approvals page by someone else, alerts in red beside the request; reports stored once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.models import Approval
from fangkong.healthcode.models import AbuseAlert, Override, Purchase
from tests.factories import City, make_user


def _login(city: City, username: str, roles: list[str], district: int = 0) -> Client:
    user = make_user(username, unit=city.districts[district].unit, roles=roles)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def asker(city: City) -> Client:
    return _login(city, "asker", ["district_officer"])


@pytest.fixture
def approver(city: City) -> Client:
    return _login(city, "approver", ["district_officer"])


@pytest.fixture
def pharmacy(city: City) -> Client:
    return _login(city, "chemist", ["pharmacy"])


def _ask(client: Client, person: str, **extra: str) -> object:
    data = {"person": person, "colour": "red", "days": "3", "reason": "told by phone", **extra}
    return client.post("/healthcode/changes/request/", data)


def test_a_change_asked_on_the_page_is_applied_by_another_officer(
        city: City, asker: Client, approver: Client) -> None:
    person = city.districts[0].persons[0]
    response = _ask(asker, person.id_number or "")
    assert response.status_code == 302  # type: ignore[attr-defined]
    approval = Approval.objects.get()
    page = asker.get("/healthcode/changes/").content.decode()
    assert f'id="approval-{approval.pk}"' in page and "No epidemiological link" in page
    assert 'class="field-error abuse-warning"' in page
    own = asker.post(f"/approvals/{approval.pk}/decide", {"decision": "approve"})
    assert own.status_code == 302 and not Override.objects.exists()
    approver.post(f"/approvals/{approval.pk}/decide", {"decision": "approve"})
    assert Override.objects.get().person_id == person.pk
    assert 'id="override-' in asker.get("/healthcode/changes/").content.decode()


def test_bad_input_comes_back_on_its_field(city: City, asker: Client) -> None:
    response = _ask(asker, city.districts[0].persons[0].id_number or "", days="30")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "1 to 14 days" in response.content.decode()  # type: ignore[attr-defined]
    other = _ask(asker, city.districts[1].persons[0].id_number or "")
    assert other.status_code == 422  # type: ignore[attr-defined]
    assert not Approval.objects.exists()


def test_the_abuse_page_lists_and_resolves(city: City, asker: Client,
                                           approver: Client) -> None:
    _ask(asker, str(city.districts[0].persons[1].pk))
    alert = AbuseAlert.objects.get()
    page = approver.get("/healthcode/abuse/").content.decode()
    assert f'id="alert-{alert.pk}"' in page
    asker.post(f"/healthcode/abuse/{alert.pk}/resolve/", {"note": "mine"})
    alert.refresh_from_db()
    assert alert.resolved_at is None
    approver.post(f"/healthcode/abuse/{alert.pk}/resolve/", {"note": "checked: paper record"})
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert f'id="alert-{alert.pk}"' not in approver.get("/healthcode/abuse/").content.decode()


def test_district_2_sees_nothing_of_district_1(city: City, asker: Client) -> None:
    _ask(asker, str(city.districts[0].persons[1].pk))
    officer2 = _login(city, "officer2", ["district_officer"], district=1)
    alert = AbuseAlert.objects.get()
    assert f'id="alert-{alert.pk}"' not in officer2.get("/healthcode/abuse/").content.decode()
    assert "approval-" not in officer2.get("/healthcode/changes/").content.decode()
    assert officer2.post(f"/healthcode/abuse/{alert.pk}/resolve/",
                         {"note": "x"}).status_code == 404
    api = officer2.get("/api/v1/healthcode/abuse")
    assert api.status_code == 200 and api.json() == []


def test_rights_guard_each_page(city: City, pharmacy: Client, asker: Client) -> None:
    assert pharmacy.get("/healthcode/changes/").status_code == 403
    assert asker.get("/healthcode/reports/").status_code == 403
    assert pharmacy.get("/healthcode/reports/").status_code == 200


def test_a_sale_form_and_a_csv_day(city: City, pharmacy: Client) -> None:
    person = city.districts[0].persons[0]
    when = timezone.localtime(clock.now() - dt.timedelta(hours=1))
    data = {"id_number": person.id_number, "drug_class": "cough",
            "bought_at": when.strftime("%Y-%m-%dT%H:%M")}
    assert pharmacy.post("/healthcode/reports/purchase/", data).status_code == 302
    assert pharmacy.post("/healthcode/reports/purchase/", data).status_code == 302
    assert Purchase.objects.count() == 1
    bad = pharmacy.post("/healthcode/reports/purchase/", {**data, "id_number": "123"})
    assert bad.status_code == 422
    line = f"{person.id_number},fever,{when.strftime('%Y-%m-%dT%H:%M')}"
    upload = ("id_number,drug_class,bought_at\n" + line + "\n" + "x,fever,now\n").encode()
    refused = pharmacy.post("/healthcode/reports/csv/",
                            {"file": SimpleUploadedFile("day.csv", upload)})
    assert refused.status_code == 422 and 'id="csv-errors"' in refused.content.decode()
    assert Purchase.objects.count() == 1
    stored = pharmacy.post("/healthcode/reports/csv/",
                           {"file": SimpleUploadedFile("day.csv", upload), "store_good": "on"})
    assert stored.status_code == 200 and Purchase.objects.count() == 2


def test_the_api_asks_a_change_with_its_warnings(city: City, asker: Client) -> None:
    person = city.districts[0].persons[2]
    response = asker.post("/api/v1/healthcode/changes", {
        "person_id": person.pk, "colour": "yellow", "reason": "api", "days": 2},
        content_type="application/json")
    assert response.status_code == 201
    assert response.json()["warnings"] and response.json()["payload"]["alerts"] == ["unlinked"]
    bad = asker.post("/api/v1/healthcode/changes", {
        "person_id": person.pk, "colour": "blue", "reason": "api", "days": 2},
        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "colour"


def test_the_api_report_queue_answers_each_row_by_client_key(
        city: City, pharmacy: Client) -> None:
    person = city.districts[0].persons[0]
    when = clock.now().isoformat()
    rows = [{"client_key": "a", "id_number": person.id_number, "drug_class": "fever",
             "bought_at": when},
            {"client_key": "b", "id_number": "bad", "drug_class": "fever", "bought_at": when}]
    first = pharmacy.post("/api/v1/healthcode/reports/purchases", {"rows": rows},
                          content_type="application/json").json()
    again = pharmacy.post("/api/v1/healthcode/reports/purchases", {"rows": rows},
                          content_type="application/json").json()
    assert [(r["client_key"], r["status"]) for r in first] == [("a", "stored"),
                                                                ("b", "refused")]
    assert first[1]["field"] == "id_number"
    assert [r["status"] for r in again] == ["unchanged", "refused"]
    arrival = pharmacy.post("/api/v1/healthcode/reports/arrivals", {"rows": [
        {"client_key": "c", "person_id": person.pk, "arrived_at": when}]},
        content_type="application/json")
    assert arrival.json()[0]["status"] == "stored"
