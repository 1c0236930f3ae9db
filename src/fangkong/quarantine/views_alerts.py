"""The alerts page: open alerts of every kind in the viewer's subtree, filtered by kind and
state, each resolved with a note of what was done (``quarantine.care``). Thin: the rules are
``alerts.alerts_for`` / ``do_resolve_alert``'s."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.quarantine import alerts
from fangkong.quarantine.models import AlertKind, QuarantineAlert
from fangkong.web.access import actor_of, needs

PAGE_ROWS = 200
INTERNAL = {"resolution_note", "superseded_by", "day"}


def summary(alert: QuarantineAlert) -> str:
    """One line of what the alert says: a capacity alert in words, others their details."""
    d = alert.detail
    if alert.kind != AlertKind.CAPACITY:
        return "; ".join(f"{k}: {v}" for k, v in d.items() if k not in INTERNAL)
    parts = []
    if d.get("first_shortfall"):
        parts.append(_("short of %(n)s rooms from %(day)s")
                     % {"n": d.get("peak_shortfall"), "day": d["first_shortfall"]})
    if d.get("reserve_met") is False:
        parts.append(_("%(usable)s usable rooms, under the reserve of %(target)s")
                     % {"usable": d.get("rooms_usable"), "target": d.get("reserve_target")})
    return "; ".join(parts)


def _filters(source: dict[str, str]) -> tuple[str | None, bool]:
    """The kind (ignored when unknown) and whether only open alerts are shown."""
    kind = source.get("kind") or None
    return (kind if kind in AlertKind.values else None), source.get("state") != "all"


def _page(request: HttpRequest, kind: str | None, open_only: bool,
          status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    rows = alerts.alerts_for(actor, kind=kind, open_only=open_only)
    counts = dict(alerts.alerts_for(actor).values_list("kind").annotate(n=Count("pk"))
                  .order_by())
    return render(request, "quarantine/alerts.html", {
        "alerts": [(a, summary(a)) for a in rows[:PAGE_ROWS]], "total": rows.count(),
        "limit": PAGE_ROWS,
        "kinds": [(k, label, counts.get(k, 0)) for k, label in AlertKind.choices],
        "kind": kind, "open_only": open_only, "can_resolve": actor.can(Right.QUARANTINE_CARE),
        "note_max": alerts.NOTE_MAX}, status=status)


@needs(Right.QUARANTINE_VIEW)
def alerts_page(request: HttpRequest) -> HttpResponse:
    kind, open_only = _filters(request.GET.dict())
    return _page(request, kind, open_only)


@require_POST
@needs(Right.QUARANTINE_CARE)
def alert_resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    kind, open_only = _filters(request.POST.dict())
    try:
        alerts.do_resolve_alert(actor=actor_of(request), alert_id=alert_id,
                                note=request.POST.get("note", ""))
    except (NotFound, PermissionDenied):
        raise  # 404 / 403 from the access wrapper
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, kind, open_only, status=422)
    messages.success(request, _("Alert %(id)d resolved.") % {"id": alert_id})
    query = {k: v for k, v in (("kind", kind), ("state", "" if open_only else "all")) if v}
    return redirect(reverse("quarantine_alerts") + (f"?{urlencode(query)}" if query else ""))


urlpatterns: list[URLPattern] = [
    path("quarantine/alerts/", alerts_page, name="quarantine_alerts"),
    path("quarantine/alerts/<int:alert_id>/resolve/", alert_resolve,
         name="quarantine_alert_resolve"),
]
