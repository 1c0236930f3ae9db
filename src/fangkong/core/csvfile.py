"""Reading an uploaded CSV file the same way everywhere: UTF-8 (a BOM from Excel allowed),
any line ends (LF, CRLF, or Excel for Mac's bare CR), a header naming the required columns in
any order and case, values stripped, a size limit. A file that fails any of these is refused
as a whole with :class:`FileRefused`, naming the line and the problem, before any line is
looked at: so no importer sees a cell it cannot store (a NUL character, which PostgreSQL
refuses in text) or a cell longer than the csv module's own bound."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError

# The csv module's default bound on one cell (131,072 characters) is kept: no column of the
# platform holds a tenth of it, and an unbounded cell is a way to exhaust memory.
CELL_MAX = csv.field_size_limit()


class FileRefused(DomainError):
    """The file cannot be read at ``line`` (1 is the header): nothing of it is used."""

    def __init__(self, message: str, *, line: int, field: str = "file") -> None:
        super().__init__(message, field=field)
        self.line = line


def decoded(data: bytes) -> str:
    """The file's text; a file that is not UTF-8 (GBK, UTF-16 with its BOM) is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("not a UTF-8 CSV file"), line=0) from exc


def read_records(data: bytes) -> list[list[str]]:
    """The file's non-blank records, header first, each a list of its cells as written.
    A record's line is its place in this list plus one, as the importers count lines."""
    records: list[list[str]] = []
    text = decoded(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records.extend(cells for cells in reader if cells)
    except csv.Error as exc:
        raise _unreadable(exc, line=len(records) + 1) from exc
    if "\x00" in text:  # rare: look for its line only then
        refuse_nul(records)
    return records


def _unreadable(exc: csv.Error, *, line: int) -> FileRefused:
    if "field larger than field limit" in str(exc):
        return FileRefused(_("line %(line)d: a cell is longer than %(n)d characters")
                           % {"line": line, "n": CELL_MAX}, line=line)
    return FileRefused(_("line %(line)d cannot be read as CSV: %(reason)s")
                       % {"line": line, "reason": exc}, line=line)


def refuse_nul(records: list[list[str]]) -> None:
    """A NUL is never data: it is a file saved as UTF-16 without its BOM, or a binary file."""
    header = records[0] if records else []
    for line, cells in enumerate(records, start=1):
        at = next((i for i, cell in enumerate(cells) if "\x00" in cell), None)
        if at is None:
            continue
        name = header[at].strip().lower() if at < len(header) and "\x00" not in header[at] \
            else _("column %(n)d") % {"n": at + 1}
        raise FileRefused(_("line %(line)d, %(column)s: a NUL character; save the file as "
                            "UTF-8 CSV") % {"line": line, "column": name},
                          line=line, field=name)


def read_csv_rows(data: bytes, *, columns: Sequence[str], max_rows: int) -> list[dict[str, str]]:
    """The file's lines as dicts of lower-cased column names to stripped values; a line
    shorter than the header has its missing cells empty, cells past the header are dropped."""
    records = read_records(data)
    header = [h.strip().lower() for h in (records[0] if records else [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise FileRefused(_("the header lacks %(cols)s") % {"cols": ", ".join(missing)},
                          line=1)
    if len(records) - 1 > max_rows:
        raise FileRefused(_("at most %(n)d lines in one file") % {"n": max_rows}, line=0)
    return [_row(header, cells) for cells in records[1:]]


def _row(header: list[str], cells: list[str]) -> dict[str, str]:
    padded = cells[:len(header)] + [""] * (len(header) - len(cells))
    return {name: value.strip() for name, value in zip(header, padded, strict=True)}
