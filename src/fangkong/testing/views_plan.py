"""The capacity plan page: the plan on a map over the grids' boundaries, its totals, one row
per site, the warnings, and for organisers a button that turns the plan into sites."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.testing import planner
from fangkong.testing.models import CampaignStatus
from fangkong.web.access import actor_of, needs


def _boundary(text: str) -> dict[str, Any] | None:
    try:
        geometry = json.loads(text) if text else None
    except ValueError:
        return None
    return geometry if isinstance(geometry, dict) and "type" in geometry else None


def map_data(built: planner.CampaignPlan, rows: list[dict[str, Any]],
             language: str) -> dict[str, Any]:
    """The grids' boundaries (with their residents) and the sites, for plan_map.js."""
    people: dict[int, int] = {}
    for row in rows:
        people[row["grid_id"]] = people.get(row["grid_id"], 0) + row["people"]
    features = []
    for grid in built.grids.values():
        geometry = _boundary(grid.boundary)
        if geometry is not None:
            features.append({"type": "Feature", "geometry": geometry, "properties": {
                "name": grid.display_name(language), "people": people.get(grid.pk, 0)}})
    sites = [row for row in rows if row["lat"] is not None and row["lon"] is not None]
    return {"grids": {"type": "FeatureCollection", "features": features}, "sites": sites,
            "max_queue": built.policy.max_queue_minutes}


@require_GET
@needs(Right.SCREENING_VIEW)
def plan_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = actor_of(request)
    built = planner.campaign_plan(actor=actor, campaign_id=campaign_id)
    language = translation.get_language() or "zh-hans"
    rows = planner.site_rows(built, language=language)
    can_apply = (actor.can(Right.SCREENING_MANAGE) and not built.existing_sites
                 and bool(built.plan.sites) and built.campaign.status != CampaignStatus.CLOSED)
    return render(request, "testing/plan.html", {
        "campaign": built.campaign, "plan": planner.summary(built), "rows": rows,
        "labs": built.labs, "warnings": built.messages(), "policy": built.policy,
        "can_apply": can_apply, "map": map_data(built, rows, language),
        "prevalence_pct": built.policy.expected_prevalence * 100,
        "lab_short": built.lab_capacity < built.plan.lab_tubes_per_hour})


@require_POST
@needs(Right.SCREENING_MANAGE)
def plan_apply(request: HttpRequest, campaign_id: int) -> HttpResponse:
    try:
        sites = planner.do_apply_plan(actor=actor_of(request), campaign_id=campaign_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, _("The plan was not applied: %(reason)s")
                       % {"reason": exc.message})
    else:
        messages.success(request, ngettext("%(n)s site created from the plan.",
                                           "%(n)s sites created from the plan.",
                                           len(sites)) % {"n": len(sites)})
    return redirect("screening_plan", campaign_id=campaign_id)


urlpatterns: list[URLPattern] = [
    path("screening/campaigns/<int:campaign_id>/plan/", plan_page, name="screening_plan"),
    path("screening/campaigns/<int:campaign_id>/plan/apply", plan_apply,
         name="screening_plan_apply"),
]
