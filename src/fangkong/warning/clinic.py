"""Fever-clinic visits (发热门诊 sentinel). The clinic reads the ID number off the card; a person
the registry knows is placed at their residence (their grid follows them up), anyone else by
name and phone at the clinic's place. A visit is stored once per (clinic, client key) however
often the device resends it. A visit with fever (at or above the rules' ``fever_celsius``)
and no sample taken opens a follow-up for the grid: someone with a fever left without a test.

A clinic's day also comes as CSV (``healthcode/reports.py``'s pattern): every bad line is
reported by number and field, and the good ones are stored only when asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import cells, clock
from fangkong.core.audit import record, snapshot
from fangkong.core.csvfile import read_csv_rows
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.healthcode.reports import CsvAnswer, CsvRefused
from fangkong.registry.logic import id_number_problem
from fangkong.registry.models import Person, Venue, VenueType
from fangkong.warning.followups import open_follow_up
from fangkong.warning.models import ClinicVisit, FollowUpKind
from fangkong.warning.policy import warning_rules

# The fever line of the clinics' triage (37.3 ℃); a policy setting once WarningRules has one.


def fever_line(*, on: dt.datetime) -> Decimal:
    """The temperature from which an unsampled visitor is followed up, in the rules of the
    visit's day."""
    return Decimal(str(warning_rules(on=timezone.localdate(on)).fever_celsius))
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))
KEY_MAX = 64
CSV_COLUMNS = ["client_key", "visited_at", "temperature", "sampled", "id_number", "name",
               "phone"]
BATCH_MAX = 1000
YES = {"1", "true", "yes", "y", "是"}
NO = {"", "0", "false", "no", "n", "否"}
CSV_MAX_ROWS = 5_000


@dataclass
class Stored:
    visit: ClinicVisit
    created: bool


def clinics_of(actor: Actor) -> list[Venue]:
    """The hospitals in the actor's scope (a clinic user is bound to its hospital's grid)."""
    return list(scope(Venue.objects.filter(type=VenueType.HOSPITAL), actor).order_by("name")[:200])


def _clinic(actor: Actor, clinic_id: int | None) -> Venue:
    found = clinics_of(actor)
    if clinic_id is None and len(found) == 1:
        return found[0]
    venue = next((v for v in found if v.pk == clinic_id), None)
    if venue is None:
        raise DomainError(_("choose a hospital in your jurisdiction"), field="clinic_id")
    return venue


def _temperature(value: Decimal | float | str | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = cells.finite_decimal(value, places="0.1")
    if found is None:
        raise DomainError(_("the temperature is not a number"), field="temperature")
    low, high = TEMPERATURE_RANGE
    if not low <= found <= high:
        raise DomainError(_("the temperature must be between %(low)s and %(high)s ℃")
                          % {"low": low, "high": high}, field="temperature")
    return found


def _who(id_number: str, name: str, phone: str) -> Person | None:
    """The registered person of the ID number, or None when name and phone stand in."""
    id_number = id_number.strip().upper()
    if id_number:
        problem = id_number_problem(id_number)
        if problem:
            raise DomainError(_("the ID number %(problem)s") % {"problem": problem},
                              field="id_number")
        person = Person.objects.filter(id_number=id_number).first()
        if person is not None:
            return person
    if not name.strip():
        raise DomainError(_("not in the registry: give the name"), field="name")
    if not phone.strip():
        raise DomainError(_("not in the registry: give the phone number"), field="phone")
    return None


def _checked_key(client_key: str) -> str:
    key = client_key.strip()
    if not key or len(key) > KEY_MAX:
        raise DomainError(_("a client key of 1 to %(n)d characters is needed") % {"n": KEY_MAX},
                          field="client_key")
    return key


def do_report_visit(*, actor: Actor, client_key: str, visited_at: dt.datetime | str,
                    temperature: Decimal | float | str | None = None, sampled: bool = False,
                    id_number: str = "", name: str = "", phone: str = "",
                    clinic_id: int | None = None) -> Stored:
    """Store one visit (or find it stored under its key); a fever without a sample opens a
    follow-up in the same transaction as the visit and its audit row."""
    actor.require(Right.CLINIC_REPORT)
    key = _checked_key(client_key)
    clinic = _clinic(actor, clinic_id)
    found = ClinicVisit.objects.filter(clinic=clinic, client_key=key).first()
    if found is not None:
        return Stored(found, created=False)
    when = cells.past_moment(visited_at, field="visited_at")
    degrees = _temperature(temperature)
    person = _who(id_number, name, phone)
    with transaction.atomic():
        visit = ClinicVisit(clinic=clinic, person=person, visited_at=when, temperature=degrees,
                            sampled=sampled, client_key=key, reported_by_id=actor.user_id,
                            recorded_at=clock.now(),
                            name="" if person else name.strip()[:64],
                            phone="" if person else phone.strip()[:20])
        _place(visit, person or clinic)
        visit.save()
        record(actor=actor, verb="warning.clinic.visit", target=visit,
               after=snapshot(visit, exclude=("phone",)))
        if degrees is not None and degrees >= fever_line(on=when) and not sampled:
            _follow_up(visit, clinic)
    return Stored(visit, created=True)


def csv_lines(data: bytes) -> list[dict[str, str]]:
    return read_csv_rows(data, columns=CSV_COLUMNS, max_rows=CSV_MAX_ROWS)


def _place(visit: ClinicVisit, where: Person | Venue) -> None:
    visit.district_id, visit.street_id = where.district_id, where.street_id
    visit.community_id, visit.grid_id = where.community_id, where.grid_id


def _follow_up(visit: ClinicVisit, clinic: Venue) -> None:
    now = clock.now()
    hours = warning_rules(on=timezone.localdate(now)).follow_up_hours
    summary = _("fever %(t)s ℃ at %(clinic)s on %(day)s, no sample taken") % {
        "t": visit.temperature, "clinic": clinic.name,
        "day": timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M")}
    place = AdminUnit.objects.filter(pk=clinic.grid_id).first() if clinic.grid_id else None
    open_follow_up(kind=FollowUpKind.CLINIC, source_id=visit.pk, person=visit.person,
                   place=place, summary=summary, now=now, due_in=dt.timedelta(hours=hours))


def _yes(value: str) -> bool:
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise DomainError(_("sampled must be yes or no"), field="sampled")


def do_import_visits(*, actor: Actor, data: bytes, clinic_id: int | None = None,
                     store_good: bool = False) -> CsvAnswer:
    """A clinic's day (columns ``CSV_COLUMNS``), each line in its own savepoint; with a bad
    line and no ``store_good``, nothing is stored (``CsvRefused`` lists every bad line)."""
    actor.require(Right.CLINIC_REPORT)
    rows = csv_lines(data)
    clinic = _clinic(actor, clinic_id)  # a wrong clinic refuses the file, not each line
    answer = CsvAnswer()
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            try:
                with transaction.atomic():
                    stored = do_report_visit(
                        actor=actor, clinic_id=clinic.pk, client_key=row.get("client_key", ""),
                        visited_at=row.get("visited_at", ""),
                        temperature=row.get("temperature", ""),
                        sampled=_yes(row.get("sampled", "")), id_number=row.get("id_number", ""),
                        name=row.get("name", ""), phone=row.get("phone", ""))
            except DomainError as exc:
                answer.errors.append({"line": line, "field": exc.field or "",
                                      "message": exc.message})
            else:
                answer.stored += stored.created
                answer.unchanged += not stored.created
        if answer.errors and not store_good:
            transaction.set_rollback(True)
    if answer.errors and not store_good:
        raise CsvRefused(CsvAnswer(errors=answer.errors))
    return answer


def do_report_batch(*, actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A device's queue of visits, each answered by its ``client_key``: ``stored``,
    ``unchanged`` or ``refused`` with the field; a refused row does not stop the others."""
    actor.require(Right.CLINIC_REPORT)
    if len(rows) > BATCH_MAX:
        raise DomainError(_("at most %(n)d rows at once") % {"n": BATCH_MAX}, field="rows")
    answers = []
    for row in rows:
        answer: dict[str, Any] = {"client_key": row.get("client_key", "")}
        try:
            stored = do_report_visit(actor=actor, **row)
        except DomainError as exc:
            answer.update(status="refused", field=exc.field or "", detail=exc.message)
        else:
            answer.update(status="stored" if stored.created else "unchanged",
                          id=stored.visit.pk)
        answers.append(answer)
    return answers
