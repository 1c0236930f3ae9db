"""The coverage and door-to-door pages, visits and the CSV export: scoped (another
district's unit answers 404), the right required (403), phones masked unless the viewer may
see them, full reads audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from fangkong.core.models import AuditLog
from fangkong.vaccination import doses
from fangkong.vaccination.models import Visit
from tests.factories import PASSWORD, City
from tests.vaccination.builders import born, dose, freeze, grid_worker, officer, vaccinator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch: Any) -> None:
    freeze(monkeypatch)


@pytest.fixture
def seeded(city: City) -> dict[str, Any]:
    d0 = city.districts[0]
    old, older = born(d0.persons[0], age=66), born(d0.persons[4], age=81)
    done = born(d0.persons[1], age=72)
    doses.do_record_doses(actor=vaccinator(city), rows=[
        dose(done, number=1, on=dt.date(2021, 4, 1), product="AD5NCOV"),
        dose(old, number=1, on=dt.date(2021, 4, 1))])
    officer(city, 0)
    officer(city, 1)
    grid_worker(city, 0, 0)
    return {"old": old, "older": older, "done": done}


def login(client: Client, name: str) -> Client:
    """Signed in as ``name``, asking for English pages (the city's default is zh-Hans)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.login(username=name, password=PASSWORD)
    return client


def test_the_coverage_page_drills_down_and_is_scoped(city: City, seeded: dict[str, Any],
                                                     client: Client) -> None:
    login(client, "officer0")
    page = client.get("/vaccination/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Vaccination coverage" in text and 'id="unit-table"' in text
    assert 'data-band="60-69"' in text and "33.3 %" in text  # 1 of 3 elderly fully vaccinated
    street = city.districts[0].grids[0].parent.parent  # type: ignore[union-attr]
    assert client.get(f"/vaccination/?unit={street.pk}").status_code == 200
    grid = client.get(f"/vaccination/?unit={city.districts[0].grids[0].pk}")
    assert grid.status_code == 200 and 'id="unit-table"' not in grid.content.decode()
    assert client.get(f"/vaccination/?unit={city.districts[1].unit.pk}").status_code == 404
    assert login(Client(), "officer1").get(
        f"/vaccination/elderly/?unit={city.districts[0].unit.pk}").status_code == 404


def test_the_pages_need_the_right(city: City, seeded: dict[str, Any]) -> None:
    site = login(Client(), "vac1")
    for url in ("/vaccination/", "/vaccination/elderly/", "/vaccination/elderly.csv"):
        assert site.get(url).status_code == 403
    assert Client().get("/vaccination/").status_code == 302  # to the login page
    for url in ("/api/v1/vaccination/coverage", "/api/v1/vaccination/elderly"):
        assert site.get(url).status_code == 403
    assert site.post("/api/v1/vaccination/visits", {"person_id": seeded["old"].pk,
                                                    "outcome": "away"},
                     content_type="application/json").status_code == 403


def test_the_list_masks_for_an_officer_and_audits_a_grid_worker_s_read(
        city: City, seeded: dict[str, Any]) -> None:
    old, older = seeded["old"], seeded["older"]
    text = login(Client(), "officer0").get("/vaccination/elderly/").content.decode()
    assert old.name in text and older.name in text and seeded["done"].name not in text
    assert old.phone not in text and old.phone[-4:] in text
    assert not AuditLog.objects.filter(verb="pii.read").exists()
    grid = login(Client(), "grid00")
    shown = grid.get("/vaccination/elderly/").content.decode()
    assert old.phone in shown and older.name not in shown  # older lives in the other grid
    read = AuditLog.objects.get(verb="pii.read")
    assert read.after["persons"] == [old.pk]  # type: ignore[index]


def test_a_visit_is_recorded_and_shown(city: City, seeded: dict[str, Any]) -> None:
    old = seeded["old"]
    grid = login(Client(), "grid00")
    answer = grid.post(f"/vaccination/elderly/{old.pk}/visit/",
                       {"outcome": "will_book", "note": "周三去社区医院",
                        "next": "/vaccination/elderly/"})
    assert answer.status_code == 302
    visit = Visit.objects.get()
    assert (visit.person_id, visit.grid_id, visit.outcome) == (old.pk, old.grid_id, "will_book")
    assert AuditLog.objects.filter(verb="vaccination.visit.record").count() == 1
    assert "will book a dose" in grid.get("/vaccination/elderly/").content.decode()
    grid.post(f"/vaccination/elderly/{old.pk}/visit/", {"outcome": "maybe"})
    assert Visit.objects.count() == 1  # refused: no such outcome
    done = seeded["done"]
    grid.post(f"/vaccination/elderly/{done.pk}/visit/", {"outcome": "away"})
    assert Visit.objects.count() == 1  # fully vaccinated: not on the list
    other = born(city.districts[1].persons[0], age=70)
    assert grid.post(f"/vaccination/elderly/{other.pk}/visit/",
                     {"outcome": "away"}).status_code == 404


def test_the_api_coverage_elderly_and_visit(city: City, seeded: dict[str, Any]) -> None:
    api = login(Client(), "officer0")
    got = api.get("/api/v1/vaccination/coverage").json()
    elderly = next(b for b in got["unit"]["bands"] if b["band"] == "elderly")
    assert (elderly["residents"], elderly["vaccinated"], elderly["complete"]) == (3, 2, 1)
    listed = api.get("/api/v1/vaccination/elderly").json()
    assert [r["person_id"] for r in listed["rows"]] == [seeded["old"].pk, seeded["older"].pk]
    assert listed["rows"][0]["phone"] != seeded["old"].phone
    visit = api.post("/api/v1/vaccination/visits", {"person_id": seeded["older"].pk,
                                                    "outcome": "contraindicated"},
                     content_type="application/json")
    assert visit.status_code == 201
    other = login(Client(), "officer1")
    assert other.get(f"/api/v1/vaccination/coverage?unit={city.districts[0].unit.pk}"
                     ).status_code == 404
    assert other.get("/api/v1/vaccination/elderly").json()["rows"] == []


def test_the_csv_export(city: City, seeded: dict[str, Any]) -> None:
    answer = login(Client(), "officer0").get("/vaccination/elderly.csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [int(r["person_id"]) for r in rows] == [seeded["old"].pk, seeded["older"].pk]
    assert rows[0]["status"] == "partial" and rows[1]["status"] == "none"
    assert rows[0]["phone"] != seeded["old"].phone and rows[0]["age"] == "66"
    grid = login(Client(), "grid00").get("/vaccination/elderly.csv").content.decode("utf-8-sig")
    assert seeded["old"].phone in grid
    assert AuditLog.objects.filter(verb="pii.read",
                                   after__list="vaccination.elderly.csv").count() == 1


def test_a_commander_reads_the_list_but_records_no_visit(city: City,
                                                        seeded: dict[str, Any]) -> None:
    """Viewing coverage is not visiting: the door-to-door outcome needs vaccination.visit,
    which grid and street workers hold and the command centre does not."""
    from tests.vaccination.builders import actor

    actor("boss", unit=city.unit, roles=["commander"])
    boss = login(Client(), "boss")
    page = boss.get("/vaccination/elderly/")
    assert page.status_code == 200 and "visit-form" not in page.content.decode()
    old = seeded["old"]
    assert boss.post(f"/vaccination/elderly/{old.pk}/visit/",
                     {"outcome": "away"}).status_code == 403
    assert boss.post("/api/v1/vaccination/visits", {"person_id": old.pk, "outcome": "away"},
                     content_type="application/json").status_code == 403
    assert not Visit.objects.exists()
