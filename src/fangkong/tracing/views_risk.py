"""Risk points: the staff page (review by a second person, publish, withdraw) and the public
page and JSON, which need no login and show only place, time window and district: the
public rows are built here from ``published_risk_points`` field by field, so nothing about a
case or a person can reach them even if the model grows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.tracing import queries
from fangkong.tracing.actions_risk import (
    do_publish_risk_point,
    do_review_risk_point,
    do_withdraw_risk_point,
)
from fangkong.tracing.models import RiskPoint, RiskPointStatus
from fangkong.web.access import actor_of, needs

PUBLIC_DAYS = 14
PUBLIC_MAX_AGE = 300  # seconds a browser or proxy may keep the public list

ACTS: dict[str, tuple[Callable[..., Any], Any]] = {
    "review": (do_review_risk_point,
               gettext_lazy("Risk point reviewed; it can now be published.")),
    "publish": (do_publish_risk_point, gettext_lazy("Risk point published on the public page.")),
    "withdraw": (do_withdraw_risk_point,
                 gettext_lazy("Risk point withdrawn from the public page.")),
}


@needs(Right.TRACING_VIEW)
def risk_points_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", RiskPointStatus.DRAFT)
    status = status if status in RiskPointStatus.values or status == "all" else "draft"
    points = queries.risk_points_for(actor=actor, status="" if status == "all" else status)
    tabs = [*RiskPointStatus.choices, ("all", _("All"))]
    return render(request, "tracing/risk_points.html", {
        "points": points, "status": status, "tabs": tabs,
        "can_publish": actor.can(Right.RISKPOINT_PUBLISH), "next_url": request.get_full_path()})


@require_POST
@needs(Right.RISKPOINT_PUBLISH)
def risk_point_act(request: HttpRequest, point_id: int, act: str) -> HttpResponse:
    """Review (two-person rule: not the drafter), publish or withdraw one point."""
    if act not in ACTS:
        raise Http404("unknown action")
    action, done = ACTS[act]
    try:
        action(actor=actor_of(request), point_id=point_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, _risk_error(exc))
    else:
        messages.success(request, str(done))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "tracing_risk_points")


def _risk_error(exc: DomainError) -> str:
    if exc.field == "reviewed_by":
        return _("You drafted this risk point: a second person must review it.")
    return _("This risk point cannot be changed: %(reason)s") % {"reason": exc.message}


# ---------------------------------------------------------------- public, no login


def public_rows(points: list[RiskPoint], language: str) -> list[dict[str, Any]]:
    """Only what the public may read: place, venue name and address, window, district."""
    return [{"place": p.place, "venue": p.venue.name if p.venue else "",
             "address": p.venue.address if p.venue else "",
             "start": timezone.localtime(p.start), "end": timezone.localtime(p.end),
             "district": p.district.display_name(language) if p.district else ""}
            for p in points]


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in ("zh-hans", "en") else translation.get_language() or "zh-hans"


def _cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Public, short-lived, revalidated by ETag: a busy notice page is served from caches."""
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _days(request: HttpRequest) -> int | None:
    """The notice's window: the last PUBLIC_DAYS days, or the whole history (``?history=1``)."""
    return None if request.GET.get("history") == "1" else PUBLIC_DAYS


@require_GET
def public_risk_points(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    days = _days(request)
    with translation.override(language):
        rows = public_rows(queries.published_risk_points(days=days), language)
        by_district: dict[str, list[dict[str, Any]]] = {}
        for row in sorted(rows, key=lambda r: (r["district"], -r["start"].timestamp())):
            by_district.setdefault(row["district"], []).append(row)
        response = render(request, "tracing/public_risk_points.html", {
            "by_district": list(by_district.items()), "days": days or PUBLIC_DAYS,
            "history": days is None,
            "now": timezone.localtime(clock.now())})
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return _cacheable(request, response)


@require_GET
def public_risk_points_json(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    days = _days(request)
    rows = public_rows(queries.published_risk_points(days=days), language)
    body = {"days": days, "time_zone": timezone.get_current_timezone_name(),
            "points": [{**r, "start": r["start"].isoformat(), "end": r["end"].isoformat()}
                       for r in rows]}
    response = HttpResponse(json.dumps(body, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ("Accept-Language",))
    return _cacheable(request, response)
