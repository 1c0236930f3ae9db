"""Import and export of registry files (CSV or Excel).

An import validates every row first and reports each bad one with its line number; it writes
nothing unless the file is clean or the caller accepted a partial import. Rows are placed in the
admin tree through the actor's scope, so nobody can import into another district.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from fangkong.core.audit import record
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


def read_rows(*, name: str, data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; line 1 is the header, as a spreadsheet shows it."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        rows = sheet.iter_rows(values_only=True) if sheet is not None else iter(())
        header = [str(h or "").strip() for h in next(rows, ())]
        for line, values in enumerate(rows, start=2):
            cells = ["" if v is None else str(v).strip() for v in values]
            yield line, dict(zip(header, cells, strict=False))
        return
    text = data.decode("utf-8-sig")
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        yield line, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def check_import(*, actor: Actor, kind: str, name: str, data: bytes) -> tuple[
    ImportReport, list[tuple[int, dict[str, Any]]]
]:
    """Parse and validate every row; returns the report and the clean rows."""
    actor.require(Right.REGISTRY_IMPORT)
    spec = spec_for(kind)
    report = ImportReport(kind=kind)
    rows = [(line, *_parse_row(spec, line, raw)) for line, raw in read_rows(name=name, data=data)]
    report.rows = len(rows)
    if not rows:
        report.errors.append(RowError(1, "-", _("the file has no data rows")))
    report.errors.extend(_unknown_columns(spec, rows[0][3] if rows else set()))
    places = _Places(actor)
    taken = _taken([row for _line, row, errors, _cols in rows if not errors])
    seen: dict[str, set[str]] = {column: set() for column in UNIQUE}
    clean: list[tuple[int, dict[str, Any]]] = []
    for line, row, parse_errors, _cols in rows:
        errors = parse_errors or (places.check(spec, line, row)
                                  + _unique(line, row, seen, taken))
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
               ) -> tuple[dict[str, Any], list[RowError], set[str]]:
    """The row's values, its errors, and the file's column names (for the header check)."""
    row: dict[str, Any] = {}
    errors: list[RowError] = []
    for column, parse in spec.columns.items():
        try:
            row[column] = parse(raw.get(column, "") or "")
        except ValueError as exc:
            errors.append(RowError(line, column, str(exc)))
    return row, errors, set(raw)


def _unknown_columns(spec: FileSpec, header: set[str]) -> list[RowError]:
    """A misspelt column would otherwise be ignored silently (or reported as missing)."""
    return [RowError(1, column, _("unknown column"))
            for column in sorted(header - set(spec.columns) - {"id"})]


UNIQUE: dict[str, type[Placed]] = {"id_number": Person, "venue_code": Venue}


def _taken(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Values of the unique columns that the database already holds, a thousand per query."""
    taken: dict[str, set[str]] = {}
    for column, model in UNIQUE.items():
        values = sorted({row[column] for row in rows if row.get(column)})
        found: set[str] = set()
        for i in range(0, len(values), 1000):
            found.update(model.objects.filter(  # type: ignore[attr-defined]
                **{f"{column}__in": values[i:i + 1000]}).values_list(column, flat=True))
        taken[column] = found
    return taken


def _unique(line: int, row: dict[str, Any], seen: dict[str, set[str]],
            taken: dict[str, set[str]]) -> list[RowError]:
    errors = []
    for column in UNIQUE:
        value = row.get(column)
        if not value:
            continue
        if value in seen[column] or value in taken[column]:
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
