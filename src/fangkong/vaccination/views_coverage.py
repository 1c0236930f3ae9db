"""Vaccination pages, coverage part: coverage by age band and unit with drill-down
(``?unit=``) and a map of the child units coloured by the elderly fully vaccinated
(``vaccination_coverage``); the door-to-door list of the elderly not fully vaccinated with a
visit form per row (``vaccination_elderly``) and its CSV (``vaccination_elderly_csv``)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, units_in_scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.vaccination import coverage, doorlist
from fangkong.vaccination.models import VisitOutcome
from fangkong.vaccination.policy import vaccination_rules
from fangkong.web.access import actor_of, int_param, needs


def _trail(actor: Actor, node: AdminUnit) -> list[AdminUnit]:
    """The node's ancestors the actor may see, then the node: the drill-down breadcrumbs."""
    ids = [node.district_id, node.street_id, node.community_id, node.grid_id, node.pk]
    units = {u.pk: u for u in units_in_scope(actor).filter(pk__in=[i for i in ids if i])}
    if actor.unit is not None and actor.unit.level == Level.CITY:
        units[actor.unit.pk] = actor.unit
    return sorted(units.values(), key=lambda u: u.level)


def colour(percent: float | None) -> str:
    """Colour class of the elderly fully vaccinated (map, table and headline agree)."""
    if percent is None:
        return "none"
    return "high" if percent >= 90 else "mid" if percent >= 75 else "low"


def map_data(rows: list[coverage.UnitRow], node: AdminUnit, *, language: str
             ) -> dict[str, Any]:
    base = reverse("vaccination_coverage")
    features = []
    for row in rows:
        try:
            geometry = json.loads(row.unit.boundary) if row.unit.boundary else None
        except ValueError:
            geometry = None
        if not isinstance(geometry, dict) or "type" not in geometry:
            continue
        elderly, everyone = row.get(coverage.ELDERLY), row.get(coverage.ALL)
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "name": row.unit.display_name(language), "url": f"{base}?unit={row.unit.pk}",
            "elderly": elderly.residents, "percent": elderly.percent_complete,
            "band": colour(elderly.percent_complete), "all": everyone.percent_complete}})
    center = [node.center_lat, node.center_lon] if node.center_lat is not None else None
    return {"type": "FeatureCollection", "features": features, "center": center}


@needs(Right.VACCINATION_VIEW)
def coverage_page(request: HttpRequest) -> HttpResponse:
    actor, today = actor_of(request), clock.city_today()
    rules = vaccination_rules(on=today)
    node = coverage.coverage_node(actor, int_param(request, "unit"))
    totals = coverage.totals(actor=actor, node=node, rules=rules, on=today)
    rows = coverage.child_rows(actor=actor, node=node, rules=rules, on=today)
    keys = [b.key for b in rules.bands]
    elderly = totals.get(coverage.ELDERLY, coverage.Tally())
    return render(request, "vaccination/coverage.html", {
        "node": node, "trail": _trail(actor, node), "today": today, "rules": rules,
        "bands": [(k, totals.get(k, coverage.Tally())) for k in keys],
        "all": totals.get(coverage.ALL, coverage.Tally()), "elderly": elderly,
        "elderly_colour": colour(elderly.percent_complete),
        "rows": [(r, [r.get(k) for k in keys], r.get(coverage.ELDERLY),
                  colour(r.get(coverage.ELDERLY).percent_complete)) for r in rows],
        "band_keys": keys, "map": map_data(rows, node, language=get_language() or "")})


@needs(Right.VACCINATION_VIEW)
def elderly_page(request: HttpRequest) -> HttpResponse:
    actor, today = actor_of(request), clock.city_today()
    rules = vaccination_rules(on=today)
    node = coverage.coverage_node(actor, int_param(request, "unit"))
    rows, next_after = coverage.elderly_page(actor=actor, node=node, rules=rules, on=today,
                                             after=int_param(request, "after"))
    phones = coverage.shown_phones(actor, node, [r.person for r in rows],
                                   listing="vaccination.elderly")
    totals = coverage.totals(actor=actor, node=node, rules=rules, on=today)
    return render(request, "vaccination/elderly.html", {
        "node": node, "trail": _trail(actor, node), "rules": rules,
        "elderly": totals.get(coverage.ELDERLY, coverage.Tally()),
        "rows": [(r, phones[r.person.pk]) for r in rows], "next_after": next_after,
        "outcomes": VisitOutcome.choices, "labels": dict(VisitOutcome.choices),
        "next_url": request.get_full_path(),
        "can_visit": actor.can(Right.VACCINATION_VISIT)})


@needs(Right.VACCINATION_VIEW)
def elderly_csv(request: HttpRequest) -> HttpResponse:
    actor, today = actor_of(request), clock.city_today()
    node = coverage.coverage_node(actor, int_param(request, "unit"))
    try:
        text = doorlist.export_csv(actor=actor, node=node, rules=vaccination_rules(on=today),
                                   on=today)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('vaccination_elderly')}?unit={node.pk}")
    answer = HttpResponse(text, content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="elderly-{node.code}-{today}.csv"'
    return answer


@require_POST
@needs(Right.VACCINATION_VISIT)
def visit(request: HttpRequest, person_id: int) -> HttpResponse:
    today = clock.city_today()
    target = request.POST.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("vaccination_elderly")
    try:
        doorlist.do_record_visit(actor=actor_of(request), person_id=person_id,
                                 outcome=request.POST.get("outcome", ""),
                                 note=request.POST.get("note", "")[:1000],
                                 rules=vaccination_rules(on=today), on=today)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Visit recorded."))
    return redirect(target)


urlpatterns: list[URLPattern] = [
    path("vaccination/", coverage_page, name="vaccination_coverage"),
    path("vaccination/elderly/", elderly_page, name="vaccination_elderly"),
    path("vaccination/elderly.csv", elderly_csv, name="vaccination_elderly_csv"),
    path("vaccination/elderly/<int:person_id>/visit/", visit, name="vaccination_visit"),
]
