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

from fangkong.core.bulk import insert_rows
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.models import AdminUnit, Level
from fangkong.registry.models import SPECIAL_GROUPS, Building, Household, Person, Venue

LEVELS = {"city": Level.CITY, "district": Level.DISTRICT, "street": Level.STREET,
          "community": Level.COMMUNITY, "grid": Level.GRID}
Places = dict[int, tuple[int | None, int | None, int | None, int | None]]
Columns = dict[str, list[Any]]
# Converters work column by column: a dict per row was most of the loader's time.
Convert = Callable[[Columns, Places], Columns]


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


def _placed(keys: list[int], places: Places) -> Columns:
    chains = [places[k] for k in keys]
    return {name: [chain[i] for chain in chains] for i, name in
            enumerate(("district_id", "street_id", "community_id", "grid_id"))}


def _text(values: list[str | None]) -> list[str]:
    return [v or "" for v in values]


def _unit(c: Columns, places: Places) -> Columns:
    return {"id": c["unit_id"], "parent_id": c["parent_id"],
            "level": [LEVELS[v] for v in c["level"]], "code": c["code"], "name": c["name"],
            "name_en": _text(c["name_en"]), "boundary": _text(c["boundary"]),
            "center_lat": c["center_lat"], "center_lon": c["center_lon"],
            **_placed(c["unit_id"], places)}


def _building(c: Columns, places: Places) -> Columns:
    return {"id": c["building_id"], "name": c["name"], "address": c["address"],
            "lat": c["lat"], "lon": c["lon"], "floors": c["floors"],
            **_placed(c["grid_id"], places)}


def _household(c: Columns, places: Places) -> Columns:
    return {"id": c["household_id"], "building_id": c["building_id"],
            "address": c["address"], **_placed(c["grid_id"], places)}


def _person(c: Columns, places: Places) -> Columns:
    ids = [v or None for v in c["id_number"]]
    phones = _text(c["phone"])
    n = len(ids)
    flags = {f: [bool(v) for v in c[f]] for f in SPECIAL_GROUPS}
    return {"id": c["person_id"], "household_id": c["household_id"], "name": c["name"],
            "id_number": ids, "id_last4": [(v or "")[-4:] for v in ids], "phone": phones,
            "phone_last4": [v[-4:] for v in phones], "sex": c["sex"],
            "birth_date": c["birth_date"], "address": _text(c["address"]),
            "occupation": c["occupation"], "inactive_since": [None] * n,
            "purged": [False] * n, "temporary": [False] * n, **flags,
            **_placed(c["grid_id"], places)}


def _venue(c: Columns, places: Places) -> Columns:
    return {"id": c["venue_id"], "venue_code": c["venue_code"], "type": c["type"],
            "name": c["name"], "address": _text(c["address"]), "lat": c["lat"],
            "lon": c["lon"], **_placed(c["grid_id"], places)}


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
        values = source.convert(batch.to_pydict(), places)
        rows = list(zip(*(values[c] for c in columns), strict=True))
        insert_rows(table=source.model._meta.db_table, columns=columns, rows=rows)
        written += len(rows)
        bar.update(len(rows))
    bar.close()
    return written


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
