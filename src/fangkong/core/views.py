"""Pages over core tables: the audit log search and the two-person approvals queue. Both are
scoped to the actor's subtree through core.jurisdiction.scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.approvals import do_decide, list_approvals, warnings_of
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import Approval, ApprovalStatus, AuditLog
from fangkong.core.rights import Right
from fangkong.web.access import actor_of, int_param, needs

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    verb: str = ""
    actor: str = ""
    target: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _audit_filter(request: HttpRequest) -> AuditFilter:
    get = request.GET
    return AuditFilter(verb=get.get("verb", "").strip(), actor=get.get("actor", "").strip(),
                       target=get.get("target", "").strip(), since=_date(get.get("since", "")),
                       until=_date(get.get("until", "")))


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the city's zone: a date range means the city's calendar days."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_audit(*, actor: Actor, where: AuditFilter, before: int | None) -> tuple[
    list[AuditLog], int | None
]:
    """Newest first, keyset-paginated by id (``before``) so deep pages cost the same."""
    qs: QuerySet[AuditLog] = scope(AuditLog.objects.all(), actor)
    if where.verb:
        qs = qs.filter(verb__startswith=where.verb)
    if where.actor:
        qs = qs.filter(actor_name__iexact=where.actor)
    if where.target:
        kind, _sep, ident = where.target.rpartition(":")
        qs = qs.filter(target_id=ident, **({"target_type": kind} if kind else {}))
    if where.since:
        qs = qs.filter(at__gte=_day_start(where.since))
    if where.until:
        qs = qs.filter(at__lt=_day_start(where.until + dt.timedelta(days=1)))
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, rows[-1].pk if more and rows else None


@needs(Right.AUDIT_VIEW)
def audit_page(request: HttpRequest) -> HttpResponse:
    where = _audit_filter(request)
    rows, next_before = search_audit(actor=actor_of(request), where=where,
                                     before=int_param(request, "before"))
    return render(request, "core/audit.html",
                  {"rows": rows, "next_before": next_before, "where": where})


STATUS_VIEWS = {
    "pending": [ApprovalStatus.PENDING],
    "decided": [ApprovalStatus.APPLIED, ApprovalStatus.REJECTED],
    "all": [],
}


@needs(Right.APPROVAL_DECIDE)
def approvals_page(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "pending")
    show = show if show in STATUS_VIEWS else "pending"
    qs = list_approvals(actor=actor_of(request)).select_related("requested_by", "decided_by")
    if STATUS_VIEWS[show]:
        qs = qs.filter(status__in=STATUS_VIEWS[show])
    before = int_param(request, "before")
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows: list[Approval] = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
    next_before = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    for row in rows:
        row.warnings = warnings_of(row)  # type: ignore[attr-defined]
    return render(request, "core/approvals.html",
                  {"rows": rows[:PAGE_SIZE], "show": show, "next_before": next_before,
                   "views": list(STATUS_VIEWS)})


@require_POST
@needs(Right.APPROVAL_DECIDE)
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    """Approve or reject with a note; the two-person rule is enforced by core.approvals."""
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "").strip()[:2000]
    try:
        do_decide(actor=actor_of(request), approval_id=approval_id, approve=approve, note=note)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, _decide_error(exc))
    else:
        messages.success(request, _("Request approved and applied.") if approve
                         else _("Request rejected."))
    return redirect("approvals")


def _decide_error(exc: DomainError) -> str:
    if exc.field == "decided_by":
        return _("You cannot decide your own request: a second person must approve it.")
    return _("This request cannot be decided: %(reason)s") % {"reason": exc.message}
