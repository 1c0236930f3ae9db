"""Export (streamed CSV or XLSX, masked unless PII_VIEW) and import (bad rows by line)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from fangkong.core.models import AuditLog
from fangkong.core.privacy import mask_phone
from fangkong.registry.models import Person
from tests.factories import City, id_number, make_user

pytestmark = pytest.mark.django_db


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _csv(response: Any) -> str:
    return _body(response).decode("utf-8-sig")


def test_export_form(officer1: Client, city: City) -> None:
    page = officer1.get("/registry/export").content.decode()
    assert 'name="kind"' in page and f'value="{city.districts[0].unit.pk}"' in page


def test_export_csv_masked_and_audited(officer1: Client, city: City) -> None:
    unit = city.districts[0].unit
    response = officer1.get("/registry/export", {"unit": str(unit.pk), "kind": "persons"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = _csv(response)
    person = city.districts[0].persons[0]
    assert text.splitlines()[0].startswith("id,name,id_number,phone")
    assert mask_phone(person.phone) in text and person.phone not in text
    assert len(text.strip().splitlines()) == 1 + len(city.districts[0].persons)
    row = AuditLog.objects.get(verb="registry.export.persons")
    assert row.after == {"unit": city.districts[0].unit.code, "pii_in_full": False}


def test_export_of_a_grid_only(officer1: Client, city: City) -> None:
    grid = city.districts[0].grids[0]
    text = _csv(officer1.get("/registry/export", {"unit": str(grid.pk), "kind": "buildings"}))
    assert city.districts[0].buildings[0].name in text
    assert city.districts[0].buildings[1].name not in text


def test_export_xlsx(officer1: Client, city: City) -> None:
    response = officer1.get("/registry/export", {"kind": "venues", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(_body(response)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "venue_code", "type")
    assert len(rows) == 1 + len(city.districts[0].venues)


def test_export_needs_right(grid_worker: Client) -> None:
    assert grid_worker.get("/registry/export", {"kind": "persons"}).status_code == 403


def test_export_with_pii_right_is_full(city: City, client: Client) -> None:
    user = make_user("boss", unit=city.unit, roles=["city_admin"])
    client.force_login(user)
    text = _csv(client.get("/registry/export", {"kind": "persons"}))
    assert city.districts[1].persons[0].phone in text


def _upload(rows: list[str], name: str = "people.csv") -> SimpleUploadedFile:
    header = "name,id_number,phone,sex,birth_date,address,household_id,grid_code"
    return SimpleUploadedFile(name, "\n".join([header, *rows]).encode())


def test_import_reports_bad_rows_and_imports_nothing(officer1: Client, city: City) -> None:
    code = city.districts[0].grids[0].code
    good = f"新人甲,{id_number(901)},13800009001,F,1990-01-01,幸福路,,{code}"
    bad_phone = f"新人乙,,12345,M,1990-01-01,幸福路,,{code}"
    foreign = f"新人丙,,,M,,,,{city.districts[1].grids[0].code}"
    response = officer1.post("/registry/import", {
        "kind": "persons", "file": _upload([good, bad_phone, foreign])})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num">3</td>' in page and '<td class="num">4</td>' in page
    assert "phone" in page and "grid_code" in page
    assert not Person.objects.filter(name__startswith="新人").exists()


def test_import_valid_rows_anyway(officer1: Client, city: City) -> None:
    code = city.districts[0].grids[0].code
    good = f"新人甲,{id_number(901)},13800009001,F,1990-01-01,幸福路,,{code}"
    bad = f"新人乙,,12345,M,1990-01-01,幸福路,,{code}"
    officer1.post("/registry/import", {"kind": "persons", "file": _upload([good, bad]),
                                       "partial": "on"})
    assert list(Person.objects.filter(name__startswith="新人").values_list("name", flat=True)) \
        == ["新人甲"]


def test_import_clean_file(officer1: Client, city: City) -> None:
    code = city.districts[0].grids[0].code
    rows = [f"新人{n},,1380000900{n},F,,,,{code}" for n in range(3)]
    officer1.post("/registry/import", {"kind": "persons", "file": _upload(rows)})
    assert Person.objects.filter(name__startswith="新人").count() == 3


def test_import_rejects_unknown_file_type(officer1: Client) -> None:
    page = officer1.post("/registry/import", {
        "kind": "persons", "file": SimpleUploadedFile("x.pdf", b"%PDF")},
        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "must end in .csv or .xlsx" in page


def test_import_broken_xlsx(officer1: Client) -> None:
    page = officer1.post("/registry/import", {
        "kind": "persons", "file": SimpleUploadedFile("x.xlsx", b"not a zip")},
        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "could not be read" in page


def test_import_needs_right(grid_worker: Client) -> None:
    assert grid_worker.get("/registry/import").status_code == 403
