"""Coverage pages of a round: the coverage map and table with drill-down (``?unit=``) to a
grid's buildings and households, the untested list for door-to-door visits with an exempt
form per row (htmx answers the row alone), and the progress dashboard. The numbers are
``testing.coverage``'s; this module shapes them for Leaflet, ECharts and the tables."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, get_scoped, units_in_scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.testing import coverage
from fangkong.testing.actions_exempt import (
    do_add_exemption,
    do_remove_exemption,
    exemption_of,
)
from fangkong.testing.models import Campaign, ExemptionReason, TubeStatus
from fangkong.testing.queries import get_campaign
from fangkong.web.access import actor_of, int_param, needs

STEP_LABELS = {"sampled_received": gettext_lazy("sampled → received by the lab"),
               "received_resulted": gettext_lazy("received → result"),
               "resulted_notified": gettext_lazy("result → resident notified"),
               "sampled_notified": gettext_lazy("sampled → resident notified")}


def _where(request: HttpRequest, campaign_id: int) -> tuple[Actor, Campaign, AdminUnit]:
    actor = actor_of(request)
    campaign = get_campaign(actor, campaign_id)
    return actor, campaign, coverage.coverage_node(actor, int_param(request, "unit"))


def _trail(actor: Actor, node: AdminUnit) -> list[AdminUnit]:
    """The node's ancestors the actor may see, then the node: the drill-down breadcrumbs."""
    ids = [node.district_id, node.street_id, node.community_id, node.grid_id, node.pk]
    units = {u.pk: u for u in units_in_scope(actor).filter(pk__in=[i for i in ids if i])}
    if actor.unit is not None and actor.unit.level == Level.CITY:
        units[actor.unit.pk] = actor.unit
    return sorted(units.values(), key=lambda u: u.level)


def node_of(actor: Actor) -> AdminUnit:
    return coverage.coverage_node(actor, None)


def map_data(campaign: Campaign, node: AdminUnit, rows: list[coverage.Row], *,
             language: str) -> dict[str, Any]:
    """GeoJSON for the coverage map: child units by boundary, or a grid's buildings as
    points, each with its counts, colour band and the drill-down link."""
    base = reverse("screening_coverage", args=[campaign.pk])
    features = []
    for row in rows:
        if row.obj is None:
            continue
        if isinstance(row.obj, AdminUnit):
            geometry = _geometry(row.obj.boundary)
            name, url = row.obj.display_name(language), f"{base}?unit={row.obj.pk}"
        else:
            geometry = {"type": "Point", "coordinates": [row.obj.lon, row.obj.lat]}
            name, url = row.obj.address, f"{base}?unit={node.pk}&building={row.obj.pk}"
        if geometry is None:
            continue
        c = row.counts
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "name": name, "url": url, "percent": c.percent, "band": band(c.percent),
            "registered": c.registered, "tested": c.tested, "exempt": c.exempt,
            "untested": c.untested}})
    center = [node.center_lat, node.center_lon] if node.center_lat is not None else None
    return {"type": "FeatureCollection", "features": features, "center": center}


def _geometry(text: str) -> dict[str, Any] | None:
    try:
        geometry = json.loads(text) if text else None
    except ValueError:
        return None
    return geometry if isinstance(geometry, dict) and "type" in geometry else None


def headline(counts: coverage.Counts) -> dict[str, Any]:
    return {"counts": counts, "percent": counts.percent, "band": band(counts.percent)}


def band(percent: float | None) -> str:
    """Colour class of a share accounted for (the map, the table and the headline agree)."""
    if percent is None:
        return "none"
    return ("full" if percent >= 100 else "high" if percent >= 99 else
            "mid" if percent >= 90 else "low")


@needs(Right.SCREENING_VIEW)
def coverage_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor, campaign, node = _where(request, campaign_id)
    counts = coverage.totals(campaign, actor=actor, node=node)
    is_grid = node.level == Level.GRID
    building_id = int_param(request, "building") if is_grid else None
    rows = (coverage.building_rows(campaign, actor=actor, grid=node) if is_grid
            else coverage.child_rows(campaign, actor=actor, node=node))
    households = (coverage.household_rows(campaign, actor=actor, grid=node,
                                          building_id=building_id) if is_grid else [])
    reasons = coverage.exempt_by_reason(campaign, actor=actor, node=node)
    return render(request, "testing/coverage.html", {
        "campaign": campaign, "node": node, "trail": _trail(actor, node), "is_grid": is_grid,
        "head": headline(counts), "rows": [(r, band(r.counts.percent)) for r in rows],
        "households": [(r, band(r.counts.percent)) for r in households],
        "building_id": building_id,
        "visitors": coverage.visitors_tested(campaign, actor=actor, node=node),
        "reasons": [(label, reasons[value]) for value, label in ExemptionReason.choices
                    if reasons.get(value)],
        "map": map_data(campaign, node, rows, language=get_language() or "")})


@needs(Right.SCREENING_VIEW)
def untested_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor, campaign, node = _where(request, campaign_id)
    people, next_after = coverage.untested(campaign, actor=actor, node=node,
                                           after=int_param(request, "after"))
    phones = coverage.shown_phones(actor, node, people)
    return render(request, "testing/untested.html", {
        "campaign": campaign, "node": node, "trail": _trail(actor, node),
        "head": headline(coverage.totals(campaign, actor=actor, node=node)),
        "rows": [(p, phones[p.pk]) for p in people], "next_after": next_after,
        "reasons": ExemptionReason.choices, "can_manage": actor.can(Right.SCREENING_MANAGE),
        "next_url": request.get_full_path()})


def _row(request: HttpRequest, campaign: Campaign, person_id: int, *, error: str = ""
         ) -> HttpResponse:
    """One untested-list row redrawn after an action: exempt (with undo) or untested."""
    actor = actor_of(request)
    person = get_scoped(Person.objects.select_related("household__building", "grid"), actor,
                        what="person", pk=person_id)
    try:
        exemption = exemption_of(actor=actor, campaign=campaign, person_id=person_id)
    except NotFound:
        exemption = None
    phone = coverage.shown_phones(actor, person.grid or node_of(actor), [person])
    return render(request, "testing/_untested_row.html", {
        "campaign": campaign, "p": person, "phone": phone[person.pk], "exemption": exemption,
        "row_error": error, "reasons": ExemptionReason.choices, "can_manage": True,
        "next_url": _next(request)})


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _answer(request: HttpRequest, campaign_id: int, person_id: int, *, done: str,
            error: str = "") -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        campaign = get_campaign(actor_of(request), campaign_id)
        return _row(request, campaign, person_id, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_next(request) or reverse("screening_untested", args=[campaign_id]))


@require_POST
@needs(Right.SCREENING_MANAGE)
def exempt(request: HttpRequest, campaign_id: int, person_id: int) -> HttpResponse:
    try:
        do_add_exemption(actor=actor_of(request), campaign_id=campaign_id, person_id=person_id,
                         reason=request.POST.get("reason", ""),
                         note=request.POST.get("note", "")[:1000])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _answer(request, campaign_id, person_id, done="", error=exc.message)
    return _answer(request, campaign_id, person_id, done=_("Resident exempted."))


@require_POST
@needs(Right.SCREENING_MANAGE)
def exemption_remove(request: HttpRequest, campaign_id: int, exemption_id: int
                     ) -> HttpResponse:
    try:
        person = do_remove_exemption(actor=actor_of(request), campaign_id=campaign_id,
                                     exemption_id=exemption_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_next(request) or reverse("screening_untested", args=[campaign_id]))
    return _answer(request, campaign_id, person.pk, done=_("Exemption withdrawn."))


@needs(Right.SCREENING_VIEW)
def dashboard_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor, campaign, node = _where(request, campaign_id)
    counts = coverage.totals(campaign, actor=actor, node=node)
    hours = coverage.progress(campaign, actor=actor, node=node,
                              registered_total=counts.registered)
    steps = coverage.turnaround(campaign, actor=actor, node=node).steps
    tubes = coverage.pipeline(campaign, actor=actor, node=node)
    return render(request, "testing/dashboard.html", {
        "campaign": campaign, "node": node, "trail": _trail(actor, node),
        "head": headline(counts), "hours": hours,
        "steps": [(STEP_LABELS[k], steps[k]) for k in coverage.STEPS], "pipeline": tubes,
        "tube_rows": [(label, tubes.tubes.get(value, 0)) for value, label in TubeStatus.choices],
        "visitors": coverage.visitors_tested(campaign, actor=actor, node=node),
        "chart": _progress_chart(hours, counts.registered)})


def _progress_chart(hours: list[coverage.Hour], registered: int) -> dict[str, Any]:
    return {
        "hours": [timezone.localtime(h.start).strftime("%m-%d %H:00") for h in hours],
        "samples": [h.samples for h in hours], "percent": [h.percent for h in hours],
        "registered": registered,
        "labels": {"samples": _("samples this hour"),
                   "percent": _("residents tested so far, percent of registered")},
    }


urlpatterns: list[URLPattern] = [
    path("screening/<int:campaign_id>/coverage/", coverage_page, name="screening_coverage"),
    path("screening/<int:campaign_id>/untested/", untested_page, name="screening_untested"),
    path("screening/<int:campaign_id>/untested/<int:person_id>/exempt/", exempt,
         name="screening_exempt"),
    path("screening/<int:campaign_id>/exemptions/<int:exemption_id>/remove/",
         exemption_remove, name="screening_exemption_remove"),
    path("screening/<int:campaign_id>/dashboard/", dashboard_page, name="screening_dashboard"),
]
