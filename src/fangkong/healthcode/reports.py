"""Reports that feed the code's pop-ups: a pharmacy's sale of a watched drug class, and an
arrival in the city (a station or a declaration). Each is stored once however often it is
sent: a sale is the same sale when the person, drug class and time agree, an arrival when the
person and time agree (a device resends after a lost answer). The row is Placed at the
person's residence, so their district sees it, and their code is recomputed.

A reporter names the person by ID number (read off the card at the counter: found city-wide,
since a pharmacy sells to anyone) or by the platform's person number (inside their scope).
A pharmacy's day also comes as a CSV file: bad lines are reported by number and field, and
the good ones are stored only when asked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.healthcode.models import Arrival, DrugClass, Purchase
from fangkong.registry.logic import id_number_problem
from fangkong.registry.models import Person, Venue, VenueType

SKEW = dt.timedelta(minutes=5)  # a device clock a little ahead is not a report from the future
ORIGIN_MAX = 100
CSV_COLUMNS = ["id_number", "drug_class", "bought_at"]
CSV_MAX_ROWS = 20_000


@dataclass
class Stored:
    row: Purchase | Arrival
    created: bool


def _person(actor: Actor, *, person_id: int | None, id_number: str) -> Person:
    if person_id is not None:
        return get_scoped(Person.objects.select_for_update(), actor, what="person",
                          pk=person_id)
    id_number = id_number.strip().upper()
    if not id_number:
        raise DomainError(_("give the ID number or the person number"), field="id_number")
    problem = id_number_problem(id_number)
    if problem:
        raise DomainError(_("the ID number %(problem)s") % {"problem": problem},
                          field="id_number")
    person = Person.objects.select_for_update().filter(id_number=id_number).first()
    if person is None:
        raise DomainError(_("no resident has this ID number"), field="id_number")
    return person


def _moment(value: dt.datetime | str, *, name: str) -> dt.datetime:
    """An aware time not in the future; a time without an offset is the city's."""
    when = parse_datetime(value.strip()) if isinstance(value, str) else value
    if when is None:
        raise DomainError(_("%(name)s is not a date and time") % {"name": name}, field=name)
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > clock.now() + SKEW:
        raise DomainError(_("%(name)s is in the future") % {"name": name}, field=name)
    return when


def _pharmacy(actor: Actor, venue_id: int | None) -> Venue | None:
    if venue_id is None:
        return None
    venue = scope(Venue.objects.all(), actor).filter(pk=venue_id).first()
    if venue is None:
        raise DomainError(_("no venue with this number in your jurisdiction"), field="venue_id")
    if venue.type != VenueType.PHARMACY:
        raise DomainError(_("the venue is not a pharmacy"), field="venue_id")
    return venue


def _place_at_residence(row: Purchase | Arrival, person: Person) -> None:
    row.district_id, row.street_id = person.district_id, person.street_id
    row.community_id, row.grid_id = person.community_id, person.grid_id


def do_report_purchase(*, actor: Actor, drug_class: str, bought_at: dt.datetime | str,
                       venue_id: int | None = None, id_number: str = "",
                       person_id: int | None = None) -> Stored:
    """Store one sale (or find it stored already) and recompute the buyer's code."""
    actor.require(Right.HEALTHCODE_REPORT)
    if drug_class not in DrugClass.values:
        raise DomainError(_("unknown drug class"), field="drug_class")
    when = _moment(bought_at, name="bought_at")
    with transaction.atomic():
        venue = _pharmacy(actor, venue_id)
        person = _person(actor, person_id=person_id, id_number=id_number)
        found = Purchase.objects.filter(person=person, drug_class=drug_class,
                                        bought_at=when).first()
        if found is not None:
            return Stored(found, created=False)
        purchase = Purchase(person=person, venue=venue, drug_class=drug_class, bought_at=when)
        _place_at_residence(purchase, person)
        purchase.save()
        record(actor=actor, verb="healthcode.purchase.report", target=purchase,
               after=snapshot(purchase))
        _recompute(actor=actor, person=person)
    return Stored(purchase, created=True)


def do_report_arrival(*, actor: Actor, arrived_at: dt.datetime | str, origin: str = "",
                      from_risk_area: bool = False, person_id: int | None = None,
                      id_number: str = "") -> Stored:
    """Store one arrival (or find it stored already) and recompute the person's code."""
    actor.require(Right.HEALTHCODE_REPORT)
    origin = origin.strip()
    if len(origin) > ORIGIN_MAX:
        raise DomainError(_("the origin has at most %(n)d characters") % {"n": ORIGIN_MAX},
                          field="origin")
    when = _moment(arrived_at, name="arrived_at")
    with transaction.atomic():
        person = _person(actor, person_id=person_id, id_number=id_number)
        found = Arrival.objects.filter(person=person, arrived_at=when).first()
        if found is not None:
            return Stored(found, created=False)
        arrival = Arrival(person=person, arrived_at=when, origin=origin,
                          from_risk_area=from_risk_area, recorded_at=clock.now())
        _place_at_residence(arrival, person)
        arrival.save()
        record(actor=actor, verb="healthcode.arrival.report", target=arrival,
               after=snapshot(arrival))
        _recompute(actor=actor, person=person)
    return Stored(arrival, created=True)


def _recompute(*, actor: Actor, person: Person) -> None:
    from fangkong.healthcode import recompute  # lazy: the engine reads these tables

    recompute.do_recompute_person(actor=actor, person_id=person.pk)


@dataclass
class CsvAnswer:
    stored: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "unchanged": self.unchanged, "errors": self.errors}


class CsvRefused(DomainError):
    """Bad lines and no leave to store the good ones: nothing stored."""

    def __init__(self, answer: CsvAnswer) -> None:
        super().__init__(_("%(n)d lines refused; nothing stored") % {"n": len(answer.errors)},
                         field="file")
        self.answer = answer


def _rows(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(_("not a UTF-8 CSV file"), field="file") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise DomainError(_("the header lacks %(cols)s") % {"cols": ", ".join(missing)},
                          field="file")
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
             if isinstance(v, str)} for row in reader]
    if len(rows) > CSV_MAX_ROWS:
        raise DomainError(_("at most %(n)d lines in one file") % {"n": CSV_MAX_ROWS},
                          field="file")
    return rows


def _store_line(actor: Actor, row: dict[str, str], venue_id: int | None) -> bool:
    return do_report_purchase(actor=actor, drug_class=row.get("drug_class", ""),
                              bought_at=row.get("bought_at", ""), venue_id=venue_id,
                              id_number=row.get("id_number", "")).created


def do_import_purchases(*, actor: Actor, data: bytes, venue_id: int | None = None,
                        store_good: bool = False) -> CsvAnswer:
    """A pharmacy's day from a CSV file (``id_number,drug_class,bought_at``). Each line is
    stored in its own savepoint, so a bad one is reported (line, field, message; header is
    line 1) without losing the rest; with any bad line and no ``store_good``, nothing is."""
    actor.require(Right.HEALTHCODE_REPORT)
    answer = CsvAnswer()
    rows = _rows(data)
    _pharmacy(actor, venue_id)  # a wrong venue refuses the file, not each line
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            try:
                with transaction.atomic():
                    created = _store_line(actor, row, venue_id)
            except DomainError as exc:
                answer.errors.append({"line": line, "field": exc.field or "",
                                      "message": exc.message})
            else:
                answer.stored += created
                answer.unchanged += not created
        if answer.errors and not store_good:
            transaction.set_rollback(True)
    if answer.errors and not store_good:
        raise CsvRefused(CsvAnswer(errors=answer.errors))
    return answer


BATCH_MAX = 1000


def do_report_batch(*, actor: Actor, kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A device's queue of sales (``kind`` ``purchase``) or arrivals, each answered on its own
    by its ``client_key``: ``stored``, ``unchanged`` (sent before) or ``refused`` with the field
    and reason. A refused row does not stop the others; the device drops every answered row."""
    actor.require(Right.HEALTHCODE_REPORT)
    if len(rows) > BATCH_MAX:
        raise DomainError(_("at most %(n)d rows at once") % {"n": BATCH_MAX}, field="rows")
    report = do_report_purchase if kind == "purchase" else do_report_arrival
    answers = []
    for row in rows:
        values = {k: v for k, v in row.items() if k != "client_key"}
        answer: dict[str, Any] = {"client_key": row.get("client_key", "")}
        try:
            stored = report(actor=actor, **values)
        except DomainError as exc:  # missing person (404) included: refused, like a bad field
            answer.update(status="refused", field=exc.field or "person_id", detail=exc.message)
        else:
            answer.update(status="stored" if stored.created else "unchanged", id=stored.row.pk)
        answers.append(answer)
    return answers
