"""Hypothesis strategies for hostile files: a valid file of the importer's own lines, then
broken the ways uploads break in practice (wrong encoding, Excel's BOM, truncation, ragged
or multi-line rows, headers missing, repeated or extra, formula injection, NUL bytes, mixed
line ends, huge fields, numbers out of range, impossible dates), or plain random bytes."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence

from hypothesis import strategies as st
from openpyxl import Workbook

from tests.fuzz.importers import Importer
from tests.fuzz.world import World

HOSTILE_CELLS = [
    "", " ", "=cmd|' /C calc'!A0", "+1+1", "-1", "@SUM(A1)", "0", "-0", "1e309", "nan",
    "inf", "-inf", "99999999999999999999999", "-99999999999999999999", "1,5", "١٢٣",
    "２０２２-０５-１０", "2022-02-30", "2022-13-01", "0000-00-00", "9999-12-31",
    "2022-02-30T10:00:00+08:00", "2022-05-10T25:61:00+08:00", "2022-05-10T10:00:00+99:00",
    "2022-05-10T10:00:00+23:59", "2022-05-10T10:00", "1652148000", "2099-01-01T00:00:00Z",
    "1900-01-01T00:00:00Z", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00",
    "sNaN", "-Infinity", "1e-400", "1_000",
    "\x00", "a\x00b", '"', '""', "'", "\\", "\r", "\n", "\t",
    "610102198001011234", "61010219800101101X", "\u202eevil", "💉" * 10, "<script>x</script>",
    "'; DROP TABLE registry_person; --", "NULL", "None", "true", "是", "否",
]
HUGE_CELLS = ["x" * 70, "长" * 300, "9" * 5000, "y" * 140_000]  # the last beats csv's limit
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1"]
LINE_ENDS = ["\n", "\r\n", "\r"]


def cell() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_CELLS), st.sampled_from(HUGE_CELLS),
                     st.text(max_size=20))


@st.composite
def header(draw: st.DrawFn, columns: list[str]) -> list[str]:
    """The right header, or one with a column dropped, repeated, renamed, added or moved."""
    cols = list(columns)
    how = draw(st.sampled_from(["same", "same", "same", "drop", "repeat", "rename", "extra",
                                "shuffle", "case"]))
    if how == "drop":
        cols.pop(draw(st.integers(0, len(cols) - 1)))
    elif how == "repeat":
        cols.append(draw(st.sampled_from(columns)))
    elif how == "rename":
        cols[draw(st.integers(0, len(cols) - 1))] = draw(st.sampled_from(["", "名称", "x y"]))
    elif how == "extra":
        cols.append(draw(st.sampled_from(["note", "id", "备注", ""])))
    elif how == "shuffle":
        cols = draw(st.permutations(cols))
    elif how == "case":
        cols = [f" {c.upper()} " for c in cols]
    return cols


@st.composite
def line(draw: st.DrawFn, imp: Importer, world: World, n: int, width: int) -> list[str]:
    """A valid line, maybe with cells replaced by hostile ones, cut short or run long."""
    cells = imp.row(world, n)[:width] + [""] * max(0, width - len(imp.row(world, n)))
    if draw(st.integers(0, 2)) == 0:
        return cells
    for _ in range(draw(st.integers(0, 2))):
        cells[draw(st.integers(0, width - 1))] = draw(cell())
    shape = draw(st.sampled_from(["ok", "ok", "ok", "short", "long"]))
    if shape == "short":
        cells = cells[:draw(st.integers(0, width - 1))]
    elif shape == "long":
        cells += draw(st.lists(cell(), min_size=1, max_size=3))
    return cells


def _write(rows: list[list[str]], end: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=end).writerows(rows)
    return out.getvalue()


@st.composite
def csv_text(draw: st.DrawFn, imp: Importer, world: World) -> tuple[list[list[str]], str]:
    """The file's rows (header first) and its text; one in four is a clean file (so the
    accepting path and the resend are exercised too)."""
    count = draw(st.integers(0, imp.rows_max))
    if draw(st.integers(0, 3)) == 0:
        rows = [imp.header] + [imp.row(world, n) for n in range(count)]
        return rows, _write(rows, draw(st.sampled_from(["\n", "\r\n"])))
    head = draw(header(imp.header))
    rows = [head] + [draw(line(imp, world, n, len(imp.header))) for n in range(count)]
    text = _write(rows, draw(st.sampled_from(LINE_ENDS)))
    if draw(st.booleans()):  # mixed line ends, raw lines not quoted by the writer
        text = text.replace("\n", draw(st.sampled_from(LINE_ENDS)), 1)
        text += draw(st.sampled_from(["", "\r", "\n\n", ",,,\n", '"unclosed,\n', "\x00\n"]))
    return rows, text


@st.composite
def csv_file(draw: st.DrawFn, imp: Importer, world: World) -> bytes:
    """Bytes of a hostile CSV file for ``imp``."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    _rows, text = draw(csv_text(imp, world))
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.integers(0, 5)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_CELLS: list[object] = [None, 0, -1, 1e308, float("nan"), 10**30, True, "=1+1",
                            "=HYPERLINK(\"http://x\")", "2022-02-30"]


@st.composite
def xlsx_file(draw: st.DrawFn, imp: Importer, world: World) -> bytes:
    """A real workbook with bad cells (numbers, booleans, dates, formulas, None) or no
    workbook at all under a .xlsx name (CSV text, random bytes, a zip of something else)."""
    kind = draw(st.sampled_from(["book", "book", "book", "csv", "bytes", "zip", "cut"]))
    if kind == "csv":
        return draw(csv_file(imp, world))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("hello.txt", "not a workbook")
        return out.getvalue()
    rows, _text = draw(csv_text(imp, world))
    typed: list[list[object]] = [list(rows[0])]
    for row in rows[1:]:
        values: list[object] = list(row)
        mutate: bool = draw(st.booleans())
        if values and mutate:
            odd: object = draw(st.sampled_from(XLSX_CELLS))
            values[draw(st.integers(0, len(values) - 1))] = odd
        typed.append([v.replace("\x00", "") if isinstance(v, str) else v for v in values])
    data = workbook(_legal(typed))
    if kind == "cut":
        data = data[:draw(st.integers(0, len(data)))]
    return data


def _legal(rows: list[list[object]]) -> list[list[object]]:
    """openpyxl refuses control characters in cells; a spreadsheet cannot hold them."""
    def clean(v: object) -> object:
        return ("".join(ch for ch in v if ch >= " " or ch in "\t\n\r")
                if isinstance(v, str) else v)
    return [[clean(v) for v in row] for row in rows]
