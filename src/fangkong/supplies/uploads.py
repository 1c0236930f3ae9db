"""Many outlets' days at once: a CSV upload by a district officer (outlets named by venue
code) and a device's queue over the API (an outlet's own rows). Every bad line is reported
with its line number and field; with any bad line nothing is stored unless the good lines
are asked for. Each line runs in its own savepoint inside one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.core.csvfile import read_csv_rows
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.healthcode.reports import CsvAnswer, CsvRefused
from fangkong.registry.models import Venue
from fangkong.supplies.reports import (
    OUTLET_TYPES,
    checked_day,
    outlet_for,
    recompute_after_commit,
    store_row,
)

CSV_COLUMNS = ["client_key", "venue_code", "day", "good", "stock", "price"]
CSV_MAX_ROWS = 20_000
BATCH_MAX = 1000


class _Outlets:
    """Venue codes to the outlets in the actor's scope, looked up once each."""

    def __init__(self, actor: Actor) -> None:
        self.qs = scope(Venue.objects.filter(type__in=OUTLET_TYPES), actor)
        self.seen: dict[str, Venue | None] = {}

    def get(self, code: str) -> Venue:
        if code not in self.seen:
            self.seen[code] = self.qs.filter(venue_code=code).first() if code else None
        venue = self.seen[code]
        if venue is None:
            raise DomainError(_("no market or supermarket with this code in your jurisdiction"),
                              field="venue_code")
        return venue


def do_import_csv(*, actor: Actor, data: bytes, store_good: bool = False) -> CsvAnswer:
    """Lines of ``CSV_COLUMNS``; ``CsvRefused`` (nothing stored) lists every bad line unless
    ``store_good``. A correction (new key, same outlet, good and day) counts as stored."""
    actor.require(Right.SUPPLIES_MANAGE)
    rows = read_csv_rows(data, columns=CSV_COLUMNS, max_rows=CSV_MAX_ROWS)
    outlets = _Outlets(actor)
    answer = CsvAnswer()
    touched: list[tuple[int | None, dt.date]] = []
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            try:
                with transaction.atomic():
                    venue = outlets.get(row.get("venue_code", ""))
                    day = checked_day(row.get("day", ""))
                    status = store_row(actor=actor, venue=venue, day=day,
                                       good=row.get("good", ""),
                                       client_key=row.get("client_key", ""),
                                       stock=row.get("stock"), price=row.get("price"))
            except DomainError as exc:
                answer.errors.append({"line": line, "field": exc.field or "",
                                      "message": exc.message})
            else:
                answer.stored += status != "unchanged"
                answer.unchanged += status == "unchanged"
                touched.append((venue.street_id, day))
        if answer.errors and not store_good:
            transaction.set_rollback(True)
        else:
            recompute_after_commit(touched)
    if answer.errors and not store_good:
        raise CsvRefused(CsvAnswer(errors=answer.errors))
    return answer


def do_report_batch(*, actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An outlet device's queue, each row answered by its ``client_key``: ``stored``,
    ``replaced``, ``unchanged`` or ``refused`` with the field; a refused row stops no other."""
    actor.require(Right.SUPPLIES_REPORT)
    if len(rows) > BATCH_MAX:
        raise DomainError(_("at most %(n)d rows at once") % {"n": BATCH_MAX}, field="rows")
    answers = []
    touched: list[tuple[int | None, dt.date]] = []
    outlets: dict[int | None, Venue] = {}  # a device's rows name few outlets: one fetch each
    with transaction.atomic():
        for row in rows:
            answer: dict[str, Any] = {"client_key": row.get("client_key", "")}
            try:
                with transaction.atomic():
                    wanted = row.get("venue_id")
                    if wanted not in outlets:
                        outlets[wanted] = outlet_for(actor, wanted)
                    venue = outlets[wanted]
                    day = checked_day(row.get("day") or "")
                    status = store_row(actor=actor, venue=venue, day=day,
                                       good=str(row.get("good", "")),
                                       client_key=str(row.get("client_key", "")),
                                       stock=row.get("stock"), price=row.get("price"))
            except DomainError as exc:
                answer.update(status="refused", field=exc.field or "", detail=exc.message)
            else:
                answer["status"] = status
                touched.append((venue.street_id, day))
            answers.append(answer)
        recompute_after_commit(touched)
    return answers
