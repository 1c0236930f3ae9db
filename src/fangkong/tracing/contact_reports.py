"""Possible contacts told by hand: a resident's own report, a hotline call, staff. They are
leads, not contacts: a tracer confirms one against an index case of their area, which makes a
close ``Contact`` (rule ``reported``) that then follows the same workflow as the engine's
rows (work list, escalation, funnel), or dismisses it with a note.

``tracing`` knows nothing of where a report came from beyond ``source`` and ``source_ref``
(e.g. ``warning.selfreport:12``); the caller stores it in its own transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.tracing.detection import NEW_STATE
from fangkong.tracing.models import (
    Case,
    Contact,
    ContactReport,
    ContactRule,
    ContactType,
    ReportSource,
    ReportStatus,
)

LOOKBACK = dt.timedelta(days=60)  # a contact older than this no longer needs tracing


def _text(value: str, *, field: str, most: int) -> str:
    value = (value or "").strip()
    if len(value) > most:
        raise DomainError(_("at most %(n)d characters") % {"n": most}, field=field)
    return value


def check_report(*, actor: Actor, person: Person, source: str, source_ref: str,
                 exposure_on: dt.date) -> None:
    """A resident's link vouches for its own person; staff and hotline must see the person."""
    if source not in ReportSource.values:
        raise DomainError(_("unknown source of report"), field="source")
    if not source_ref.strip() or len(source_ref) > 64:
        raise DomainError(_("give the reference of the report (at most 64 characters)"),
                          field="source_ref")
    if source != ReportSource.SELF_REPORT:
        get_scoped(Person.objects.all(), actor, what="person", pk=person.pk)
    today = clock.city_today()
    if exposure_on > today:
        raise DomainError(_("the date is in the future"), field="exposure_on")
    if exposure_on < today - LOOKBACK:
        raise DomainError(_("the date is more than 60 days ago"), field="exposure_on")


def do_report_possible_contact(*, actor: Actor, person: Person, source: str, source_ref: str,
                               exposure_on: dt.date, place: str = "", about_case: str = "",
                               note: str = "") -> tuple[ContactReport, bool]:
    """Store the lead once per ``source_ref`` (a resend returns the stored one and False),
    placed at the person's residence for that area's tracers."""
    check_report(actor=actor, person=person, source=source, source_ref=source_ref,
                 exposure_on=exposure_on)
    values = {"place": _text(place, field="place", most=200),
              "about_case": _text(about_case, field="about_case", most=200),
              "note": (note or "").strip()}
    with transaction.atomic():
        found = ContactReport.objects.filter(source_ref=source_ref).first()
        if found is not None:
            if found.person_id != person.pk:
                raise Conflict(_("this reference belongs to another person's report"),
                               field="source_ref")
            return found, False
        report = ContactReport(person=person, source=source, source_ref=source_ref,
                               reported_at=clock.now(), exposure_on=exposure_on,
                               created_by_id=actor.user_id, **values)
        _copy_place(report, person)
        report.save()
        record(actor=actor, verb="tracing.contact_report.add", target=report,
               after=snapshot(report))
    return report, True


def _copy_place(row: ContactReport | Contact, person: Person) -> None:
    """The residence's place, as detection places its contacts."""
    row.district_id, row.street_id = person.district_id, person.street_id
    row.community_id, row.grid_id = person.community_id, person.grid_id


def _open_report(actor: Actor, report_id: int) -> ContactReport:
    actor.require(Right.TRACING_INVESTIGATE)
    report = get_scoped(ContactReport.objects.select_for_update(), actor,
                        what="contact report", pk=report_id)
    if report.status != ReportStatus.NEW:
        raise Conflict(_("this report was already decided (%(status)s)")
                       % {"status": report.get_status_display()}, field="status")
    return report


def exposure_window(report: ContactReport, first: dt.datetime | None,
                    last: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """The tracer's times, else the whole told day (its end counts the quarantine from the
    latest moment the contact could have been)."""
    tz = timezone.get_default_timezone()
    first = first or dt.datetime.combine(report.exposure_on, dt.time(0), tzinfo=tz)
    last = last or dt.datetime.combine(report.exposure_on, dt.time(23, 59), tzinfo=tz)
    for name, value in (("first_exposure", first), ("last_exposure", last)):
        if value.tzinfo is None:
            raise DomainError(_("%(field)s needs a time zone offset") % {"field": name},
                              field=name)
    if last < first:
        raise DomainError(_("the last exposure is before the first"), field="last_exposure")
    if first > clock.now():
        raise DomainError(_("the exposure is in the future"), field="first_exposure")
    return first, last


def check_confirm(*, actor: Actor, report: ContactReport, case_id: int) -> Case:
    """The index case must be in the actor's area and not the person themself; a person who
    is a case is never a contact (as for the engine)."""
    case = get_scoped(Case.objects.all(), actor, what="case", pk=case_id)
    if case.person_id == report.person_id:
        raise DomainError(_("the person is this case"), field="case_id")
    if Case.objects.filter(person_id=report.person_id).exists():
        raise DomainError(_("the person is a case: dismiss the report"), field="case_id")
    return case


def do_confirm_contact_report(*, actor: Actor, report_id: int, case_id: int,
                              first_exposure: dt.datetime | None = None,
                              last_exposure: dt.datetime | None = None,
                              note: str = "") -> ContactReport:
    """Make the report a close contact of the case, starting identified now, placed at the
    residence (the grid's work list). If the person is already a close contact of that case,
    the report is linked to that row and nothing new is made."""
    with transaction.atomic():
        report = _open_report(actor, report_id)
        case = check_confirm(actor=actor, report=report, case_id=case_id)
        first, last = exposure_window(report, first_exposure, last_exposure)
        before = snapshot(report)
        contact = Contact.objects.filter(person_id=report.person_id, index_case=case,
                                         contact_type=ContactType.CLOSE).first()
        if contact is None:
            contact = _new_contact(actor, report, case, first, last)
        report.status, report.index_case, report.contact = ReportStatus.CONFIRMED, case, contact
        _decide(actor, report, note)
        record(actor=actor, verb="tracing.contact_report.confirm", target=report,
               before=before, after=snapshot(report))
    return report


def _new_contact(actor: Actor, report: ContactReport, case: Case, first: dt.datetime,
                 last: dt.datetime) -> Contact:
    contact = Contact(person_id=report.person_id, index_case=case,
                      contact_type=ContactType.CLOSE, rule=ContactRule.REPORTED,
                      first_exposure=first, last_exposure=last, identified_at=clock.now(),
                      **NEW_STATE)
    _copy_place(contact, report.person)
    contact.save()
    record(actor=actor, verb="tracing.contact.add", target=contact, after=snapshot(contact))
    return contact


def _decide(actor: Actor, report: ContactReport, note: str) -> None:
    report.decided_by_id, report.decided_at = actor.user_id, clock.now()
    report.note = "\n".join(x for x in (report.note, (note or "").strip()) if x)
    report.save()


def do_dismiss_contact_report(*, actor: Actor, report_id: int, note: str) -> ContactReport:
    """Not a contact (or not one to trace): the note says why."""
    if not (note or "").strip():
        raise DomainError(_("say why the report is dismissed"), field="note")
    with transaction.atomic():
        report = _open_report(actor, report_id)
        before = snapshot(report)
        report.status = ReportStatus.DISMISSED
        _decide(actor, report, note)
        record(actor=actor, verb="tracing.contact_report.dismiss", target=report,
               before=before, after=snapshot(report))
    return report


# ---------------------------------------------------------------- reads


def reports_for(*, actor: Actor, status: str = ReportStatus.NEW, after: int | None = None,
                limit: int = 50) -> list[ContactReport]:
    """Reports living in the actor's area, newest first, by key (``after``: the last id)."""
    actor.require(Right.TRACING_INVESTIGATE)
    qs = scope(ContactReport.objects.select_related(
        "person", "grid", "index_case", "contact", "decided_by"), actor)
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    return list(qs.order_by("-pk")[: max(1, min(limit, 500))])


def get_report(*, actor: Actor, report_id: int) -> ContactReport:
    actor.require(Right.TRACING_INVESTIGATE)
    return get_scoped(ContactReport.objects.select_related("person", "index_case", "contact"),
                      actor, what="contact report", pk=report_id)
