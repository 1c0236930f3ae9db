"""Writes on cases and their trajectories: each ``check_*`` validates and fetches through
scoping, each ``do_*`` performs in one transaction with its audit row inside."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Person, Venue
from fangkong.tracing import logic
from fangkong.tracing.models import (
    Case,
    CaseOrigin,
    Classification,
    FoundIn,
    TrajectoryEntry,
)


def _aware(value: dt.datetime | None, field: str) -> None:
    if value is None:
        return
    if value.tzinfo is None:
        raise DomainError(_("%(field)s needs a time zone offset") % {"field": field},
                          field=field)
    if value > clock.now() + dt.timedelta(minutes=5):
        raise DomainError(_("%(field)s is in the future") % {"field": field}, field=field)


def _choice(value: str, choices: list[str], field: str) -> None:
    if value not in choices:
        raise DomainError(_("%(field)s must be one of %(choices)s")
                          % {"field": field, "choices": ", ".join(choices)}, field=field)


def check_register_case(*, actor: Actor, person_id: int, classification: str,
                        sample_date: dt.date, result_at: dt.datetime,
                        onset_date: dt.date | None, found_in: str, isolated_at: dt.datetime | None,
                        origin: str, external_id: int | None) -> Person:
    actor.require(Right.TRACING_INVESTIGATE)
    _choice(classification, Classification.values, "classification")
    _choice(found_in, FoundIn.values, "found_in")
    _choice(origin, CaseOrigin.values, "origin")
    _aware(result_at, "result_at")
    _aware(isolated_at, "isolated_at")
    if sample_date > clock.city_today():
        raise DomainError(_("the sample date is in the future"), field="sample_date")
    if timezone.localtime(result_at).date() < sample_date:
        raise DomainError(_("the result is dated before the sample"), field="result_at")
    person = get_scoped(Person.objects.all(), actor, what="person", pk=person_id)
    if Case.objects.filter(person=person).exists():
        raise DomainError(_("this person is already a case"), field="person_id")
    if external_id is not None and Case.objects.filter(external_id=external_id).exists():
        raise DomainError(_("this external id belongs to another case"), field="external_id")
    return person


def do_register_case(*, actor: Actor, person_id: int, classification: str,
                     sample_date: dt.date, result_at: dt.datetime,
                     onset_date: dt.date | None = None, found_in: str = "community",
                     isolated_at: dt.datetime | None = None, origin: str = "manual",
                     external_id: int | None = None) -> Case:
    """A new index case, placed at the person's grid and confirmed now."""
    with transaction.atomic():
        person = check_register_case(
            actor=actor, person_id=person_id, classification=classification,
            sample_date=sample_date, result_at=result_at, onset_date=onset_date,
            found_in=found_in, isolated_at=isolated_at, origin=origin, external_id=external_id)
        now = clock.now()
        case = Case(person=person, classification=classification, sample_date=sample_date,
                    result_at=result_at, confirmed_at=now, onset_date=onset_date,
                    found_in=found_in, isolated_at=isolated_at, origin=origin,
                    external_id=external_id, created_by_id=actor.user_id, created_at=now)
        _place(case, person)
        case.save()
        record(actor=actor, verb="tracing.case.register", target=case, after=snapshot(case))
    return case


def _place(row: Any, like: Any) -> None:
    """Copy the Placed columns of ``like`` (a person, a case, a venue) onto ``row``."""
    row.district_id, row.street_id = like.district_id, like.street_id
    row.community_id, row.grid_id = like.community_id, like.grid_id


def _locked_case(actor: Actor, case_id: int) -> Case:
    return get_scoped(Case.objects.select_for_update(), actor, what="case", pk=case_id)


def do_reclassify_case(*, actor: Actor, case_id: int, classification: str,
                       onset_date: dt.date | None = None) -> Case:
    """Asymptomatic → confirmed (the conversion, 转确诊) sets ``converted_at``; a confirmed
    case does not go back."""
    actor.require(Right.TRACING_INVESTIGATE)
    _choice(classification, Classification.values, "classification")
    with transaction.atomic():
        case = _locked_case(actor, case_id)
        before = snapshot(case)
        if classification == case.classification and onset_date is None:
            raise Conflict(_("the case is already %(classification)s")
                           % {"classification": classification}, field="classification")
        if case.classification == Classification.CONFIRMED != classification:
            raise Conflict(_("a confirmed case stays confirmed"), field="classification")
        if case.classification != classification:
            case.converted_at = clock.now()
        case.classification = classification
        case.onset_date = onset_date or case.onset_date
        case.save()
        record(actor=actor, verb="tracing.case.reclassify", target=case, before=before,
               after=snapshot(case))
    return case


def do_update_case(*, actor: Actor, case_id: int, isolated_at: dt.datetime | None = None,
                   found_in: str | None = None, hospital: str | None = None,
                   transfer_requested_at: dt.datetime | None = None,
                   hospital_admitted_at: dt.datetime | None = None) -> Case:
    """Isolation and the transfer to hospital (应转尽转); fields left None are unchanged."""
    actor.require(Right.TRACING_INVESTIGATE)
    for name, value in (("isolated_at", isolated_at),
                        ("transfer_requested_at", transfer_requested_at),
                        ("hospital_admitted_at", hospital_admitted_at)):
        _aware(value, name)
    if found_in is not None:
        _choice(found_in, FoundIn.values, "found_in")
    given: dict[str, object] = {
        "isolated_at": isolated_at, "found_in": found_in, "hospital": hospital,
        "transfer_requested_at": transfer_requested_at,
        "hospital_admitted_at": hospital_admitted_at}
    changes = {k: v for k, v in given.items() if v is not None}
    with transaction.atomic():
        case = _locked_case(actor, case_id)
        before = snapshot(case)
        for name, new in changes.items():
            setattr(case, name, new.strip() if isinstance(new, str) else new)
        if (case.transfer_requested_at and case.hospital_admitted_at
                and case.hospital_admitted_at < case.transfer_requested_at):
            raise DomainError(_("admitted before the transfer was requested"),
                              field="hospital_admitted_at")
        case.save()
        record(actor=actor, verb="tracing.case.update", target=case, before=before,
               after=snapshot(case))
    return case


def check_link_source(*, actor: Actor, case: Case, source_case_id: int | None) -> Case | None:
    if source_case_id is None:
        return None
    if source_case_id == case.pk:
        raise DomainError(_("a case cannot be its own source"), field="source_case_id")
    source = get_scoped(Case.objects.select_for_update(), actor, what="source case",
                        pk=source_case_id)

    def source_of(case_id: int) -> int | None:
        return Case.objects.filter(pk=case_id).values_list("source_case_id", flat=True).first()

    if logic.would_cycle(case_id=case.pk, source_id=source.pk, source_of=source_of):
        raise DomainError(_("this link would make a loop in the chain"),
                          field="source_case_id")
    return source


def do_link_source(*, actor: Actor, case_id: int, source_case_id: int | None,
                   note: str = "") -> Case:
    """Record (or clear, with None) who infected the case, as the investigation found."""
    actor.require(Right.TRACING_INVESTIGATE)
    with transaction.atomic():
        case = _locked_case(actor, case_id)
        before = snapshot(case)
        source = check_link_source(actor=actor, case=case, source_case_id=source_case_id)
        case.source_case = source
        case.source_note = note.strip()[:200]
        case.save(update_fields=["source_case", "source_note"])
        record(actor=actor, verb="tracing.case.link_source", target=case, before=before,
               after=snapshot(case))
    return case


def do_add_entry(*, actor: Actor, case_id: int, start: dt.datetime,
                 end: dt.datetime | None = None, place: str = "", venue_id: int | None = None,
                 transport: str = "", companions: str = "", note: str = "") -> TrajectoryEntry:
    """One place and time the case told the interviewer; a venue anywhere in the city."""
    actor.require(Right.TRACING_INVESTIGATE)
    _aware(start, "start")
    _aware(end, "end")
    if end is not None and end < start:
        raise DomainError(_("the end is before the start"), field="end")
    venue = Venue.objects.filter(pk=venue_id).first() if venue_id is not None else None
    if venue_id is not None and venue is None:
        raise DomainError(_("no such venue"), field="venue_id")
    if venue is None and not place.strip():
        raise DomainError(_("name the place or pick a venue"), field="place")
    with transaction.atomic():
        case = _locked_case(actor, case_id)
        entry = TrajectoryEntry(case=case, start=start, end=end, place=place.strip()[:200],
                                venue=venue, transport=transport.strip()[:120],
                                companions=companions.strip()[:300], note=note.strip(),
                                created_by_id=actor.user_id, created_at=clock.now())
        _place(entry, case)
        entry.save()
        record(actor=actor, verb="tracing.entry.add", target=entry, after=snapshot(entry))
    return entry


def do_delete_entry(*, actor: Actor, entry_id: int) -> None:
    actor.require(Right.TRACING_INVESTIGATE)
    with transaction.atomic():
        entry = get_scoped(TrajectoryEntry.objects.select_for_update(), actor,
                           what="trajectory entry", pk=entry_id)
        before = snapshot(entry)
        record(actor=actor, verb="tracing.entry.delete", target=entry, before=before)
        entry.delete()
