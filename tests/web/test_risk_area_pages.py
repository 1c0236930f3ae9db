"""Risk-area pages, the public notice and the area API: rights, scope, forms, map data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from fangkong.core import clock
from fangkong.risk.lifting import do_propose_due
from fangkong.risk.models import AreaStatus, LiftProposal, ProposalStatus, RiskArea
from fangkong.tracing.models import Case
from tests.factories import City, make_user
from tests.risk.builders import make_area

START = dt.datetime(2022, 7, 1, 2, 0, tzinfo=dt.UTC)


def en(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def area(city: City) -> RiskArea:
    made = make_area(unit=city.districts[0].grids[0], started_at=START, code="RA-20220701-001")
    person = city.districts[0].persons[0]
    case = Case(person=person, classification="confirmed", sample_date=START.date(),
                result_at=START, confirmed_at=START, created_at=START)
    assert person.grid is not None
    case.place_in(person.grid)
    case.save()
    made.cases.add(case)
    return made


def test_list_shows_counts_map_and_filters(officer1: Client, area: RiskArea) -> None:
    page = en(officer1).get("/risk/areas/")
    assert page.status_code == 200
    body = page.content.decode()
    assert area.code in body and "vendor/leaflet/leaflet.js" in body and "cdn" not in body
    data = page.context["map"]
    assert data["features"][0]["properties"]["level"] == "sealed"
    assert data["features"][0]["geometry"]["type"] == "Polygon"
    assert {v: n for v, _l, n in page.context["counts"]}["sealed"] == 1
    assert area.code not in officer1.get("/risk/areas/?level=controlled").content.decode()


def test_other_district_sees_nothing_and_gets_404(officer2: Client, area: RiskArea) -> None:
    assert area.code not in officer2.get("/risk/areas/").content.decode()
    assert officer2.get(f"/risk/areas/{area.pk}/").status_code == 404
    assert officer2.post(f"/risk/areas/{area.pk}/gates", {"name": "东门"}).status_code == 404
    assert officer2.get(f"/api/v1/risk/areas/{area.pk}").status_code == 404
    assert officer2.get("/api/v1/risk/areas").json() == []


def test_detail_lists_facts_cases_events_and_adds_a_gate(officer1: Client,
                                                         area: RiskArea) -> None:
    page = en(officer1).get(f"/risk/areas/{area.pk}/")
    assert page.status_code == 200 and page.context["members"] == 3
    assert f"#{area.cases.get().pk}" in page.content.decode()
    bad = en(officer1).post(f"/risk/areas/{area.pk}/gates", {"name": "西门", "lat": "34.2"})
    assert bad.status_code == 422 and "longitude" in bad.content.decode()
    done = officer1.post(f"/risk/areas/{area.pk}/gates", {"name": "东门"})
    assert done.status_code == 302 and area.gates.get().name == "东门"
    lowered = en(officer1).post(f"/risk/areas/{area.pk}/raise", {"level": "precaution"})
    assert lowered.status_code == 422 and "approved proposal" in lowered.content.decode()


def test_designate_form(officer1: Client, city: City) -> None:
    page = en(officer1).get("/risk/areas/new")
    assert page.status_code == 200
    grid = city.districts[0].grids[1]
    missing = en(officer1).post("/risk/areas/new", {"level": "sealed", "name": "x",
                                                    "reason": "y"})
    assert missing.status_code == 422 and not RiskArea.objects.exists()
    done = officer1.post("/risk/areas/new", {"level": "sealed", "unit_id": grid.pk,
                                             "name": "幸福小区", "reason": "a case"})
    assert done.status_code == 302
    assert RiskArea.objects.get().unit_id == grid.pk


def test_rights(city: City, area: RiskArea) -> None:
    make_user("gate", unit=city.districts[0].grids[0], roles=["gate_keeper"])
    client = Client()
    client.login(username="gate", password="pw-for-tests-only")
    assert client.get("/risk/areas/").status_code == 403
    assert Client().get("/risk/areas/").status_code == 302  # to the login page
    make_user("vol", unit=city.districts[0].grids[0], roles=["volunteer"])
    volunteer = Client()
    volunteer.login(username="vol", password="pw-for-tests-only")
    assert volunteer.get("/risk/areas/").status_code == 200
    assert volunteer.get("/risk/areas/new").status_code == 403


def test_proposal_approved_on_the_page(officer1: Client, area: RiskArea,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: START + dt.timedelta(days=7))
    do_propose_due(today=dt.date(2022, 7, 8))
    proposal = LiftProposal.objects.get()
    listing = officer1.get("/risk/proposals/")
    assert area.code in listing.content.decode()
    answer = officer1.post(f"/risk/proposals/{proposal.pk}/decide", {"approve": "1"})
    assert answer.status_code == 302
    area.refresh_from_db()
    proposal.refresh_from_db()
    assert area.level == "controlled" and proposal.status == ProposalStatus.APPROVED


def test_public_page_and_json_show_no_case_or_person(client: Client, area: RiskArea,
                                                     city: City) -> None:
    lifted = make_area(unit=city.districts[1].grids[0], code="RA-OLD", started_at=START)
    lifted.status, lifted.lifted_at = AreaStatus.LIFTED, clock.now() - dt.timedelta(days=3)
    lifted.save()
    page = client.get("/public/risk-areas/?lang=en")
    body = page.content.decode()
    assert page.status_code == 200 and area.name in body and "Risk areas in force" in body
    person = city.districts[0].persons[0]
    assert person.name not in body and (person.id_number or "-") not in body
    zh = client.get("/public/risk-areas/?lang=zh-hans")
    assert zh["Content-Language"] == "zh-hans" and area.name in zh.content.decode()
    data = json.loads(client.get("/public/risk-areas.json").content)
    codes = {a["code"]: a for a in data["areas"]}
    assert set(codes) == {area.code, "RA-OLD"}
    assert codes[area.code]["events"][0]["kind"] == "designated"
    text = json.dumps(data, ensure_ascii=False)
    assert "case" not in text.replace("case_linked", "") and person.name not in text


def test_api_designate_link_gate_and_decide(officer1: Client, city: City) -> None:
    grid = city.districts[0].grids[1]
    made = officer1.post("/api/v1/risk/areas", {"level": "sealed", "unit_id": grid.pk,
                                                "name": "x", "reason": "y"},
                         content_type="application/json")
    assert made.status_code == 201, made.content
    area_id = made.json()["id"]
    bad = officer1.post("/api/v1/risk/areas", {"level": "sealed", "name": "x", "reason": "y"},
                        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "unit_id"
    gate = officer1.post(f"/api/v1/risk/areas/{area_id}/gates", {"name": "北门"},
                         content_type="application/json")
    assert gate.status_code == 201
    detail = officer1.get(f"/api/v1/risk/areas/{area_id}").json()
    assert detail["gates"][0]["name"] == "北门" and detail["events"][0]["kind"] == "designated"
    assert officer1.get("/api/v1/risk/proposals").json() == []
    lower = officer1.post(f"/api/v1/risk/areas/{area_id}/level", {"level": "precaution"},
                          content_type="application/json")
    assert lower.status_code == 422
    missing = officer1.post("/api/v1/risk/proposals/999/decision", {"approve": True},
                            content_type="application/json")
    assert missing.status_code == 404
