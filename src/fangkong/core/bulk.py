"""Bulk writes for ingest paths that must run near the database's own load speed: Django's
``bulk_create``/``bulk_update`` build an expression tree per row and value, which costs
more than the database's work. Table and column names come from model metadata only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def insert_rows(*, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Append rows to ``table``: COPY on PostgreSQL, executemany elsewhere. Values go as
    given (callers adapt datetimes for SQLite); COPY's driver errors are mapped to Django's
    (``IntegrityError`` …) as the ORM's would be."""
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({quoted}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def update_rows(*, model: type[Model], fields: Sequence[str], objs: Sequence[Model]) -> None:
    """Write ``fields`` of each object by primary key: one prepared UPDATE, executemany
    (pipelined by psycopg), instead of ``bulk_update``'s CASE per field. Values are prepared
    by their fields, as a save would (e.g. aware times stored as UTC on SQLite)."""
    if not objs:
        return
    meta = model._meta
    columns = [str(meta.get_field(f).column) for f in fields]  # type: ignore[union-attr]
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    sql = f"UPDATE {meta.db_table} SET {sets} WHERE {meta.pk.column} = %s"  # type: ignore[union-attr]  # noqa: S608
    prepared = [meta.get_field(f) for f in fields]
    rows = [(*(f.get_db_prep_save(getattr(o, f.attname), connection)  # type: ignore[union-attr]
               for f in prepared), o.pk) for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
