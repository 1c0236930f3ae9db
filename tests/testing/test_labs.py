"""The labs register: rules, scoping (a second district's officer sees and edits none of the
first's labs), rights, audit, the page and the API."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, AuditLog
from fangkong.testing.labs import do_edit_lab, do_register_lab
from fangkong.testing.models import Lab
from tests.testing.builders import Round

API = "/api/v1/screening/labs"


def _actor(rnd: Round, name: str) -> Actor:
    return actor_for(rnd.users[name])


def _register(rnd: Round, who: str = "organiser1", **change: object) -> Lab:
    d1 = rnd.city.districts[0]
    fields = {"code": "LABX", "name": "新区实验室", "tubes_per_hour": 300,
              "unit_id": d1.unit.pk} | change
    return do_register_lab(actor=_actor(rnd, who), **fields)  # type: ignore[arg-type]


def test_register_places_the_lab_and_audits(rnd: Round) -> None:
    street = AdminUnit.objects.get(pk=rnd.city.districts[0].grids[0].street_id)
    lab = _register(rnd, unit_id=street.pk)
    assert (lab.district_id, lab.street_id, lab.grid_id) == (street.district_id, street.pk, None)
    row = AuditLog.objects.get(verb="screening.lab.register")
    assert row.target_id == str(lab.pk) and row.district_id == lab.district_id
    edited = do_edit_lab(actor=_actor(rnd, "organiser1"), lab_id=lab.pk, tubes_per_hour=450)
    assert edited.tubes_per_hour == 450 and edited.name == "新区实验室"
    audit = AuditLog.objects.get(verb="screening.lab.edit")
    assert audit.before["tubes_per_hour"] == 300 and audit.after["tubes_per_hour"] == 450


@pytest.mark.parametrize(("change", "field"), [
    ({"code": "bad code!"}, "code"), ({"code": "LAB1"}, "code"),  # LAB1 exists
    ({"name": "  "}, "name"), ({"tubes_per_hour": 0}, "tubes_per_hour"),
    ({"tubes_per_hour": 100_001}, "tubes_per_hour")])
def test_register_refusals(rnd: Round, change: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as err:
        _register(rnd, **change)
    assert err.value.field == field
    assert not Lab.objects.filter(code="LABX").exists()


def test_place_must_be_a_district_or_below_in_scope(rnd: Round) -> None:
    with pytest.raises(DomainError) as err:  # the other district
        _register(rnd, unit_id=rnd.city.districts[1].unit.pk)
    assert err.value.field == "unit_id"
    with pytest.raises(DomainError):  # the city itself, even for the city administrator
        _register(rnd, who="admin", unit_id=rnd.city.unit.pk)
    with pytest.raises(PermissionDenied):  # a grid worker may view, not manage
        _register(rnd, who="grid1")


def test_other_district_cannot_edit(rnd: Round) -> None:
    lab = _register(rnd)
    with pytest.raises(NotFound):
        do_edit_lab(actor=_actor(rnd, "organiser2"), lab_id=lab.pk, tubes_per_hour=1)
    with pytest.raises(DomainError) as err:
        do_edit_lab(actor=_actor(rnd, "organiser1"), lab_id=lab.pk,
                    unit_id=rnd.city.districts[1].unit.pk)
    assert err.value.field == "unit_id"
    assert Lab.objects.get(pk=lab.pk).district_id == rnd.city.districts[0].unit.pk


def _client(rnd: Round, name: str) -> Client:
    client = Client()
    client.force_login(rnd.users[name])
    return client


def test_page_lists_labs_in_scope_and_adds(rnd: Round) -> None:
    own = _client(rnd, "organiser1")
    page = own.get("/screening/labs/")
    assert page.status_code == 200
    assert b"LAB1" in page.content and b"LAB2" not in page.content
    assert b'id="lab-form"' in page.content
    d1 = rnd.city.districts[0].unit
    got = own.post("/screening/labs/add/", {"code": "LAB9", "name": "第九实验室",
                                            "tubes_per_hour": "120", "unit_id": str(d1.pk)})
    assert got.status_code == 302 and Lab.objects.get(code="LAB9").district_id == d1.pk
    bad = own.post("/screening/labs/add/", {"code": "LAB9", "name": "x",
                                            "tubes_per_hour": "1", "unit_id": str(d1.pk)})
    assert bad.status_code == 422
    lab1 = Lab.objects.get(code="LAB1")
    assert own.post(f"/screening/labs/{lab1.pk}/edit/",
                    {"tubes_per_hour": "800"}).status_code == 302
    assert Lab.objects.get(pk=lab1.pk).tubes_per_hour == 800
    other = _client(rnd, "organiser2")
    assert b"LAB9" not in other.get("/screening/labs/").content
    assert other.post(f"/screening/labs/{lab1.pk}/edit/",
                      {"tubes_per_hour": "1"}).status_code == 404
    assert Lab.objects.get(pk=lab1.pk).tubes_per_hour == 800


def test_page_rights(rnd: Round) -> None:
    grid = _client(rnd, "grid1")  # SCREENING_VIEW only: the list without the form
    page = grid.get("/screening/labs/")
    assert page.status_code == 200 and b'id="lab-form"' not in page.content
    assert grid.post("/screening/labs/add/", {"code": "Z"}).status_code == 403
    assert _client(rnd, "sampler1").get("/screening/labs/").status_code == 403
    assert Client().get("/screening/labs/").status_code == 302


def test_api(rnd: Round) -> None:
    own, other = _client(rnd, "organiser1"), _client(rnd, "organiser2")
    body = {"code": "LABA", "name": "API实验室", "tubes_per_hour": 90,
            "unit_id": rnd.city.districts[0].unit.pk}
    made = own.post(API, json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["district_id"] == body["unit_id"]
    again = own.post(API, json.dumps(body), content_type="application/json")
    assert again.status_code == 422
    assert {r["code"] for r in own.get(API).json()} == {"LAB1", "LABA"}
    assert {r["code"] for r in other.get(API).json()} == {"LAB2"}
    url = f"{API}/{made.json()['id']}"
    assert other.patch(url, json.dumps({"tubes_per_hour": 5}),
                       content_type="application/json").status_code == 404
    changed = own.patch(url, json.dumps({"tubes_per_hour": 5}), content_type="application/json")
    assert changed.status_code == 200 and changed.json()["tubes_per_hour"] == 5
    grid = _client(rnd, "grid1")
    assert grid.post(API, json.dumps(body), content_type="application/json").status_code == 403
    assert _client(rnd, "lab1").get(API).status_code == 403
