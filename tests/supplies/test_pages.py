"""The supplies pages and API over HTTP: the outlet's form, the overview with its colours and
map, the alert list and its decisions, the upload; the second district sees none of the
first's data (404 / nothing) and a missing right answers 403."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fangkong.supplies import alerts
from fangkong.supplies.models import AlertStatus, StockReport, SupplyAlert
from tests.factories import PASSWORD, City
from tests.supplies.builders import TODAY, plenty, put, supply_users


@pytest.fixture
def users(city: City) -> dict[str, User]:
    return supply_users(city)


def web(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def low_grain(city: City) -> SupplyAlert:
    first, second = city.districts[0].venues
    plenty(first)
    plenty(second)
    StockReport.objects.filter(good="grain").update(stock=1)
    alerts.do_compute_alerts(day=TODAY)
    return SupplyAlert.objects.get()


def test_the_outlet_form_stores_the_day_once_and_names_a_bad_field(
        city: City, users: dict[str, User]) -> None:
    page = web(users["market1"])
    assert page.get("/supplies/report/").status_code == 200
    form = {"day": str(TODAY), "client_key": "web-1", "grain_stock": "40",
            "grain_price": "3.2", "milk_stock": "12", "milk_price": "11"}
    assert page.post("/supplies/report/day/", form).status_code == 302
    assert page.post("/supplies/report/day/", form).status_code == 302  # resent: once
    assert StockReport.objects.count() == 2
    bad = page.post("/supplies/report/day/", {**form, "client_key": "web-2",
                                              "oil_stock": "3"})
    assert bad.status_code == 422 and b"price is required" in bad.content
    assert StockReport.objects.count() == 2
    assert web(users["officer1"]).get("/supplies/report/").status_code == 403


def test_the_overview_shows_the_low_street_first_and_its_map(
        city: City, users: dict[str, User], low_grain: SupplyAlert) -> None:
    page = web(users["officer1"]).get("/supplies/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-worst="low"' in html and f'data-alert="{low_grain.pk}"' in html
    assert 'data-good="grain"' in html and "band-low" in html
    row = page.context["rows"][0]
    assert (row.figures.outlets, row.outlets) == (2, 2) and "short" not in html
    features = page.context["map"]["features"]
    assert {f["properties"]["kind"] for f in features} == {"street", "outlet"}
    street = next(f for f in features if f["properties"]["kind"] == "street")
    assert street["properties"]["band"] == "low" and street["properties"]["low"] == ["grain"]
    other = web(users["officer2"]).get("/supplies/")
    assert other.status_code == 200 and f'data-alert="{low_grain.pk}"' not in (
        other.content.decode())
    assert other.context["map"]["features"][0]["properties"]["band"] == "none"
    assert web(users["officer2"]).get(
        f"/supplies/?street={low_grain.street_id}").status_code == 404
    assert web(users["market1"]).get("/supplies/").status_code == 403
    assert web(users["grid1"]).get("/supplies/").status_code == 403


def test_the_alert_list_acknowledges_and_closes_within_the_district(
        city: City, users: dict[str, User], low_grain: SupplyAlert) -> None:
    officer = web(users["officer1"])
    assert f'data-alert="{low_grain.pk}"' in officer.get("/supplies/alerts/").content.decode()
    url = f"/supplies/alerts/{low_grain.pk}/decide/"
    assert web(users["officer2"]).post(url, {"status": "closed"}).status_code == 404
    assert web(users["street1"]).post(url, {"status": "closed"}).status_code == 403
    assert officer.post(url, {"status": "acknowledged", "note": "flour from the reserve",
                              "back": "open"}).status_code == 302
    low_grain.refresh_from_db()
    assert low_grain.status == AlertStatus.ACKNOWLEDGED
    assert officer.post(url, {"status": "reopened"}).status_code == 422
    assert officer.post(url, {"status": "closed"}).status_code == 302
    closed = officer.get("/supplies/alerts/?status=closed").content.decode()
    assert "flour from the reserve" in closed
    assert web(users["officer2"]).get("/supplies/alerts/?status=all").context["rows"] == []


def test_the_upload_page_lists_the_bad_lines(city: City, users: dict[str, User]) -> None:
    venue = city.districts[0].venues[0]
    data = (f"client_key,venue_code,day,good,stock,price\n"
            f"k1,{venue.venue_code},{TODAY},grain,40,3\nk2,{venue.venue_code},{TODAY},gold,1,3\n")
    page = web(users["officer1"]).post("/supplies/upload/csv/", {
        "file": SimpleUploadedFile("day.csv", data.encode(), content_type="text/csv")})
    assert page.status_code == 422 and b"csv-errors" in page.content
    assert not StockReport.objects.exists()
    assert web(users["market1"]).get("/supplies/upload/").status_code == 403


def test_the_api_reports_reads_and_decides_in_scope(
        city: City, users: dict[str, User], low_grain: SupplyAlert) -> None:
    market = web(users["market1"])
    rows = [{"client_key": "a", "good": "eggs", "day": str(TODAY), "stock": 5, "price": 11}]
    answer = market.post("/api/v1/supplies/reports", {"rows": rows},
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json()[0]["status"] == "replaced"
    assert market.get("/api/v1/supplies/alerts").status_code == 403
    officer = web(users["officer1"])
    streets = officer.get("/api/v1/supplies/streets").json()
    grain = next(g for g in streets[0]["goods"] if g["good"] == "grain")
    assert streets[0]["open_alerts"] == 1 and grain["band"] == "low"
    assert [a["id"] for a in officer.get("/api/v1/supplies/alerts").json()] == [low_grain.pk]
    other = web(users["officer2"])
    assert other.get("/api/v1/supplies/alerts").json() == []
    assert other.get(f"/api/v1/supplies/alerts/{low_grain.pk}").status_code == 404
    decided = officer.post(f"/api/v1/supplies/alerts/{low_grain.pk}/decision",
                           json.dumps({"status": "closed", "note": "restocked"}),
                           content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "closed"


def test_the_api_upload_refuses_a_bad_file_with_every_line(
        city: City, users: dict[str, User]) -> None:
    put(city.districts[0].venues[0], good="milk", stock=3)
    data = b"client_key,venue_code,day,good,stock,price\nk1,NOPE,2022-05-10,milk,1,2\n"
    answer = web(users["officer1"]).post("/api/v1/supplies/reports.csv", {
        "file": SimpleUploadedFile("x.csv", data, content_type="text/csv")})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"line": 2, "field": "venue_code", "message":
                                        "no market or supermarket with this code in your "
                                        "jurisdiction"}]


def test_the_overview_says_when_an_outlet_did_not_report(
        city: City, users: dict[str, User], low_grain: SupplyAlert) -> None:
    """A silent outlet counts as holding nothing, so the street's row shows 1 / 2 outlets."""
    StockReport.objects.filter(venue=city.districts[0].venues[1]).delete()
    page = web(users["officer1"]).get("/supplies/")
    row = page.context["rows"][0]
    assert (row.figures.outlets, row.outlets) == (1, 2)
    assert "outlets short" in page.content.decode()
