"""Tracing reads, each through the one scoping function (deny by default, 404 when out of
scope). Lists page by key, newest first: ``after`` is the last id of the previous page, so
page 500 costs what page 1 costs; nothing counts a big list.

Two kinds of placement meet here. A case, its trajectory and its risk points belong to the
district investigating the case; a contact lives in its residence grid, whose workers bring it
under control. So a contact is visible to whoever sees its residence *or* its index case, and
a risk point to whoever sees its venue *or* its case; work lists (``contacts_for``) use the
residence alone, which one index serves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

import h3
from django.db.models import Count, Model, Q, QuerySet

from fangkong.core import clock
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.lookups import prefix_match
from fangkong.core.rights import Right
from fangkong.registry.models import Venue
from fangkong.tracing import logic, movement
from fangkong.tracing.models import (
    Case,
    Classification,
    Contact,
    ContactStatus,
    ContactType,
    RiskPoint,
    RiskPointStatus,
    TrajectoryEntry,
)
from fangkong.tracing.policy import contact_policy, escalation_hours, infectious_window

M = TypeVar("M", bound=Model)
PING_GAP = dt.timedelta(minutes=30)  # a silent phone for longer starts a new run


@dataclass(frozen=True)
class TimelineItem:
    start: dt.datetime
    end: dt.datetime | None
    kind: str  # interview | checkin | ping
    place: str
    venue_id: int | None
    venue_name: str
    detail: str
    entry_id: int | None


def _key_page(qs: QuerySet[M], *, after: int | None, limit: int) -> list[M]:
    if after is not None:
        qs = qs.filter(pk__lt=after)
    return list(qs.order_by("-pk")[: max(1, min(limit, 500))])


# ---------------------------------------------------------------- cases


def _cases(actor: Actor) -> QuerySet[Case]:
    actor.require(Right.TRACING_VIEW)
    return scope(Case.objects.select_related("person", "grid", "district"), actor)


def cases_for(*, actor: Actor, after: int | None = None, q: str = "", classification: str = "",
              limit: int = 50) -> list[Case]:
    """Cases in scope, newest first. ``q``: ``#12`` or a number (case or external id), else
    a prefix of the person's name."""
    qs = _cases(actor)
    if classification in Classification.values:
        qs = qs.filter(classification=classification)
    term = q.strip().lstrip("#")
    if term.isdigit():
        qs = qs.filter(Q(pk=int(term)) | Q(external_id=int(term)))
    elif term:
        qs = qs.filter(prefix_match("person__name", term))
    return _key_page(qs, after=after, limit=limit)


def get_case(*, actor: Actor, case_id: int) -> Case:
    return get_scoped(_cases(actor).select_related("source_case"), actor, what="case",
                      pk=case_id)


def timeline_for(*, actor: Actor, case: Case) -> list[TimelineItem]:
    """The interview entries merged with the case's check-ins and phone-location runs inside
    its infectious window (movement data missing: the interview alone)."""
    case = get_case(actor=actor, case_id=case.pk)
    entries = scope(TrajectoryEntry.objects.filter(case=case).select_related("venue"), actor)
    items = [TimelineItem(e.start, e.end, "interview", e.place, e.venue_id,
                          e.venue.name if e.venue else "",
                          " · ".join(x for x in (e.transport, e.companions, e.note) if x), e.pk)
             for e in entries]
    start, end = infectious_window(case=case, as_of=clock.now())
    if end > start:
        items += _checkin_items(case, start, end) + _ping_items(case, start, end)
    return sorted(items, key=lambda i: (i.start, i.kind, i.entry_id or 0))


def _checkin_items(case: Case, start: dt.datetime, end: dt.datetime) -> list[TimelineItem]:
    policy = contact_policy(on=case.sample_date)
    stays = movement.checkins_of(person_id=case.person_id, start=start, end=end,
                                 default_stay_minutes=policy.default_stay_minutes)
    venues = Venue.objects.in_bulk({v for v, _, _ in stays})
    return [TimelineItem(t0, t1, "checkin", venues[v].address if v in venues else "", v,
                         venues[v].name if v in venues else f"#{v}", "", None)
            for v, t0, t1 in stays]


def _ping_items(case: Case, start: dt.datetime, end: dt.datetime) -> list[TimelineItem]:
    resolution = contact_policy(on=case.sample_date).companion_resolution
    pings = movement.pings_of(person_id=case.person_id, start=start, end=end)
    cells = [(ts, h3.latlng_to_cell(lat, lon, resolution)) for ts, lat, lon in pings]
    return [TimelineItem(r.start, r.end, "ping", r.cell, None, "", f"{r.pings}", None)
            for r in logic.ping_runs(cells, gap=PING_GAP)]


# ---------------------------------------------------------------- contacts


def _contacts(actor: Actor) -> QuerySet[Contact]:
    actor.require(Right.TRACING_VIEW)
    return Contact.objects.select_related("person", "grid", "index_case", "owner", "venue")


def visible_contacts(actor: Actor) -> QuerySet[Contact]:
    """Contacts living in the actor's area or traced from a case of it."""
    qs = _contacts(actor)
    return scope(qs, actor) | scope(qs, actor, via="index_case__")


def _of_case(actor: Actor, case: Case) -> QuerySet[Contact]:
    return scope(_contacts(actor).filter(index_case_id=case.pk), actor, via="index_case__")


def contacts_of_case(*, actor: Actor, case: Case, contact_type: str = "",
                     limit: int | None = None) -> list[Contact]:
    """The contacts of a case the actor sees, wherever they live (``limit``: the first
    ones by type and exposure; a case's secondary contacts can run to tens of thousands)."""
    qs = _of_case(actor, case)
    if contact_type in ContactType.values:
        qs = qs.filter(contact_type=contact_type)
    qs = qs.order_by("contact_type", "first_exposure", "pk")
    return list(qs[:limit] if limit is not None else qs)


def contact_counts(*, actor: Actor, case: Case) -> dict[str, dict[str, int]]:
    """Contacts of a case per type and status, one grouped query."""
    rows = _of_case(actor, case).order_by().values_list("contact_type", "status").annotate(
        n=Count("pk"))
    counts: dict[str, dict[str, int]] = {}
    for contact_type, status, n in rows:
        counts.setdefault(contact_type, {})[status] = n
    return counts


def contacts_for(*, actor: Actor, status: str = "", contact_type: str = "",
                 overdue: bool = False, after: int | None = None,
                 limit: int = 50) -> list[Contact]:
    """The work list: contacts living in the actor's area, newest first. ``overdue``: not
    yet located the policy's hours after being identified."""
    qs = scope(_contacts(actor), actor)
    if status in ContactStatus.values:
        qs = qs.filter(status=status)
    if contact_type in ContactType.values:
        qs = qs.filter(contact_type=contact_type)
    if overdue:
        now = clock.now()
        cutoff = now - dt.timedelta(hours=escalation_hours(on=clock.city_today()))
        qs = qs.filter(status__in=[ContactStatus.IDENTIFIED, ContactStatus.NOTIFIED]).filter(
            Q(identified_at__lte=cutoff) | Q(escalated_at__isnull=False))
    return _key_page(qs, after=after, limit=limit)


def get_contact(*, actor: Actor, contact_id: int) -> Contact:
    found = visible_contacts(actor).filter(pk=contact_id).first()
    if found is None:
        raise NotFound("contact")
    return found


# ---------------------------------------------------------------- risk points


def visible_risk_points(actor: Actor) -> QuerySet[RiskPoint]:
    actor.require(Right.TRACING_VIEW)
    qs = RiskPoint.objects.select_related("venue", "case", "district", "created_by",
                                          "reviewed_by")
    return scope(qs, actor) | scope(qs, actor, via="case__")


def risk_points_for(*, actor: Actor, status: str = "", case: Case | None = None
                    ) -> list[RiskPoint]:
    """Newest first (at most 500); ``case``: that case's points only."""
    qs = visible_risk_points(actor)
    if status in RiskPointStatus.values:
        qs = qs.filter(status=status)
    if case is not None:
        qs = qs.filter(case_id=case.pk)
    return list(qs.order_by("-start", "-pk")[:500])


def get_risk_point(*, actor: Actor, point_id: int) -> RiskPoint:
    found = visible_risk_points(actor).filter(pk=point_id).first()
    if found is None:
        raise NotFound("risk point")
    return found


def published_risk_points(*, days: int | None = 14) -> list[RiskPoint]:
    """Public: published, not withdrawn, ended within ``days`` (None: the whole history).
    Only place, venue name and address, times and district name are loaded; the case is
    not."""
    qs = RiskPoint.objects.filter(status=RiskPointStatus.PUBLISHED, withdrawn_at__isnull=True)
    if days is not None:
        qs = qs.filter(end__gte=clock.now() - dt.timedelta(days=days))
    qs = qs.select_related("venue", "district").only(
        "place", "start", "end", "status", "venue", "venue__name", "venue__address",
        "district", "district__name", "district__name_en")
    return list(qs.order_by("-start", "pk")[:1000])


def overdue(contact: Contact, *, now: dt.datetime | None = None) -> bool:
    """For display: the escalation rule applied to one contact."""
    if contact.status not in (ContactStatus.IDENTIFIED, ContactStatus.NOTIFIED):
        return False
    return contact.escalated_at is not None or logic.is_overdue(
        status=contact.status, identified_at=contact.identified_at, now=now or clock.now(),
        hours=escalation_hours(on=clock.city_today()))
