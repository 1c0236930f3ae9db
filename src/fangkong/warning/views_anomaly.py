"""Early-warning pages, anomaly part: the anomalies of the viewer's subtree, each with a small
chart of its street's series, and HQ's acknowledge / dismiss forms. Thin: the rules are
``anomaly``'s."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.warning import anomaly
from fangkong.warning.models import AnomalyStatus
from fangkong.web.access import actor_of, needs

PAGE_ROWS = 50  # each row draws a chart from one grouped query


def _status(raw: str | None) -> str | None:
    """The status filter: new by default, ``all`` for every one, unknown values ignored."""
    if raw == "all":
        return None
    return raw if raw in AnomalyStatus.values else AnomalyStatus.NEW


def _page(request: HttpRequest, status: str | None, code: int = 200) -> HttpResponse:
    actor = actor_of(request)
    rows = anomaly.anomalies_for(actor, status=status)
    shown = list(rows[:PAGE_ROWS])
    return render(request, "warning/anomalies.html", {
        "rows": [(a, anomaly.series_of(a), f"anomaly-series-{a.pk}") for a in shown],
        "total": rows.count(),
        "limit": PAGE_ROWS, "status": status or "all", "statuses": AnomalyStatus.choices,
        "can_decide": actor.can(Right.WARNING_MANAGE), "note_max": anomaly.NOTE_MAX},
        status=code)


@needs(Right.WARNING_VIEW)
def anomalies_page(request: HttpRequest) -> HttpResponse:
    return _page(request, _status(request.GET.get("status")))


@require_POST
@needs(Right.WARNING_MANAGE)
def anomaly_decide(request: HttpRequest, anomaly_id: int) -> HttpResponse:
    status = _status(request.POST.get("back"))
    try:
        anomaly.do_decide(actor=actor_of(request), anomaly_id=anomaly_id,
                          status=request.POST.get("status", ""),
                          note=request.POST.get("note", ""))
    except (NotFound, PermissionDenied):
        raise  # 404 / 403 from the access wrapper
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, status, code=422)
    messages.success(request, _("Anomaly %(id)d decided.") % {"id": anomaly_id})
    return redirect(reverse("warning_anomalies") + f"?status={status or 'all'}")


urlpatterns: list[URLPattern] = [
    path("warning/anomalies/", anomalies_page, name="warning_anomalies"),
    path("warning/anomalies/<int:anomaly_id>/decide/", anomaly_decide,
         name="warning_anomaly_decide"),
]
