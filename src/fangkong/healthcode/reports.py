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

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import cells, clock
from fangkong.core.audit import audit_row, record, record_many, snapshot
from fangkong.core.csvfile import read_csv_rows
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.healthcode.models import Arrival, DrugClass, Purchase
from fangkong.registry.logic import id_number_problem
from fangkong.registry.models import Person, Venue, VenueType

ORIGIN_MAX = 100
CSV_COLUMNS = ["id_number", "drug_class", "bought_at"]
CSV_MAX_ROWS = 20_000
LOOKUP_CHUNK = 1000  # ID numbers matched per query (parameter limits)
WRITE_CHUNK = 1000


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
    when = cells.past_moment(bought_at, field="bought_at")
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
    when = cells.past_moment(arrived_at, field="arrived_at")
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
    return read_csv_rows(data, columns=CSV_COLUMNS, max_rows=CSV_MAX_ROWS)


@dataclass(frozen=True)
class _Line:
    line: int
    id_number: str
    drug_class: str
    at: dt.datetime


def _parse(rows: list[dict[str, str]], errors: list[dict[str, Any]]) -> list[_Line]:
    """Each line checked as ``do_report_purchase`` checks one sale (drug class, time, ID
    number), in that order; a bad line goes to ``errors`` by number and field."""
    parsed = []
    for line, row in enumerate(rows, start=2):
        id_number = row.get("id_number", "").strip().upper()
        try:
            if row.get("drug_class", "") not in DrugClass.values:
                raise DomainError(_("unknown drug class"), field="drug_class")
            when = cells.past_moment(row.get("bought_at", ""), field="bought_at")
            if not id_number:
                raise DomainError(_("give the ID number or the person number"),
                                  field="id_number")
            problem = id_number_problem(id_number)
            if problem:
                raise DomainError(_("the ID number %(problem)s") % {"problem": problem},
                                  field="id_number")
        except DomainError as exc:
            errors.append({"line": line, "field": exc.field or "", "message": exc.message})
        else:
            parsed.append(_Line(line, id_number, row["drug_class"], when))
    return parsed


def _people_of(id_numbers: set[str], *, lock: bool) -> dict[str, Person]:
    """The residents with these ID numbers (city-wide, like a single sale), one query per
    ``LOOKUP_CHUNK``; ``lock`` takes their rows as ``do_report_purchase`` does, in id order."""
    found: dict[str, Person] = {}
    wanted = sorted(id_numbers)
    for lo in range(0, len(wanted), LOOKUP_CHUNK):
        qs = Person.objects.filter(id_number__in=wanted[lo:lo + LOOKUP_CHUNK]).only(
            "pk", "id_number", "district_id", "street_id", "community_id", "grid_id")
        if lock:
            qs = qs.select_for_update().order_by("pk")
        found.update((p.id_number or "", p) for p in qs)
    return found


def _unknown(lines: list[_Line], people: dict[str, Person],
             errors: list[dict[str, Any]]) -> list[_Line]:
    errors.extend({"line": x.line, "field": "id_number",
                   "message": _("no resident has this ID number")}
                  for x in lines if x.id_number not in people)
    errors.sort(key=lambda e: e["line"])
    return [x for x in lines if x.id_number in people]


def _stored_keys(lines: list[_Line], people: dict[str, Person]
                 ) -> set[tuple[int, str, dt.datetime]]:
    """The sales of the file stored before: (person, class, time) of its people in its span."""
    if not lines:
        return set()
    ids = sorted({people[x.id_number].pk for x in lines})
    first, last = min(x.at for x in lines), max(x.at for x in lines)
    keys: set[tuple[int, str, dt.datetime]] = set()
    for lo in range(0, len(ids), LOOKUP_CHUNK):
        keys.update(Purchase.objects.filter(
            person_id__in=ids[lo:lo + LOOKUP_CHUNK], bought_at__gte=first,
            bought_at__lte=last).values_list("person_id", "drug_class", "bought_at"))
    return keys


def _store_all(actor: Actor, lines: list[_Line], venue: Venue | None,
               answer: CsvAnswer) -> None:
    """Insert the new sales in bulk, one audit row each, then recompute their buyers' codes
    in batches (the caller holds the transaction)."""
    people = _people_of({x.id_number for x in lines}, lock=True)
    seen = _stored_keys(lines, people)
    fresh: list[Purchase] = []
    for x in lines:
        person = people[x.id_number]
        key = (person.pk, x.drug_class, x.at)
        if key in seen:
            answer.unchanged += 1
            continue
        seen.add(key)
        purchase = Purchase(person=person, venue=venue, drug_class=x.drug_class, bought_at=x.at)
        _place_at_residence(purchase, person)
        fresh.append(purchase)
    Purchase.objects.bulk_create(fresh, batch_size=WRITE_CHUNK)
    record_many([audit_row(actor=actor, verb="healthcode.purchase.report", target=p,
                           after=snapshot(p)) for p in fresh])
    answer.stored = len(fresh)
    _recompute_many(actor=actor, person_ids=sorted({p.person_id for p in fresh}))


def _recompute_many(*, actor: Actor, person_ids: list[int]) -> None:
    from fangkong.healthcode import recompute  # lazy: the engine reads these tables
    from fangkong.healthcode.policy import code_policy_in_force

    now = clock.now()
    version = code_policy_in_force(on=timezone.localdate(now))
    for lo in range(0, len(person_ids), recompute.BATCH):
        recompute.recompute_ids(person_ids[lo:lo + recompute.BATCH], now=now, version=version,
                                actor=actor)


def do_import_purchases(*, actor: Actor, data: bytes, venue_id: int | None = None,
                        store_good: bool = False) -> CsvAnswer:
    """A pharmacy's day from a CSV file (``id_number,drug_class,bought_at``). Every line is
    checked first (line, field, message; header is line 1); with any bad line and no
    ``store_good``, nothing is stored. The good lines are then stored set-based: ID numbers
    matched in bulk, sales already stored (or repeated in the file) counted unchanged, the new
    ones inserted in bulk with their audit rows, the buyers' codes recomputed in batches."""
    actor.require(Right.HEALTHCODE_REPORT)
    answer = CsvAnswer()
    rows = _rows(data)
    venue = _pharmacy(actor, venue_id)  # a wrong venue refuses the file, not each line
    lines = _parse(rows, answer.errors)
    lines = _unknown(lines, _people_of({x.id_number for x in lines}, lock=False),
                     answer.errors)
    if answer.errors and not store_good:
        raise CsvRefused(CsvAnswer(errors=answer.errors))
    with transaction.atomic():
        _store_all(actor, lines, venue, answer)
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
