"""The grid's follow-up list, always scoped: open ones of the viewer's subtree, overdue first
(then by deadline), with the person's phone masked unless the viewer may see it in full."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.privacy import mask_phone
from fangkong.core.rights import Right
from fangkong.warning.models import FollowUp, FollowUpKind, FollowUpStatus

LIST_LIMIT = 500


@dataclass(frozen=True)
class Filters:
    status: str = FollowUpStatus.OPEN
    kind: str = ""
    overdue: bool = False
    grid_id: int | None = None


def follow_ups(actor: Actor, filters: Filters, *, now: dt.datetime) -> QuerySet[FollowUp]:
    """The follow-ups of the actor's scope matching ``filters``; the earliest deadline first,
    so the overdue come before the rest (the closed: the latest closed first)."""
    actor.require(Right.WARNING_VIEW)
    qs = scope(FollowUp.objects.select_related("person"), actor)
    if filters.status in FollowUpStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in FollowUpKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.overdue:
        qs = qs.filter(due_at__lt=now, status=FollowUpStatus.OPEN)
    if filters.grid_id is not None:
        qs = qs.filter(grid_id=filters.grid_id)
    if filters.status == FollowUpStatus.DONE:
        return qs.order_by("-done_at", "-pk")
    return qs.order_by("due_at", "pk")


def open_counts(actor: Actor) -> dict[str, int]:
    """Open follow-ups per kind in the actor's scope (every kind present, zero included)."""
    actor.require(Right.WARNING_VIEW)
    rows = scope(FollowUp.objects.filter(status=FollowUpStatus.OPEN), actor).values(
        "kind").annotate(n=Count("pk"))
    found = dict.fromkeys(FollowUpKind.values, 0)
    found.update({r["kind"]: r["n"] for r in rows})
    return found


def get_follow_up(actor: Actor, follow_up_id: int) -> FollowUp:
    actor.require(Right.WARNING_VIEW)
    return get_scoped(FollowUp.objects.select_related("person"), actor, what="follow-up",
                      pk=follow_up_id)


def row_of(row: FollowUp, *, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """A follow-up as the list shows it. Full phones are shown only to ``pii.view`` holders
    (the grid calls them); the list page records one audited read per page for them."""
    person = row.person
    phone = person.phone if person is not None else ""
    return {
        "id": row.pk, "kind": row.kind, "kind_label": FollowUpKind(row.kind).label,
        "status": row.status, "summary": row.summary, "person_id": person.pk if person else None,
        "name": person.name if person else "",
        "phone": phone if actor.can(Right.PII_VIEW) else (mask_phone(phone) if phone else ""),
        "grid_id": row.grid_id, "created_at": row.created_at, "due_at": row.due_at,
        "overdue": row.status == FollowUpStatus.OPEN and row.due_at < now,
        "done_at": row.done_at, "outcome": row.outcome,
    }
