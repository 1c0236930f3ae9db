"""Arrivals seen at a checkpoint (a station, an airport, a road): typed at the counter or
uploaded as a list. Each is stored once: by its ``client_key``, or without one by the ID
number (else phone and name) and the arrival time. A matched arrival is Placed at the
person's residence, reported to the health code (so its pop-up follows) and given its test
schedule; an arrival from a listed origin, or one the registry does not know, goes on a grid's
follow-up list (the unknown at the checkpoint's unit, for the city to place).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import cells, clock
from fangkong.core.audit import record, snapshot
from fangkong.core.csvfile import read_csv_rows
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.healthcode.reports import do_report_arrival
from fangkong.registry.logic import id_number_problem
from fangkong.registry.models import Person
from fangkong.warning import logic_arrivals
from fangkong.warning.followups import open_follow_up
from fangkong.warning.models import (
    ArrivalBatch,
    ArrivalRecord,
    ArrivalSource,
    ArrivalTest,
    FollowUpKind,
    RiskOrigin,
)
from fangkong.warning.origins import listed_origin
from fangkong.warning.policy import warning_rules


@dataclass(frozen=True)
class ArrivalInput:
    source: str
    checkpoint: str
    arrived_at: dt.datetime
    id_number: str
    name: str
    phone: str
    origin: str
    client_key: str


@dataclass
class Stored:
    record: ArrivalRecord
    created: bool


def may_record(actor: Actor) -> None:
    """A checkpoint records at its counter; the district's managers upload lists."""
    if not actor.can(Right.CHECKPOINT):
        actor.require(Right.WARNING_MANAGE)
    if actor.unit is None:
        raise DomainError(_("your account has no place in the city's tree"), field="checkpoint")


def _text(value: str, *, field: str, most: int) -> str:
    value = (value or "").strip()
    if len(value) > most:
        raise DomainError(_("%(field)s has at most %(n)d characters")
                          % {"field": field, "n": most}, field=field)
    return value


def check_arrival(*, source: str, checkpoint: str, arrived_at: dt.datetime | str,
                  id_number: str = "", name: str = "", phone: str = "", origin: str = "",
                  client_key: str = "") -> ArrivalInput:
    """Validate one arrival, naming the first bad field."""
    if source not in ArrivalSource.values:
        raise DomainError(_("unknown source (station, airport, highway or declaration)"),
                          field="source")
    checkpoint = _text(checkpoint, field="checkpoint", most=100)
    if not checkpoint:
        raise DomainError(_("name the checkpoint"), field="checkpoint")
    when = cells.past_moment(arrived_at, field="arrived_at")
    id_number = _text(id_number, field="id_number", most=18).upper()
    problem = id_number_problem(id_number) if id_number else None
    if problem:
        raise DomainError(_("the ID number %(problem)s") % {"problem": problem},
                          field="id_number")
    name, phone = _text(name, field="name", most=64), _text(phone, field="phone", most=20)
    if phone and not phone.lstrip("+").isdigit():
        raise DomainError(_("the phone number has digits only"), field="phone")
    if not id_number and not (name and phone):
        raise DomainError(_("give the ID number, or the name and the phone number"),
                          field="id_number")
    return ArrivalInput(source, checkpoint, when, id_number, name, phone,
                        _text(origin, field="origin", most=100),
                        _text(client_key, field="client_key", most=64))


def match_person(given: ArrivalInput) -> Person | None:
    """The registry's resident: by ID number, else by phone and name when exactly one fits."""
    people = Person.objects.filter(purged=False, inactive_since__isnull=True)
    if given.id_number:
        return people.filter(id_number=given.id_number).first()
    found = list(people.filter(phone=given.phone, name=given.name)[:2])
    return found[0] if len(found) == 1 else None


def _key(given: ArrivalInput) -> str:
    """Without a client key, the same person at the same moment is the same arrival."""
    if given.client_key:
        return given.client_key
    who = given.id_number or f"{given.phone}|{given.name}"
    stamp = given.arrived_at.astimezone(dt.UTC).isoformat()
    return "auto-" + hashlib.sha256(f"{who}|{stamp}".encode()).hexdigest()[:40]


def _existing(given: ArrivalInput) -> ArrivalRecord | None:
    if given.client_key:
        return ArrivalRecord.objects.filter(source=given.source,
                                            client_key=given.client_key).first()
    same = ArrivalRecord.objects.filter(arrived_at=given.arrived_at)
    if given.id_number:
        return same.filter(id_number=given.id_number).first()
    return same.filter(id_number="", phone=given.phone, name=given.name).first()


def do_record_arrival(*, actor: Actor, batch: ArrivalBatch | None = None,
                      **fields: str | dt.datetime) -> Stored:
    """Store one arrival (or find it stored already): match, report, schedule, follow up."""
    may_record(actor)
    given = check_arrival(**fields)  # type: ignore[arg-type]
    with transaction.atomic():
        found = _existing(given)
        if found is not None:
            return Stored(found, created=False)
        person = match_person(given)
        day = timezone.localdate(given.arrived_at)
        origin = listed_origin(given.origin, on=day)
        row = _new_record(actor, given, person=person, origin=origin, batch=batch)
        if person is not None:
            _report_to_code(actor, row, person)
            _schedule_tests(row, person, listed=origin is not None)
        record(actor=actor, verb="warning.arrival.record", target=row, after=snapshot(row))
        if origin is not None or person is None:
            _follow_up(row, person, actor)
    return Stored(row, created=True)


def _new_record(actor: Actor, given: ArrivalInput, *, person: Person | None,
                origin: RiskOrigin | None, batch: ArrivalBatch | None) -> ArrivalRecord:
    row = ArrivalRecord(batch=batch, source=given.source, checkpoint=given.checkpoint,
                        arrived_at=given.arrived_at, origin=given.origin, risk_origin=origin,
                        id_number=given.id_number, name=given.name, phone=given.phone,
                        person=person, client_key=_key(given), recorded_at=clock.now())
    if person is not None:
        row.district_id, row.street_id = person.district_id, person.street_id
        row.community_id, row.grid_id = person.community_id, person.grid_id
    else:
        assert actor.unit is not None  # may_record refused an actor without one
        row.place_in(actor.unit)
    row.save()
    return row


def _report_to_code(actor: Actor, row: ArrivalRecord, person: Person) -> None:
    """The code reads ``healthcode.Arrival``: the checkpoint reports it as a station would
    (its role lacks ``healthcode.report`` itself, so the right is lent for this one call)."""
    reporter = dataclasses.replace(actor, rights=actor.rights | {Right.HEALTHCODE_REPORT})
    who = {"id_number": person.id_number} if person.id_number else {"person_id": person.pk}
    try:
        stored = do_report_arrival(actor=reporter, arrived_at=row.arrived_at,
                                   origin=row.origin[:100],
                                   from_risk_area=row.risk_origin_id is not None, **who)
    except NotFound:  # no ID number and outside the checkpoint's scope: the grid reports it
        return
    row.code_arrival = stored.row  # type: ignore[assignment]
    row.save(update_fields=["code_arrival"])


def _schedule_tests(row: ArrivalRecord, person: Person, *, listed: bool) -> None:
    rules = warning_rules(on=timezone.localdate(row.arrived_at))
    dues = logic_arrivals.schedule(rules, timezone.localtime(row.arrived_at), listed)
    tests = []
    for due in dues:
        test = ArrivalTest(record=row, person=person, sequence=due.sequence,
                           due_date=due.due_date)
        test.district_id, test.street_id = row.district_id, row.street_id
        test.community_id, test.grid_id = row.community_id, row.grid_id
        tests.append(test)
    ArrivalTest.objects.bulk_create(tests)


def _follow_up(row: ArrivalRecord, person: Person | None, actor: Actor) -> None:
    rules = warning_rules(on=timezone.localdate(row.arrived_at))
    if person is None:
        summary = _("Arrival not in the registry at %(checkpoint)s from %(origin)s: place them") \
            % {"checkpoint": row.checkpoint, "origin": row.origin or "?"}
    else:
        summary = _("Arrived at %(checkpoint)s from a listed origin (%(origin)s)") \
            % {"checkpoint": row.checkpoint, "origin": row.origin}
    open_follow_up(kind=FollowUpKind.ARRIVAL, source_id=row.pk, person=person,
                   place=actor.unit, summary=summary, now=clock.now(),
                   due_in=dt.timedelta(hours=rules.follow_up_hours))


# ---------------------------------------------------------------- a list (CSV)

CSV_COLUMNS = ["source", "checkpoint", "arrived_at", "id_number", "name", "phone", "origin"]
CSV_MAX_ROWS = 20_000


@dataclass
class ListAnswer:
    stored: int = 0
    unchanged: int = 0
    matched: int = 0
    unmatched: int = 0
    batch_id: int | None = None
    errors: list[dict[str, object]] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


class ListRefused(DomainError):
    """Bad lines and no leave to store the good ones: nothing was stored."""

    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__(_("%(n)d lines refused; nothing stored") % {"n": len(errors)},
                         field="file")
        self.answer = ListAnswer(errors=errors)


def read_rows(data: bytes) -> list[dict[str, str]]:
    return read_csv_rows(data, columns=CSV_COLUMNS, max_rows=CSV_MAX_ROWS)


def do_import_arrivals(*, actor: Actor, data: bytes, file_name: str = "",
                       store_good: bool = False) -> ListAnswer:
    """A list of arrivals; each line in its own savepoint so a bad one is reported (line,
    field, message; the header is line 1). With a bad line and no ``store_good`` nothing is
    stored, the batch included."""
    may_record(actor)
    rows = read_rows(data)
    answer = ListAnswer()
    with transaction.atomic():
        batch = ArrivalBatch.objects.create(
            source=_batch_source(rows), checkpoint=(rows[0].get("checkpoint", "") if rows
                                                    else "")[:100],
            file_name=file_name[:200], uploaded_by_id=actor.user_id, uploaded_at=clock.now())
        for line, row in enumerate(rows, start=2):
            _import_line(actor, batch, line, row, answer)
        if answer.errors and not store_good:
            transaction.set_rollback(True)
        else:
            _close_batch(actor, batch, answer, rows=len(rows))
    if answer.errors and not store_good:
        raise ListRefused(answer.errors)
    return answer


def _batch_source(rows: list[dict[str, str]]) -> str:
    first = rows[0].get("source", "") if rows else ""
    return first if first in ArrivalSource.values else ArrivalSource.STATION


def _import_line(actor: Actor, batch: ArrivalBatch, line: int, row: dict[str, str],
                 answer: ListAnswer) -> None:
    values = {k: row.get(k, "") for k in CSV_COLUMNS}
    try:
        with transaction.atomic():
            stored = do_record_arrival(actor=actor, batch=batch,
                                       client_key=row.get("client_key", ""), **values)
    except DomainError as exc:
        answer.errors.append({"line": line, "field": exc.field or "", "message": exc.message})
        return
    if not stored.created:
        answer.unchanged += 1
        return
    answer.stored += 1
    if stored.record.person_id is None:
        answer.unmatched += 1
    else:
        answer.matched += 1


def _close_batch(actor: Actor, batch: ArrivalBatch, answer: ListAnswer, *, rows: int) -> None:
    batch.rows, batch.matched, batch.unmatched = rows, answer.matched, answer.unmatched
    batch.rejected = len(answer.errors)
    batch.save(update_fields=["rows", "matched", "unmatched", "rejected"])
    record(actor=actor, verb="warning.arrival.upload", target=batch, after=snapshot(batch))
    answer.batch_id = batch.pk


# ---------------------------------------------------------------- reads (scoped)


@dataclass
class ArrivalRow:
    record: ArrivalRecord
    tests: list[tuple[ArrivalTest, str]]  # each with its state: done, due or missed


def arrivals_for(actor: Actor, *, grid_id: int | None = None,
                 listed_only: bool = False) -> QuerySet[ArrivalRecord]:
    """The arrivals placed in the actor's subtree, newest first."""
    actor.require(Right.WARNING_VIEW)
    rows = scope(ArrivalRecord.objects.all(), actor).select_related("person", "grid")
    if grid_id is not None:
        rows = rows.filter(grid_id=grid_id)
    if listed_only:
        rows = rows.filter(risk_origin__isnull=False)
    return rows.order_by("-arrived_at", "-pk")


def with_tests(rows: Iterable[ArrivalRecord], *, today: dt.date) -> list[ArrivalRow]:
    records = list(rows)
    tests: dict[int, list[tuple[ArrivalTest, str]]] = {r.pk: [] for r in records}
    for test in ArrivalTest.objects.filter(record__in=records).order_by("record_id", "sequence"):
        state = logic_arrivals.state_of(due_date=test.due_date,
                                          done=test.done_at is not None, today=today)
        tests[test.record_id].append((test, state))
    return [ArrivalRow(r, tests[r.pk]) for r in records]
