"""A resident's own report through their signed link (no login; ``healthcode.resident``):
travel (from where, when), symptoms (which, since when) or contact with a case (when, where,
who if known). Stored once per ``client_key``, Placed at the residence, audited in the
resident-link's name, and put on the grid's follow-up list.

A contact report also becomes a tracing lead (``tracing.ContactReport``, source
``self_report``, reference ``warning.selfreport:<id>``) in the same transaction: the residence
district's tracers confirm it against an index case or dismiss it. The grid's follow-up stays
(the grid still calls the person); its summary starts with the lead's reference
(``[tracing #<id>]``) so the grid can tell the person it is with the tracers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError
from fangkong.healthcode.resident import link_actor
from fangkong.registry.models import Person
from fangkong.tracing.contact_reports import do_report_possible_contact
from fangkong.tracing.models import ContactReport, ReportSource
from fangkong.warning.followups import open_follow_up
from fangkong.warning.models import FollowUpKind, SelfReport, SelfReportKind
from fangkong.warning.origins import listed_origin
from fangkong.warning.policy import warning_rules

TRACERS_MARK = "[tracing #"  # how a contact report's follow-up summary starts
SYMPTOMS = {
    "fever": gettext_lazy("fever"),
    "cough": gettext_lazy("cough"),
    "sore_throat": gettext_lazy("sore throat"),
    "fatigue": gettext_lazy("fatigue or aches"),
    "smell_taste": gettext_lazy("loss of smell or taste"),
    "breathing": gettext_lazy("short of breath"),
}
LOOKBACK = dt.timedelta(days=60)  # older than this is no early warning


def _day(value: dt.date | None, *, field: str, today: dt.date) -> dt.date:
    if value is None:
        raise DomainError(_("give the date"), field=field)
    if value > today:
        raise DomainError(_("the date is in the future"), field=field)
    if value < today - LOOKBACK:
        raise DomainError(_("the date is more than 60 days ago"), field=field)
    return value


def _text(value: str, *, field: str, most: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("this field is required"), field=field)
    if len(value) > most:
        raise DomainError(_("at most %(n)d characters") % {"n": most}, field=field)
    return value


def check_details(*, kind: str, today: dt.date, **given: Any) -> dict[str, Any]:
    """The stored details of one report, each field checked by its kind's rules."""
    if kind == SelfReportKind.TRAVEL:
        return {"origin": _text(given.get("origin", ""), field="origin", most=100,
                                required=True),
                "arrived_on": _day(given.get("arrived_on"), field="arrived_on",
                                   today=today).isoformat()}
    if kind == SelfReportKind.SYMPTOMS:
        chosen = [s for s in given.get("symptoms") or [] if s]
        if not chosen or any(s not in SYMPTOMS for s in chosen):
            raise DomainError(_("choose at least one of the listed symptoms"),
                              field="symptoms")
        return {"symptoms": sorted(set(chosen)),
                "since": _day(given.get("since"), field="since", today=today).isoformat()}
    if kind == SelfReportKind.CONTACT:
        return {"contact_on": _day(given.get("contact_on"), field="contact_on",
                                   today=today).isoformat(),
                "place": _text(given.get("place", ""), field="place", most=200, required=True),
                "who": _text(given.get("who", ""), field="who", most=100, required=False)}
    raise DomainError(_("unknown kind of report"), field="kind")


def do_self_report(*, person: Person, kind: str, client_key: str, ip: str | None = None,
                   **given: Any) -> tuple[SelfReport, bool]:
    """Store a report (or return the one sent before with this key) and open its follow-up;
    ``person`` comes from ``read_resident_token``."""
    client_key = _text(client_key, field="client_key", most=64, required=True)
    now = clock.now()
    details = check_details(kind=kind, today=timezone.localdate(now), **given)
    actor = link_actor(person, ip=ip)
    with transaction.atomic():
        found = SelfReport.objects.filter(person=person, client_key=client_key).first()
        if found is not None:
            return found, False
        report = SelfReport(person=person, kind=kind, details=details, submitted_at=now,
                            client_key=client_key)
        report.district_id, report.street_id = person.district_id, person.street_id
        report.community_id, report.grid_id = person.community_id, person.grid_id
        report.save()
        record(actor=actor, verb="warning.self_report", target=report, after=snapshot(report))
        if kind == SelfReportKind.CONTACT:
            do_report_possible_contact(
                actor=actor, person=person, source=ReportSource.SELF_REPORT,
                source_ref=tracing_ref(report),
                exposure_on=dt.date.fromisoformat(details["contact_on"]),
                place=details["place"], about_case=details["who"])
        hours = warning_rules(on=timezone.localdate(now)).follow_up_hours
        open_follow_up(kind=FollowUpKind.SELF_REPORT, source_id=report.pk, person=person,
                       place=None, summary=summary_of(report), now=now,
                       due_in=dt.timedelta(hours=hours))
    return report, True


def tracing_ref(report: SelfReport) -> str:
    """The ``source_ref`` of the tracing lead a contact report makes."""
    return f"warning.selfreport:{report.pk}"


def summary_of(report: SelfReport) -> str:
    """One line for the grid's list, in the language of the moment."""
    d = report.details
    if report.kind == SelfReportKind.TRAVEL:
        listed = listed_origin(d["origin"], on=dt.date.fromisoformat(d["arrived_on"]))
        text = _("Reports travel from %(origin)s, arrived %(day)s") % {
            "origin": d["origin"], "day": d["arrived_on"]}
        return text + (_(" (a listed risk origin)") if listed else "")
    if report.kind == SelfReportKind.SYMPTOMS:
        names = ", ".join(str(SYMPTOMS[s]) for s in d["symptoms"])
        return _("Reports %(symptoms)s since %(day)s") % {"symptoms": names, "day": d["since"]}
    who = d.get("who") or _("unknown person")
    lead = ContactReport.objects.filter(source_ref=tracing_ref(report)).values_list(
        "pk", flat=True).first()
    text = _("Reports contact with a case (%(who)s) on %(day)s at %(place)s") % {
        "who": who, "day": d["contact_on"], "place": d["place"]}
    return f"{TRACERS_MARK}{lead}] {text}"
