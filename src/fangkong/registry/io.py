"""Import and export of registry files (CSV or Excel).

An import validates every row first and reports each bad one with its line number; it writes
nothing unless the file is clean or the caller accepted a partial import. Rows are placed in the
admin tree through the actor's scope, so nobody can import into another district. A file that
cannot be read (not UTF-8, not a workbook, a NUL character) is reported as one error, like a
bad row. A row already stored is refused ("already exists"), so sending a file twice stores
nothing new: a person by their ID number, a venue by its code, and rows without such a key by
what tells them apart (``SAME``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from fangkong.core.audit import record
from fangkong.core.csvfile import FileRefused, read_records, refuse_nul
from fangkong.core.jurisdiction import Actor, scope, within
from fangkong.core.models import AdminUnit, Level, Placed
from fangkong.core.privacy import mask_id_number, mask_phone
from fangkong.core.rights import Right
from fangkong.registry.io_specs import FileSpec, spec_for
from fangkong.registry.models import Building, Household, Person, Venue

MODELS: dict[str, type[Placed]] = {
    "buildings": Building, "households": Household, "persons": Person, "venues": Venue,
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(*, name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, cells) of every row with a value; line 1 is the
    header, as a spreadsheet shows it. Raises ``FileRefused`` for a file it cannot read."""
    # A workbook's rows keep the sheet's numbers; a CSV file's blank lines are not counted,
    # as in every other importer.
    xlsx = name.lower().endswith((".xlsx", ".xlsm"))
    records = _workbook(data) if xlsx else read_records(data)
    header = [h.strip() for h in (records[0] if records else [])]
    return header, [(line, [c.strip() for c in cells])
                    for line, cells in enumerate(records[1:], start=2)
                    if any(c.strip() for c in cells)]


def _workbook(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text. openpyxl meets a file that is not a workbook with
    whatever its parsers raise (``KeyError`` for a zip of something else, ``BadZipFile``,
    XML errors, ``ValueError``...): any of them means the upload is not a readable workbook."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        rows = sheet.iter_rows(values_only=True) if sheet is not None else iter(())
        records = [["" if v is None else str(v) for v in values] for values in rows]
    except Exception as exc:  # an untrusted file in a third-party parser
        raise FileRefused(_("not an Excel workbook (.xlsx): %(reason)s")
                          % {"reason": type(exc).__name__}, line=0) from exc
    refuse_nul(records)
    return records


def read_rows(*, name: str, data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; columns without a name in the header are left out."""
    header, rows = read_table(name=name, data=data)
    for line, cells in rows:
        yield line, {h: c for h, c in zip(header, cells, strict=False) if h}


def check_import(*, actor: Actor, kind: str, name: str, data: bytes) -> tuple[
    ImportReport, list[tuple[int, dict[str, Any]]]
]:
    """Parse and validate every row; returns the report and the clean rows."""
    actor.require(Right.REGISTRY_IMPORT)
    spec = spec_for(kind)
    report = ImportReport(kind=kind)
    try:
        header, table = read_table(name=name, data=data)
    except FileRefused as exc:  # a line's NUL or long cell says where; else the whole file
        message = exc.message if exc.line else _("The file could not be read: %(reason)s") % {
            "reason": exc.message}
        report.errors.append(RowError(exc.line, exc.field or "file", message))
        return report, []
    rows = [(line, *_parse_row(spec, line, dict(zip(header, cells, strict=False))))
            for line, cells in table]
    report.rows = len(rows)
    if not rows:
        report.errors.append(RowError(1, "-", _("the file has no data rows")))
    report.errors.extend(_header_errors(spec, header, table))
    places = _Places(actor)
    taken = _taken(kind, [row for _line, row, errors in rows if not errors], places)
    seen: dict[str, set[Hashable]] = {}
    clean: list[tuple[int, dict[str, Any]]] = []
    for line, row, parse_errors in rows:
        errors = parse_errors or (places.check(spec, line, row)
                                  or _unique(kind, line, row, seen, taken))
        report.errors.extend(errors)
        if not errors:
            clean.append((line, row))
    return report, clean


def do_import(*, actor: Actor, kind: str, name: str, data: bytes, partial: bool) -> ImportReport:
    report, clean = check_import(actor=actor, kind=kind, name=name, data=data)
    if report.errors and not partial:
        return report
    places = _Places(actor)
    objects = [_build(kind, row, places) for _, row in clean]
    with transaction.atomic():
        MODELS[kind].objects.bulk_create(objects, batch_size=2000)  # type: ignore[attr-defined]
        record(actor=actor, verb=f"registry.import.{kind}", target=actor.unit,
               target_type="core.adminunit",
               after={"file": name, "imported": len(objects), "rejected": len(report.errors)})
    report.imported = len(objects)
    return report


def _parse_row(spec: FileSpec, line: int, raw: dict[str, str]
               ) -> tuple[dict[str, Any], list[RowError]]:
    """The row's values and its errors."""
    row: dict[str, Any] = {}
    errors: list[RowError] = []
    for column, parse in spec.columns.items():
        try:
            row[column] = parse(raw.get(column, "") or "")
        except ValueError as exc:
            errors.append(RowError(line, column, str(exc)))
    return row, errors


def _header_errors(spec: FileSpec, header: list[str],
                   table: list[tuple[int, list[str]]]) -> list[RowError]:
    """A misspelt column would otherwise be ignored silently (or reported as missing), a
    repeated one would hide its first copy, and data under a blank header cell would be
    dropped. A blank header cell over empty cells (Excel's used range) is no error."""
    errors = [RowError(1, column, _("unknown column"))
              for column in sorted(set(header) - set(spec.columns) - {"id", ""})]
    errors += [RowError(1, column, _("appears more than once in the header"))
               for column in sorted({h for h in header if h and header.count(h) > 1})]
    width = max((len(cells) for _line, cells in table), default=0)
    for at in range(width):
        if at >= len(header) or not header[at]:
            if any(at < len(cells) and cells[at] for _line, cells in table):
                errors.append(RowError(1, _("column %(n)d") % {"n": at + 1},
                                       _("holds data but has no name in the header")))
    return errors


UNIQUE: dict[str, type[Placed]] = {"id_number": Person, "venue_code": Venue}


@dataclass(frozen=True)
class Same:
    """What tells apart the rows of a kind that have no unique column: a row whose values
    of ``fields`` are those of a stored row (or of an earlier line) is that row again, and
    is refused on ``column`` like a repeated ID number."""

    fields: tuple[str, ...]  # the first is the parent: a grid code or a building id
    column: str


SAME = {
    "buildings": Same(("grid_code", "name", "address"), "name"),
    "households": Same(("building_id", "address"), "address"),
    # Only persons without an ID number: two residents of one grid with the same name, sex,
    # birth date and phone and no ID number cannot be told apart by anyone reading the list.
    "persons": Same(("grid_code", "name", "sex", "birth_date", "phone"), "name"),
}


def _same_key(kind: str, row: dict[str, Any]) -> tuple[Any, ...] | None:
    same = SAME.get(kind)
    if same is None or row.get("id_number"):
        return None
    return tuple(row.get(f) for f in same.fields)


def _keys(kind: str, row: dict[str, Any]) -> list[tuple[str, Hashable]]:
    """(column, value) of each key the row has."""
    keys: list[tuple[str, Hashable]] = [(c, row[c]) for c in UNIQUE if row.get(c)]
    same = _same_key(kind, row)
    if same is not None:
        keys.append((SAME[kind].column, same))
    return keys


def _taken(kind: str, rows: list[dict[str, Any]], places: _Places
           ) -> dict[str, set[Hashable]]:
    """The keys of ``rows`` that the database already holds, a thousand per query."""
    taken: dict[str, set[Hashable]] = {}
    for column, model in UNIQUE.items():
        values = sorted({row[column] for row in rows if row.get(column)})
        for i in range(0, len(values), 1000):
            taken.setdefault(column, set()).update(model.objects.filter(  # type: ignore[attr-defined]
                **{f"{column}__in": values[i:i + 1000]}).values_list(column, flat=True))
    if kind in SAME:
        taken.setdefault(SAME[kind].column, set()).update(_same_stored(kind, rows, places))
    return taken


def _same_stored(kind: str, rows: list[dict[str, Any]], places: _Places
                 ) -> set[tuple[Any, ...]]:
    """The ``SAME`` keys of the stored rows under the parents the file names."""
    parent, *rest = SAME[kind].fields
    if parent == "grid_code":
        grids = {g.pk: code for code in {r[parent] for r in rows}
                 if (g := places.grid(code)) is not None}
    else:
        grids = {pk: pk for pk in {r[parent] for r in rows}}
    qs = MODELS[kind].objects.all()  # type: ignore[attr-defined]
    if kind == "persons":
        qs = qs.filter(id_number__isnull=True)
    link = "grid_id" if parent == "grid_code" else parent
    ids = sorted(grids)
    found: set[tuple[Any, ...]] = set()
    for i in range(0, len(ids), 1000):
        for values in qs.filter(**{f"{link}__in": ids[i:i + 1000]}).values_list(link, *rest):
            found.add((grids[values[0]], *values[1:]))
    return found


def _unique(kind: str, line: int, row: dict[str, Any], seen: dict[str, set[Hashable]],
            taken: dict[str, set[Hashable]]) -> list[RowError]:
    errors = []
    for column, value in _keys(kind, row):
        if value in seen.setdefault(column, set()) or value in taken.get(column, ()):
            errors.append(RowError(line, column, _("already exists")))
        seen[column].add(value)
    return errors


class _Places:
    """Resolves grid codes and parent ids inside the actor's scope, with a cache."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.grids: dict[str, AdminUnit | None] = {}
        self.buildings: dict[int, Building | None] = {}
        self.households: dict[int, Household | None] = {}

    def grid(self, code: str) -> AdminUnit | None:
        if code not in self.grids:
            units = scope(AdminUnit.objects.filter(level=Level.GRID, code=code), self.actor)
            self.grids[code] = units.first()
        return self.grids[code]

    def building(self, pk: int) -> Building | None:
        if pk not in self.buildings:
            self.buildings[pk] = scope(Building.objects.filter(pk=pk), self.actor).first()
        return self.buildings[pk]

    def household(self, pk: int) -> Household | None:
        if pk not in self.households:
            self.households[pk] = scope(Household.objects.filter(pk=pk), self.actor).first()
        return self.households[pk]

    def check(self, spec: FileSpec, line: int, row: dict[str, Any]) -> list[RowError]:
        if spec.placed_by == "grid_code" and self.grid(row["grid_code"]) is None:
            return [RowError(line, "grid_code", _("no such grid in your jurisdiction"))]
        if spec.placed_by == "building_id" and self.building(row["building_id"]) is None:
            return [RowError(line, "building_id", _("no such building in your jurisdiction"))]
        if row.get("household_id") and self.household(row["household_id"]) is None:
            return [RowError(line, "household_id", _("no such household in your jurisdiction"))]
        return []


def _build(kind: str, row: dict[str, Any], places: _Places) -> Placed:
    values = dict(row)
    if kind == "households":
        parent: Placed | AdminUnit | None = places.building(values["building_id"])
    else:
        parent = places.grid(values.pop("grid_code"))
    if kind == "persons":
        values["id_number"] = values["id_number"] or None
        values["id_last4"] = (values["id_number"] or "")[-4:]
        values["phone_last4"] = values["phone"][-4:]
    obj = MODELS[kind](**values)
    assert parent is not None  # checked by _Places.check
    obj.district_id, obj.street_id = parent.district_id, parent.street_id
    obj.community_id, obj.grid_id = parent.community_id, parent.grid_id
    return obj


def export_rows(*, actor: Actor, kind: str, unit: AdminUnit) -> Iterator[list[str]]:
    """Header then rows of ``kind`` under ``unit`` in the actor's scope; ID and phone masked
    unless the actor holds PII_VIEW. Checks and audits at call time (an export is a bulk read
    of personal data), then streams in id order with a bounded batch."""
    actor.require(Right.REGISTRY_EXPORT)
    spec = spec_for(kind)
    full = actor.can(Right.PII_VIEW)
    record(actor=actor, verb=f"registry.export.{kind}", target=unit,
           after={"unit": unit.code, "pii_in_full": full})
    qs = scope(MODELS[kind].objects.all(), actor)  # type: ignore[attr-defined]
    qs = within(qs, unit)
    return _export_stream(qs, ["id", *spec.columns], full=full, actor=actor)


def _export_stream(qs: Any, columns: list[str], *, full: bool, actor: Actor
                   ) -> Iterator[list[str]]:
    yield columns
    grid_codes = dict(scope(AdminUnit.objects.filter(level=Level.GRID), actor)
                      .values_list("pk", "code"))
    for obj in qs.order_by("pk").iterator(chunk_size=2000):
        yield [_cell(obj, c, full, grid_codes) for c in columns]


def _cell(obj: Any, column: str, full: bool, grid_codes: dict[int, str]) -> str:
    if column == "grid_code":
        return grid_codes.get(obj.grid_id, "")
    value = getattr(obj, column)
    if value is None:
        return ""
    if column == "id_number" and not full:
        return mask_id_number(value)
    if column == "phone" and not full:
        return mask_phone(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def write_csv(rows: Iterable[list[str]], out: IO[str]) -> int:
    writer = csv.writer(out)
    n = -1
    for n, row in enumerate(rows):  # noqa: B007
        writer.writerow(row)
    return max(n, 0)


def write_xlsx(rows: Iterable[list[str]], path: Path | IO[bytes]) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    n = -1
    for n, row in enumerate(rows):  # noqa: B007
        sheet.append(row)
    book.save(path)
    return max(n, 0)
