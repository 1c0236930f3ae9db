"""Import validates every row and writes all or nothing (unless partial); export masks."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from fangkong.core.errors import PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.io import do_import, export_rows, read_rows, write_csv, write_xlsx
from fangkong.registry.models import Person
from tests.factories import City, id_number, make_user, small_city

pytestmark = pytest.mark.django_db
HEADER = "name,id_number,phone,sex,birth_date,grid_code,occupation,over80_alone\n"


@pytest.fixture
def city() -> City:
    return small_city()


def _officer(city: City, district: int = 0, roles: tuple[str, ...] = ("district_officer",)):  # type: ignore[no-untyped-def]
    unit = city.districts[district].unit
    return actor_for(make_user(f"o{district}{roles[0]}", unit=unit, roles=list(roles)))


def _csv(city: City, *rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_clean_file_imports_every_row_with_audit(city: City) -> None:
    grid = city.districts[0].grids[0].code
    data = _csv(city, f"赵一,{id_number(901)},13800009901,M,1990-01-02,{grid},worker,0",
                f"赵二,,,F,,{grid},,是")
    report = do_import(actor=_officer(city), kind="persons", name="p.csv", data=data,
                       partial=False)
    assert report.ok and report.imported == 2
    two = Person.objects.get(name="赵二")
    assert two.over80_alone and two.occupation == "other" and two.id_number is None
    assert two.district_id == city.districts[0].unit.pk and two.grid_id is not None
    assert AuditLog.objects.filter(verb="registry.import.persons").count() == 1


def test_bad_rows_reported_by_line_and_nothing_written(city: City) -> None:
    grid = city.districts[0].grids[0].code
    foreign_grid = city.districts[1].grids[0].code
    data = _csv(city, f"好人,,,M,,{grid},,0",
                f"坏号,610102199001010011,,M,,{grid},,0",
                f"坏电话,,123,M,,{grid},,0",
                f"外区,,,M,,{foreign_grid},,0",
                f",,,X,1990-13-01,{grid},,maybe")
    before = Person.objects.count()
    report = do_import(actor=_officer(city), kind="persons", name="p.csv", data=data,
                       partial=False)
    assert Person.objects.count() == before and report.imported == 0
    by_line = {(e.line, e.column) for e in report.errors}
    assert (3, "id_number") in by_line and (4, "phone") in by_line
    assert (5, "grid_code") in by_line
    assert {(6, "name"), (6, "sex"), (6, "birth_date"), (6, "over80_alone")} <= by_line


def test_partial_import_writes_only_good_rows(city: City) -> None:
    grid = city.districts[0].grids[0].code
    data = _csv(city, f"好人,,,M,,{grid},,0", f"坏人,,,Q,,{grid},,0")
    report = do_import(actor=_officer(city), kind="persons", name="p.csv", data=data,
                       partial=True)
    assert report.imported == 1 and len(report.errors) == 1
    assert Person.objects.filter(name="好人").exists()
    assert not Person.objects.filter(name="坏人").exists()


def test_duplicate_id_number_in_file_or_database_rejected(city: City) -> None:
    grid = city.districts[0].grids[0].code
    existing = city.districts[0].persons[0].id_number
    new = id_number(555)
    data = _csv(city, f"甲,{existing},,M,,{grid},,0", f"乙,{new},,M,,{grid},,0",
                f"丙,{new},,M,,{grid},,0")
    report = do_import(actor=_officer(city), kind="persons", name="p.csv", data=data,
                       partial=False)
    assert {(e.line, e.column) for e in report.errors} == {(2, "id_number"), (4, "id_number")}


def test_empty_file_and_missing_right(city: City) -> None:
    officer = _officer(city)
    with translation.override("en"):
        report = do_import(actor=officer, kind="persons", name="p.csv",
                           data=HEADER.encode(), partial=True)
    assert report.imported == 0 and "no data rows" in str(report.errors[0])
    with translation.override("zh-hans"):
        report = do_import(actor=officer, kind="persons", name="p.csv",
                           data=HEADER.encode(), partial=True)
    assert "没有数据行" in str(report.errors[0])
    viewer = _officer(city, roles=("viewer",))
    with pytest.raises(PermissionDenied):
        do_import(actor=viewer, kind="persons", name="p.csv", data=HEADER.encode(),
                  partial=True)


def test_xlsx_import_reads_lines_like_a_spreadsheet(city: City) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "sex", "grid_code"])
    sheet.append(["表格人", "F", city.districts[0].grids[1].code])
    sheet.append(["坏", "?", city.districts[0].grids[1].code])
    buffer = io.BytesIO()
    book.save(buffer)
    report = do_import(actor=_officer(city), kind="persons", name="p.xlsx",
                       data=buffer.getvalue(), partial=True)
    assert report.imported == 1 and report.errors[0].line == 3


def test_export_masks_without_pii_right_and_stays_in_scope(city: City) -> None:
    officer2 = _officer(city, district=1)
    rows = list(export_rows(actor=officer2, kind="persons", unit=officer2.unit))
    header, body = rows[0], rows[1:]
    names = {r[header.index("name")] for r in body}
    assert names == {p.name for p in city.districts[1].persons}
    assert all("*" in r[header.index("id_number")] for r in body)
    admin = actor_for(make_user("adm", unit=city.unit, roles=["city_admin"]))
    full = list(export_rows(actor=admin, kind="persons", unit=city.unit))
    assert len(full) - 1 == Person.objects.count()
    assert not any("*" in r[full[0].index("phone")] for r in full[1:])


def test_export_round_trips_through_csv_and_xlsx(city: City, tmp_path) -> None:  # type: ignore[no-untyped-def]
    admin = actor_for(make_user("adm", unit=city.unit, roles=["city_admin"]))
    out = io.StringIO()
    n = write_csv(export_rows(actor=admin, kind="venues", unit=city.unit), out)
    assert n == 4
    write_xlsx(export_rows(actor=admin, kind="venues", unit=city.unit), tmp_path / "v.xlsx")
    rows = list(read_rows(name="v.xlsx", data=(tmp_path / "v.xlsx").read_bytes()))
    assert [line for line, _ in rows] == [2, 3, 4, 5]
    assert rows[0][1]["venue_code"] == city.districts[0].venues[0].venue_code


def test_every_export_is_audited_with_whether_numbers_were_full(city: City) -> None:
    officer = _officer(city)
    list(export_rows(actor=officer, kind="persons", unit=officer.unit))
    admin = actor_for(make_user("adm", unit=city.unit, roles=["city_admin"]))
    export_rows(actor=admin, kind="venues", unit=city.unit)  # audited even if never read
    rows = list(AuditLog.objects.filter(verb__startswith="registry.export").order_by("pk"))
    assert [(r.verb, r.after["pii_in_full"]) for r in rows] == [
        ("registry.export.persons", False), ("registry.export.venues", True)]
    assert rows[0].district_id == city.districts[0].unit.pk


def test_misspelt_column_is_reported_on_the_header_line(city: City) -> None:
    grid = city.districts[0].grids[0].code
    data = f"name,sex,grid_code,phnoe\n甲,M,{grid},13800001111\n".encode()
    with translation.override("en"):
        report = do_import(actor=_officer(city), kind="persons", name="p.csv", data=data,
                           partial=False)
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (1, "phnoe", "unknown column")]
    assert report.imported == 0
