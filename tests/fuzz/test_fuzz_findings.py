"""The crashes the fuzzing found, one smallest file each: each case asserts what should
happen (a clear refusal naming line and field, nothing written). All 13 findings are
fixed; their cases are regression tests now. The cases at the end show the same files
refused cleanly where the importer always handled them (so the cases above are not
testing a broken world)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from fangkong.core.errors import DomainError
from tests.fuzz.hostile import workbook
from tests.fuzz.importers import BY_NAME
from tests.fuzz.test_fuzz_importers import LOGS, table_counts
from tests.fuzz.world import World

pytestmark = pytest.mark.django_db


def one_line(world: World, importer: str, column: str, value: str) -> bytes:
    """A file of one valid line of ``importer`` with ``column`` set to ``value``."""
    imp = BY_NAME[importer]
    header = list(imp.header) + ([column] if column not in imp.header else [])
    row = imp.row(world, 0) + [""] * (len(header) - len(imp.header))
    row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    return out.getvalue().encode()


def refused_cleanly(world: World, importer: str, data: bytes, column: str, *,
                    line: int = 2) -> None:
    """The property the finding broke: a refusal naming ``line`` and ``column``, and no
    table changed. A whole-file refusal names them in its field and message; the registry
    refuses with a report instead of raising."""
    before = table_counts()
    imp = BY_NAME[importer]
    if importer.startswith("registry"):
        report = imp.call(world, data, False)
        assert report.imported == 0
        assert set(imp.errors_of(report)) == {(line, column)}, report.errors
    else:
        with pytest.raises(DomainError) as refused:
            imp.call(world, data, False)
        answer: Any = getattr(refused.value, "answer", None)
        if answer is not None:
            errors = answer["errors"] if isinstance(answer, dict) else answer.errors
            assert {(e["line"], e["field"]) for e in errors} == {(line, column)}
        else:
            assert refused.value.field == column
            assert line == 0 or f"line {line}" in refused.value.message, refused.value.message
    assert table_counts() == before


CSV_READERS = [("pharmacy-sales", "drug_class"), ("fever-clinic", "name"),
               ("arrivals", "origin"), ("supplies-stock", "good"),
               ("coldchain-batches", "product"), ("coldchain-movements", "client_key"),
               ("vaccination-doses", "site")]
REGISTRY_CSV = [("registry-persons", "name"), ("registry-buildings", "address")]


@pytest.mark.parametrize(("importer", "column"), CSV_READERS + REGISTRY_CSV)
def test_a_cell_over_the_csv_field_limit(world: World, importer: str, column: str) -> None:
    """Finding csv-field-limit: csv.Error escaped core/csvfile.py (a 500). The csv module's
    bound is kept, and the file is refused naming the line."""
    refused_cleanly(world, importer, one_line(world, importer, column, "y" * 140_000), "file")


@pytest.mark.parametrize("importer", [i for i, _c in CSV_READERS + REGISTRY_CSV])
def test_lines_ending_in_a_bare_cr(world: World, importer: str) -> None:
    """Finding csv-bare-cr: Excel for Mac's line ends raised csv.Error; now read as lines."""
    first = BY_NAME[importer].header[0]
    clean = one_line(world, importer, first, BY_NAME[importer].row(world, 0)[0])
    data = clean.replace(b"\r\n", b"\r")
    assert b"\n" not in data
    before = table_counts()
    got = BY_NAME[importer].outcome(world, data, False)
    stored = table_counts()
    assert got.accepted and not got.errors, got
    assert stored != before
    BY_NAME[importer].outcome(world, clean, False)  # the same line with CRLF: nothing new
    assert {k: v for k, v in table_counts().items() if k not in LOGS} == \
        {k: v for k, v in stored.items() if k not in LOGS}


@pytest.mark.parametrize("importer", ["coldchain-batches", "coldchain-movements"])
def test_a_short_row(world: World, importer: str) -> None:
    """Finding coldchain-short-row: a row with fewer cells than the header called
    do_record_* without the missing arguments (TypeError); now they are empty cells."""
    imp = BY_NAME[importer]
    data = (",".join(imp.header) + "\n" + ",".join(imp.row(world, 0)[:2]) + "\n").encode()
    before = table_counts()
    with pytest.raises(DomainError) as refused:
        imp.call(world, data, False)
    answer: Any = getattr(refused.value, "answer", None)
    assert [e["line"] for e in answer.errors] == [2]
    assert answer.errors[0]["field"] in imp.header[2:]
    assert table_counts() == before


DATETIMES = [("pharmacy-sales", "bought_at"), ("fever-clinic", "visited_at"),
             ("arrivals", "arrived_at"), ("coldchain-batches", "arrived_at"),
             ("coldchain-movements", "moved_at")]


@pytest.mark.parametrize("value", ["2022-02-30T10:00:00+08:00", "2022-05-10T25:00:00+08:00",
                                   "2022-05-10T10:00:00+99:00", "0001-01-01T00:00:00+08:00"])
@pytest.mark.parametrize(("importer", "column"), DATETIMES)
def test_an_impossible_time(world: World, importer: str, column: str, value: str) -> None:
    """Finding impossible-datetime: parse_datetime raises ValueError for a well-formed
    impossible time; core/cells.py moment names the field."""
    refused_cleanly(world, importer, one_line(world, importer, column, value), column)


@pytest.mark.parametrize(("importer", "column"), [("vaccination-doses", "given_on"),
                                                  ("coldchain-batches", "disinfected_on")])
def test_an_impossible_date(world: World, importer: str, column: str) -> None:
    """Finding impossible-date: parse_date raised ValueError for 2022-02-30."""
    refused_cleanly(world, importer, one_line(world, importer, column, "2022-02-30"), column)


@pytest.mark.parametrize("value", ["nan", "-NaN", "sNaN", "inf", "-Infinity", "1e309"])
@pytest.mark.parametrize(("importer", "column"), [("fever-clinic", "temperature"),
                                                  ("supplies-stock", "stock"),
                                                  ("supplies-stock", "price")])
def test_not_a_finite_number(world: World, importer: str, column: str, value: str) -> None:
    """Finding decimal-nan: Decimal('nan') parsed, then a comparison raised
    InvalidOperation."""
    refused_cleanly(world, importer, one_line(world, importer, column, value), column)


@pytest.mark.parametrize(("column", "value"), [
    ("lat", "nan"), ("lon", "inf"), ("lat", "91"), ("floors", "9" * 20), ("floors", "0")])
def test_registry_numbers_out_of_range(world: World, column: str, value: str) -> None:
    """Finding registry-out-of-range: 'nan' reached a NOT NULL column (SQLite) or was
    stored (PostgreSQL), 20 digits overflowed the integer column."""
    refused_cleanly(world, "registry-buildings",
                    one_line(world, "registry-buildings", column, value), column)


def zip_of_text() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize("data", [zip_of_text(), b"PK\x03\x04junk", b"name,sex\n"],
                         ids=["zip-of-text", "broken-zip", "csv-text"])
def test_a_file_that_is_not_a_workbook(world: World, data: bytes) -> None:
    """Finding xlsx-not-a-workbook: openpyxl raised KeyError for a zip of something else."""
    refused_cleanly(world, "registry-persons-xlsx", data, "file", line=0)


def test_a_blank_header_cell_is_named(world: World) -> None:
    """Finding xlsx-blank-header: a blank header cell was reported as "line 1, : unknown
    column". Now a blank header cell over data names its column; over nothing (Excel's
    used range) it is no error."""
    imp = BY_NAME["registry-persons-xlsx"]
    rows = [[*imp.header, None, "x", None], [*imp.row(world, 0), None, None, "note"]]
    report = imp.call(world, workbook(rows), False)
    assert {(e.line, e.column) for e in report.errors} == {(1, "x"), (1, "column 11")}
    tidy = imp.call(world, workbook([[*imp.header, None], imp.row(world, 0)]), False)
    assert tidy.ok and tidy.imported == 1


@pytest.mark.parametrize(("importer", "blank"), [("registry-buildings", ""),
                                                 ("registry-persons", "id_number")])
def test_registry_resend_stores_nothing_new(world: World, importer: str, blank: str) -> None:
    """Finding registry-resend: a building, or a person without an ID number, had no key,
    and a file sent twice was stored twice. Now the second is refused, "already exists"."""
    data = one_line(world, importer, blank, "") if blank else one_line(
        world, importer, "name", "1号楼")
    first = BY_NAME[importer].call(world, data, False)
    assert first.ok and first.imported == 1
    before = table_counts()
    again = BY_NAME[importer].call(world, data, False)
    assert [(e.line, e.column) for e in again.errors] == [(2, "name")]
    assert table_counts() == before


NUL_CASES = [("pharmacy-sales", "id_number"), ("fever-clinic", "client_key"),
             ("arrivals", "origin"), ("supplies-stock", "client_key"),
             ("coldchain-batches", "product"), ("coldchain-movements", "client_key"),
             ("vaccination-doses", "site"), ("registry-persons", "name"),
             ("registry-buildings", "address"), ("lab-results", "tube_code")]


@pytest.mark.parametrize(("importer", "column"), NUL_CASES)
def test_a_nul_character_is_refused(world: World, importer: str, column: str) -> None:
    """Finding nul-on-postgresql: PostgreSQL refuses NUL in text (psycopg raises before the
    query), SQLite stored it. Both now refuse the file naming the line and column."""
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
