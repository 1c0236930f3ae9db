"""The shared readers of uploads: cells that Django or Decimal parse into an exception or a
NaN, and CSV files that the csv module cannot read, are refused naming field and line."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation

from fangkong.core import cells
from fangkong.core.csvfile import CELL_MAX, FileRefused, read_csv_rows, read_records
from fangkong.core.errors import DomainError


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("text", ["2022-02-30T10:00:00+08:00", "2022-05-10T25:00:00",
                                  "2022-05-10T10:00:00+99:00", "0001-01-01T00:00:00+08:00",
                                  "9999-12-31T23:59:59-08:00", "yesterday", ""])
def test_an_impossible_time_names_the_field(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        cells.moment(text, field="moved_at")
    assert refused.value.field == "moved_at"
    assert refused.value.message == "moved_at is not a date and time"


def test_a_time_without_offset_is_the_citys_and_the_future_is_refused() -> None:
    when = cells.moment(" 2022-05-10T10:00:00 ", field="at")
    assert timezone.is_aware(when) and when.utcoffset() == dt.timedelta(hours=8)
    late = (timezone.now() + dt.timedelta(minutes=6)).isoformat()
    with pytest.raises(DomainError, match="at is in the future"):
        cells.past_moment(late, field="at")
    soon = (timezone.now() + dt.timedelta(minutes=4)).isoformat()
    assert cells.past_moment(soon, field="at") > timezone.now()


@pytest.mark.parametrize(("text", "expected"), [
    ("2022-02-28", dt.date(2022, 2, 28)), ("2022-02-30", None), ("2022-13-01", None),
    ("0000-00-00", None), ("0001-01-01", None), ("soon", None)])
def test_a_day(text: str, expected: dt.date | None) -> None:
    assert cells.day(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("37.45", decimal.Decimal("37.4")), ("-0", decimal.Decimal("0.0")), ("nan", None),
    ("-NaN", None), ("sNaN", None), ("inf", None), ("-Infinity", None), ("1e309", None),
    ("9" * 30, None), ("abc", None), ("", None)])
def test_a_finite_decimal(text: str, expected: decimal.Decimal | None) -> None:
    assert cells.finite_decimal(text, places="0.1") == expected


def test_any_line_end_reads_the_same() -> None:
    lf = read_csv_rows(b"a,b\n1,2\n3,4\n", columns=["a"], max_rows=5)
    assert read_csv_rows(b"a,b\r1,2\r3,4\r", columns=["a"], max_rows=5) == lf
    assert read_csv_rows(b"\xef\xbb\xbfA ,b\r\n1,2\r\n\r\n3,4", columns=["a"], max_rows=5) == lf
    assert lf == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_short_lines_have_empty_cells_and_long_ones_lose_the_rest() -> None:
    rows = read_csv_rows(b"a,b,c\n1\n1,2,3,4\n", columns=["a"], max_rows=5)
    assert rows == [{"a": "1", "b": "", "c": ""}, {"a": "1", "b": "2", "c": "3"}]


def test_a_cell_over_the_bound_is_refused_naming_the_line() -> None:
    data = b"a,b\n1,2\n3," + b"x" * (CELL_MAX + 1) + b"\n"
    with pytest.raises(FileRefused) as refused:
        read_records(data)
    assert (refused.value.line, refused.value.field) == (3, "file")
    assert refused.value.message == f"line 3: a cell is longer than {CELL_MAX} characters"
    assert read_records(b"a\n" + b"x" * CELL_MAX + b"\n")[1] == ["x" * CELL_MAX]


def test_a_nul_is_refused_naming_line_and_column() -> None:
    with pytest.raises(FileRefused) as refused:
        read_csv_rows(b"name,Site\nx,y\nz,a\x00b\n", columns=["name"], max_rows=5)
    assert (refused.value.line, refused.value.field) == (3, "site")
    assert refused.value.message.startswith("line 3, site: a NUL character")
    utf16 = "name\nx\n".encode("utf-16-le")  # no BOM: valid UTF-8, a NUL after each letter
    with pytest.raises(FileRefused, match="line 1, column 1: a NUL"):
        read_records(utf16)


@pytest.mark.parametrize(("data", "message"), [
    ("名字\n".encode("gbk"), "not a UTF-8 CSV file"),
    (b"a,b\n1,2\n", "the header lacks name"),
    (b"name\n1\n2\n3\n", "at most 2 lines in one file")])
def test_whole_file_refusals(data: bytes, message: str) -> None:
    with pytest.raises(FileRefused, match=message) as refused:
        read_csv_rows(data, columns=["name"], max_rows=2)
    assert refused.value.field == "file"
