"""Bulk load of a generated city (``fangkong synth city``) into the registry tables.

The ORM's ``bulk_create`` builds a model object per row; at a million persons that is most of
the cost. This writes plain tuples instead: ``COPY`` on PostgreSQL, batched ``executemany`` on
SQLite, keeping the generator's ids as primary keys so foreign keys need no lookup. Each row's
ancestors in the admin tree (the ``Placed`` columns that scoping filters on) come from its grid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.core.management.color import no_style
from django.db import connection, models, transaction
from tqdm import tqdm

from fangkong.core.errors import Conflict, DomainError
from fangkong.core.models import AdminUnit, Level
from fangkong.registry.models import Building, Household, Person, Venue

LEVELS = {"city": Level.CITY, "district": Level.DISTRICT, "street": Level.STREET,
          "community": Level.COMMUNITY, "grid": Level.GRID}
Places = dict[int, tuple[int | None, int | None, int | None, int | None]]
Convert = Callable[[dict[str, Any], Places], dict[str, Any]]


@dataclass(frozen=True)
class Source:
    file: str
    model: type[models.Model]
    convert: Convert


def load_city(*, src: Path, progress: bool = True, batch_rows: int = 20_000) -> dict[str, int]:
    """Load every registry file of ``src`` in one transaction; refuses a non-empty registry."""
    _check_source(src)
    if AdminUnit.objects.exists():
        raise Conflict("the registry already holds an admin tree; load into an empty database")
    places = places_of(pq.read_table(src / "admin_units.parquet").to_pylist())
    counts: dict[str, int] = {}
    with transaction.atomic():
        for source in SOURCES:
            counts[source.file] = _load_file(src / source.file, source, places,
                                             progress=progress, batch_rows=batch_rows)
        _reset_sequences()
    _analyze()
    return counts


def _check_source(src: Path) -> None:
    missing = [s.file for s in SOURCES if not (src / s.file).is_file()]
    if missing:
        raise DomainError(f"{src} is not a generated city: missing {', '.join(missing)}",
                          field="src")


def places_of(units: list[dict[str, Any]]) -> Places:
    """Each unit's (district, street, community, grid) ancestors, itself included."""
    places: Places = {}
    for unit in sorted(units, key=lambda u: LEVELS[u["level"]]):
        parent = places.get(unit["parent_id"], (None, None, None, None))
        level = LEVELS[unit["level"]]
        chain = list(parent)
        if level != Level.CITY:
            chain[level - 1] = unit["unit_id"]
        places[unit["unit_id"]] = (chain[0], chain[1], chain[2], chain[3])
    return places


def _placed(grid_or_unit: int, places: Places) -> dict[str, int | None]:
    district, street, community, grid = places[grid_or_unit]
    return {"district_id": district, "street_id": street, "community_id": community,
            "grid_id": grid}


def _unit(row: dict[str, Any], places: Places) -> dict[str, Any]:
    return {"id": row["unit_id"], "parent_id": row["parent_id"], "level": LEVELS[row["level"]],
            "code": row["code"], "name": row["name"], "name_en": row["name_en"] or "",
            "boundary": row["boundary"] or "", "center_lat": row["center_lat"],
            "center_lon": row["center_lon"], **_placed(row["unit_id"], places)}


def _building(row: dict[str, Any], places: Places) -> dict[str, Any]:
    return {"id": row["building_id"], "name": row["name"], "address": row["address"],
            "lat": row["lat"], "lon": row["lon"], "floors": row["floors"],
            **_placed(row["grid_id"], places)}


def _household(row: dict[str, Any], places: Places) -> dict[str, Any]:
    return {"id": row["household_id"], "building_id": row["building_id"],
            "address": row["address"], **_placed(row["grid_id"], places)}


def _person(row: dict[str, Any], places: Places) -> dict[str, Any]:
    id_number, phone = row["id_number"] or None, row["phone"] or ""
    flags = {f: bool(row[f]) for f in ("over80_alone", "disabled", "pregnant", "chronic_care",
                                        "infant")}
    return {"id": row["person_id"], "household_id": row["household_id"], "name": row["name"],
            "id_number": id_number, "id_last4": (id_number or "")[-4:], "phone": phone,
            "phone_last4": phone[-4:], "sex": row["sex"], "birth_date": row["birth_date"],
            "address": row["address"] or "", "occupation": row["occupation"],
            "inactive_since": None, "purged": False, **flags,
            **_placed(row["grid_id"], places)}


def _venue(row: dict[str, Any], places: Places) -> dict[str, Any]:
    return {"id": row["venue_id"], "venue_code": row["venue_code"], "type": row["type"],
            "name": row["name"], "address": row["address"] or "", "lat": row["lat"],
            "lon": row["lon"], **_placed(row["grid_id"], places)}


SOURCES = [
    Source("admin_units.parquet", AdminUnit, _unit),
    Source("buildings.parquet", Building, _building),
    Source("homes.parquet", Household, _household),
    Source("venues.parquet", Venue, _venue),
    Source("persons.parquet", Person, _person),
]


def _load_file(path: Path, source: Source, places: Places, *, progress: bool,
               batch_rows: int) -> int:
    file = pq.ParquetFile(path)
    columns = [str(f.column) for f in source.model._meta.concrete_fields]
    bar = tqdm(total=file.metadata.num_rows, desc=f"load {path.stem}", unit=" rows",
               disable=not progress)
    written = 0
    for batch in file.iter_batches(batch_size=batch_rows):
        rows = [_as_tuple(source.convert(r, places), columns) for r in batch.to_pylist()]
        insert_rows(table=source.model._meta.db_table, columns=columns, rows=rows)
        written += len(rows)
        bar.update(len(rows))
    bar.close()
    return written


def _as_tuple(values: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    return tuple(values[c] for c in columns)


def insert_rows(*, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Append rows to ``table``: COPY on PostgreSQL, executemany elsewhere."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        # table and columns come from model metadata, never from input
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the loaded rows."""
    statements = connection.ops.sequence_reset_sql(no_style(),
                                                   [s.model for s in SOURCES])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _analyze() -> None:
    """Fresh planner statistics: after a bulk load they describe empty tables, and
    PostgreSQL then picks plans that are slow for the actual row counts."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
