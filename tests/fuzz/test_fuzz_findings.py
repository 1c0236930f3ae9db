"""The crashes the fuzzing found, one smallest file each, pinned ``xfail(strict=True)``:
each case asserts what should happen (a clear refusal naming line and field, nothing
written) and fails today with the exception named. When the importer is fixed the case
passes, strict xfail turns that into a failure, and the finding is removed here and in
``findings.py``. The two cases at the end show the same files are refused cleanly where
the importer already handles them (so the cases above are not testing a broken world)."""

from __future__ import annotations

import csv
import decimal
import io
from typing import Any

import pytest
from django.db import DataError, IntegrityError, connection

from fangkong.core.errors import DomainError
from tests.fuzz.hostile import workbook
from tests.fuzz.importers import BY_NAME
from tests.fuzz.test_fuzz_importers import table_counts
from tests.fuzz.world import World

pytestmark = pytest.mark.django_db
PG = connection.vendor == "postgresql"


def one_line(world: World, importer: str, column: str, value: str) -> bytes:
    """A file of one valid line of ``importer`` with ``column`` set to ``value``."""
    imp = BY_NAME[importer]
    header = list(imp.header) + ([column] if column not in imp.header else [])
    row = imp.row(world, 0) + [""] * (len(header) - len(imp.header))
    row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    return out.getvalue().encode()


def refused_cleanly(world: World, importer: str, data: bytes, column: str) -> None:
    """The property the finding breaks: a refusal naming line 2 and the column, and no
    table changed."""
    before = table_counts()
    with pytest.raises(DomainError) as refused:
        got = BY_NAME[importer].call(world, data, False)
        errors = BY_NAME[importer].errors_of(got)
        if errors:  # the registry answers with a report instead of raising
            raise DomainError("refused", field=errors[0][1])
    answer: Any = getattr(refused.value, "answer", None)
    if answer is not None:
        errors = answer["errors"] if isinstance(answer, dict) else answer.errors
        assert {(e["line"], e["field"]) for e in errors} == {(2, column)}
    assert table_counts() == before


def xfail(exc: type[BaseException] | tuple[type[BaseException], ...], reason: str) -> Any:
    return pytest.mark.xfail(strict=True, raises=exc, reason=reason)


CSV_READERS = [("pharmacy-sales", "drug_class"), ("fever-clinic", "name"),
               ("arrivals", "origin"), ("supplies-stock", "good"),
               ("coldchain-batches", "product"), ("coldchain-movements", "client_key"),
               ("vaccination-doses", "site")]


@pytest.mark.parametrize(("importer", "column"), CSV_READERS)
@xfail(csv.Error, "core/csvfile.py read_csv_rows lets csv.Error (field larger than field "
       "limit, 131072) escape: a 500 instead of a refusal of the file")
def test_a_cell_over_the_csv_field_limit(world: World, importer: str, column: str) -> None:
    refused_cleanly(world, importer, one_line(world, importer, column, "y" * 140_000), column)


@pytest.mark.parametrize(("importer", "column"), CSV_READERS)
@xfail(csv.Error, "core/csvfile.py read_csv_rows reads the text through io.StringIO without "
       "newline='': lines ending in a bare CR raise csv.Error (new-line character seen in "
       "unquoted field)")
def test_lines_ending_in_a_bare_cr(world: World, importer: str, column: str) -> None:
    data = one_line(world, importer, column, "x").replace(b"\r\n", b"\r")
    before = table_counts()
    got = BY_NAME[importer].outcome(world, data, False)
    assert got.errors or got.accepted
    if not got.accepted:
        assert table_counts() == before


@pytest.mark.parametrize("importer", ["coldchain-batches", "coldchain-movements"])
@xfail(TypeError, "coldchain/intake.py _import passes only the cells a row has: a short "
       "row calls do_record_batch/do_record_movement without arguments (TypeError)")
def test_a_short_row(world: World, importer: str) -> None:
    imp = BY_NAME[importer]
    data = (",".join(imp.header) + "\n" + ",".join(imp.row(world, 0)[:2]) + "\n").encode()
    before = table_counts()
    with pytest.raises(DomainError):
        imp.call(world, data, False)
    assert table_counts() == before


DATETIMES = [("pharmacy-sales", "bought_at"), ("fever-clinic", "visited_at"),
             ("arrivals", "arrived_at"), ("coldchain-batches", "arrived_at"),
             ("coldchain-movements", "moved_at")]


@pytest.mark.parametrize("value", ["2022-02-30T10:00:00+08:00", "2022-05-10T25:00:00+08:00",
                                   "2022-05-10T10:00:00+99:00"])
@pytest.mark.parametrize(("importer", "column"), DATETIMES)
@xfail(ValueError, "django parse_datetime raises ValueError for a well-formed impossible "
       "time; the importers' _moment/moment only handle a None answer")
def test_an_impossible_time(world: World, importer: str, column: str, value: str) -> None:
    refused_cleanly(world, importer, one_line(world, importer, column, value), column)


@pytest.mark.parametrize(("importer", "column"), [("vaccination-doses", "given_on"),
                                                  ("coldchain-batches", "disinfected_on")])
@xfail(ValueError, "django parse_date raises ValueError for 2022-02-30 (vaccination/doses.py "
       "_day, coldchain/intake.py check_batch)")
def test_an_impossible_date(world: World, importer: str, column: str) -> None:
    refused_cleanly(world, importer, one_line(world, importer, column, "2022-02-30"), column)


@pytest.mark.parametrize(("importer", "column"), [("fever-clinic", "temperature"),
                                                  ("supplies-stock", "stock"),
                                                  ("supplies-stock", "price")])
@xfail(decimal.InvalidOperation, "Decimal('nan') parses, then comparing it raises "
       "InvalidOperation (warning/clinic.py _temperature, supplies/reports.py _checked)")
def test_nan_as_a_number(world: World, importer: str, column: str) -> None:
    refused_cleanly(world, importer, one_line(world, importer, column, "nan"), column)


@pytest.mark.parametrize(("column", "value"), [("lat", "nan"), ("floors", "9" * 20)])
@xfail((OverflowError, IntegrityError, DataError, pytest.fail.Exception),
       "registry/io_specs.py number() accepts 'nan' and a 20-digit integer: SQLite answers "
       "IntegrityError (NOT NULL) and OverflowError, PostgreSQL stores the NaN and answers "
       "DataError for the integer; do_import, its API and page let the errors escape")
def test_registry_numbers_out_of_range(world: World, column: str, value: str) -> None:
    refused_cleanly(world, "registry-buildings",
                    one_line(world, "registry-buildings", column, value), column)


def zip_of_text() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@xfail(KeyError, "openpyxl raises KeyError for a zip that is not a workbook; registry's "
       "page catches only ValueError, csv.Error and BadZipFile")
def test_a_zip_that_is_not_a_workbook(world: World) -> None:
    refused_cleanly(world, "registry-persons-xlsx", zip_of_text(), "file")


@xfail(AssertionError, "registry/io.py: a workbook's blank header cell is reported as "
       "'line 1, : unknown column', naming no column")
def test_a_blank_header_cell_is_named(world: World) -> None:
    imp = BY_NAME["registry-persons-xlsx"]
    report = imp.call(world, workbook([[*imp.header, None, "x"], imp.row(world, 0)]), False)
    assert report.errors and all(e.column for e in report.errors)


@pytest.mark.parametrize(("importer", "blank"), [("registry-buildings", ""),
                                                 ("registry-persons", "id_number")])
@xfail(AssertionError, "the registry import has no key for a building or a person without "
       "an ID number: sending the same clean file twice stores its rows twice")
def test_registry_resend_stores_nothing_new(world: World, importer: str, blank: str) -> None:
    data = one_line(world, importer, blank, "") if blank else one_line(
        world, importer, "name", "1号楼")
    first = BY_NAME[importer].call(world, data, False)
    assert first.ok and first.imported == 1
    before = table_counts()
    BY_NAME[importer].call(world, data, False)
    assert {k: v for k, v in table_counts().items() if k != "core.auditlog"} == \
        {k: v for k, v in before.items() if k != "core.auditlog"}


@pytest.mark.skipif(not PG, reason="SQLite stores NUL characters")
@pytest.mark.parametrize(("importer", "column"), [
    ("fever-clinic", "client_key"), ("arrivals", "origin"), ("supplies-stock", "client_key"),
    ("coldchain-batches", "product"), ("coldchain-movements", "client_key"),
    ("vaccination-doses", "site"), ("registry-persons", "name"),
    ("lab-results", "tube_code")])
@xfail((ValueError, DataError), "PostgreSQL refuses NUL in text; the importers pass a NUL "
       "cell through to the database instead of refusing the line")
def test_a_nul_character_on_postgresql(world: World, importer: str, column: str) -> None:
    refused_cleanly(world, importer, one_line(world, importer, column, "a\x00b"), column)


@pytest.mark.parametrize(("importer", "column", "value"), [
    ("lab-results", "tested_at", "2022-02-30T10:00:00+08:00"),
    ("supplies-stock", "day", "2022-02-30"),
    ("registry-persons", "birth_date", "2022-02-30"),
])
def test_where_the_importer_handles_it(world: World, importer: str, column: str,
                                       value: str) -> None:
    """Controls: the same impossible dates, refused cleanly by the importers that check."""
    refused_cleanly(world, importer, one_line(world, importer, column, value), column)
