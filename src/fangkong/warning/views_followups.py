"""Early-warning pages, follow-ups part: the grid's list (open ones of the viewer's scope,
overdue first, by kind) and closing one with its outcome. Thin: ``queries_followups`` and
``followup_actions`` hold the rules."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.warning import followup_actions, queries_followups
from fangkong.warning.models import FollowUpKind, FollowUpStatus
from fangkong.warning.queries_followups import Filters
from fangkong.web.access import actor_of, needs

PAGE = 200


def _filters(request: HttpRequest) -> Filters:
    grid = request.GET.get("grid", "")
    status = request.GET.get("status", FollowUpStatus.OPEN)
    return Filters(status=status if status in FollowUpStatus.values else FollowUpStatus.OPEN,
                   kind=request.GET.get("kind", ""), overdue=request.GET.get("overdue") == "1",
                   grid_id=int(grid) if grid.isdigit() else None)


@needs(Right.WARNING_VIEW)
def followups_page(request: HttpRequest) -> HttpResponse:
    actor, now, filters = actor_of(request), clock.now(), _filters(request)
    found = list(queries_followups.follow_ups(actor, filters, now=now)[:PAGE])
    rows = [queries_followups.row_of(r, actor=actor, now=now) for r in found]
    if actor.can(Right.PII_VIEW) and any(r["phone"] for r in rows):
        record(actor=actor, verb="pii.read", target=None, target_type="warning.followup",
               after={"fields": ["phone"], "ids": [r["id"] for r in rows]})
    return render(request, "warning/followups.html", {
        "rows": rows, "filters": filters, "counts": queries_followups.open_counts(actor),
        "kinds": FollowUpKind.choices, "can_close": actor.can(Right.WARNING_FOLLOW)})


@require_POST
@needs(Right.WARNING_FOLLOW)
def followup_close(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    try:
        followup_actions.do_close_follow_up(actor=actor_of(request), follow_up_id=follow_up_id,
                                            outcome=request.POST.get("outcome", ""))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Follow-up closed."))
    return redirect("warning_followups")


urlpatterns: list[URLPattern] = [
    path("warning/followups/", followups_page, name="warning_followups"),
    path("warning/followups/<int:follow_up_id>/close/", followup_close,
         name="warning_followup_close"),
]
