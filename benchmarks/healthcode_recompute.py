"""Batch recompute of every resident's code for bench_healthcode.py, inside a configured
Django process whose database holds the loaded city.

Baselines in the same run, the same number of rows without the rules: Django's
``bulk_create`` of constant green codes (batches of 1,000, as the recompute writes new rows),
and one plain ``INSERT … SELECT`` from the person table (the floor: no Python at all). Then
``do_recompute_all`` twice: first on an empty table (every code created), then again (every
code read, evaluated and found unchanged: what the nightly sweep does)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.db import connection, transaction

from fangkong.core import clock
from fangkong.healthcode.models import PersonCode
from fangkong.healthcode.recompute import do_recompute_all
from fangkong.registry.models import Person

CHUNK = 1000


def _empty() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PersonCode._meta.db_table}")  # noqa: S608 (model table)


def _bulk_create(ids: list[int]) -> None:
    now = clock.now()
    for lo in range(0, len(ids), 5000):
        with transaction.atomic():
            PersonCode.objects.bulk_create(
                [PersonCode(person_id=pk, pseudonym=secrets.token_urlsafe(12), colour="green",
                            flags=[], reasons=[], computed_at=now)
                 for pk in ids[lo:lo + 5000]], batch_size=CHUNK)


def _insert_select() -> None:
    codes, people = PersonCode._meta.db_table, Person._meta.db_table
    random = ("substr(md5(random()::text), 1, 16)" if connection.vendor == "postgresql"
              else "lower(hex(randomblob(8)))")
    # the tables are the models' own names, nothing from outside
    columns = "person_id, pseudonym, colour, flags, reasons, computed_at"
    sql = " ".join([f"INSERT INTO {codes} ({columns}) SELECT id, {random}, 'green', '[]',",
                    f"'[]', %s FROM {people} WHERE inactive_since IS NULL"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [clock.now()])


def _timed(name: str, rows: int, work: Any) -> dict[str, Any]:
    began = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - began
    count = PersonCode.objects.count()
    print(f"  {name}: {count:,} rows in {seconds:.1f} s", flush=True)
    return {"case": name, "rows": count, "seconds": seconds, "rows_per_s": count / seconds,
            "people": rows, "result": result if isinstance(result, dict) else None}


def recompute_cases() -> list[dict[str, Any]]:
    """The four timings; leaves every resident with a computed code for the HTTP cases."""
    ids = list(Person.objects.filter(inactive_since__isnull=True).order_by("pk")
               .values_list("pk", flat=True))
    n = len(ids)
    _empty()
    rows = [_timed("baseline: bulk_create of constant codes", n, lambda: _bulk_create(ids))]
    _empty()
    rows.append(_timed("baseline: INSERT … SELECT", n, _insert_select))
    _empty()
    rows.append(_timed("ours: do_recompute_all, codes created", n, do_recompute_all))
    rows.append(_timed("ours: do_recompute_all, codes unchanged", n, do_recompute_all))
    return rows
