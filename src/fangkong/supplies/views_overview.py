"""Supplies pages, reading part: the streets of the viewer's jurisdiction per good (days of
stock against the days required, coloured; the median price and its change), open alerts
first, a map, and the alert list with acknowledge / close. Thin: the reads are ``queries``',
the decisions ``alerts``'."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.supplies import alerts, queries
from fangkong.supplies.logic import UNITS
from fangkong.supplies.models import AlertStatus, Good
from fangkong.supplies.policy import supply_policy_in_force
from fangkong.web.access import actor_of, int_param, needs

ALERT_ROWS = 100


def _day(request: HttpRequest) -> dt.date:
    today = timezone.localdate(clock.now())
    try:
        found = parse_date(request.GET.get("day", "") or "")
    except ValueError:
        found = None
    return found if found is not None and found <= today else today


@needs(Right.SUPPLIES_VIEW)
def overview_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    day = _day(request)
    rows = queries.overview(actor, day=day)
    street = int_param(request, "street")
    if street is not None:
        rows = [r for r in rows if r.street.pk == street]
        if not rows:
            raise NotFound("street")
    open_alerts = list(queries.alerts_for(actor, status=AlertStatus.OPEN)[:20])
    return render(request, "supplies/overview.html", {
        "rows": rows, "day": day, "goods": [(g, label, UNITS[g]) for g, label in Good.choices],
        "alerts": open_alerts, "policy": supply_policy_in_force(on=day),
        "map": queries.map_features(actor, day=day, rows=rows),
        "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
        "today": timezone.localdate(clock.now())})


@needs(Right.SUPPLIES_VIEW)
def alerts_page(request: HttpRequest) -> HttpResponse:
    return _alerts(request)


def _alerts(request: HttpRequest, *, code: int = 200) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", AlertStatus.OPEN)
    rows = queries.alerts_for(actor, status="" if status == "all" else status)
    return render(request, "supplies/alerts.html", {
        "rows": list(rows[:ALERT_ROWS]), "total": rows.count(), "limit": ALERT_ROWS,
        "status": status, "can_decide": actor.can(Right.SUPPLIES_MANAGE),
        "note_max": alerts.NOTE_MAX}, status=code)


@require_POST
@needs(Right.SUPPLIES_MANAGE)
def alert_decide(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alerts.do_decide_alert(actor=actor_of(request), alert_id=alert_id,
                               status=request.POST.get("status", ""),
                               note=request.POST.get("note", ""))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _alerts(request, code=422)
    messages.success(request, _("Alert %(id)d decided.") % {"id": alert_id})
    back = request.POST.get("back", "")
    return redirect(reverse("supplies_alerts") + (f"?status={back}" if back.isalpha() else ""))


urlpatterns: list[URLPattern] = [
    path("supplies/", overview_page, name="supplies_overview"),
    path("supplies/alerts/", alerts_page, name="supplies_alerts"),
    path("supplies/alerts/<int:alert_id>/decide/", alert_decide, name="supplies_alert_decide"),
]
