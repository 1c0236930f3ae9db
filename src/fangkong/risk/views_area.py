"""Risk-area pages for staff: the list with counts and a map, one area (facts, cases, events,
proposals, gates), designation, and the proposals awaiting approval. Thin: the rules are
``actions_area``'s and ``lifting``'s."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.risk import actions_area, lifting, queries
from fangkong.risk.evidence import local_day
from fangkong.risk.forms_area import DecideForm, DesignateForm, GateForm, LinkCaseForm, RaiseForm
from fangkong.risk.models import AreaStatus, RiskArea, RiskLevel
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import DomainForm

LIST_LIMIT = 500


def _geometry(text: str) -> dict[str, Any] | None:
    try:
        geometry = json.loads(text) if text else None
    except ValueError:
        return None
    return geometry if isinstance(geometry, dict) and "type" in geometry else None


def area_feature(area: RiskArea, *, url: str) -> dict[str, Any] | None:
    """A unit's boundary, or its building as a point; None when neither is on the map."""
    if area.building is not None and area.building.lat is not None:
        geometry: dict[str, Any] | None = {
            "type": "Point", "coordinates": [area.building.lon, area.building.lat]}
    else:
        geometry = _geometry(area.unit.boundary) if area.unit is not None else None
    if geometry is None:
        return None
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": area.code, "name": area.name, "level": area.level,
                           "level_label": str(RiskLevel(area.level).label),
                           "status": area.status, "url": url}}


def areas_map(areas: Iterable[RiskArea], *, staff: bool) -> dict[str, Any]:
    """The FeatureCollection of the areas' map layer (staff links open the area page)."""
    features = [area_feature(a, url=reverse("risk_area", args=[a.pk]) if staff else "")
                for a in areas]
    return {"type": "FeatureCollection", "features": [f for f in features if f]}


@needs(Right.RISK_VIEW)
def areas_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    level, status = request.GET.get("level", ""), request.GET.get("status", AreaStatus.ACTIVE)
    areas = list(queries.filtered_areas(actor, level=level, status=status)[:LIST_LIMIT])
    return render(request, "risk/areas.html", {
        "areas": areas, "level": level, "status": status, "levels": RiskLevel.choices,
        "statuses": AreaStatus.choices, "counts": _counts(queries.counts_by_level(actor)),
        "map": areas_map(areas, staff=True),
        "can_manage": actor.can(Right.RISK_MANAGE)})


def _counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(value, str(label), counts[value]) for value, label in RiskLevel.choices]


def _detail(request: HttpRequest, area_id: int, *, forms: dict[str, DomainForm] | None = None,
            status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    area = queries.area_for(actor, area_id)
    evaluation = (lifting.evaluate(area, today=local_day(clock.now()))
                  if area.status == AreaStatus.ACTIVE else None)
    forms = forms or {}
    return render(request, "risk/area.html", {
        "area": area, "evaluation": evaluation,
        "unmet": lifting.describe_unmet(evaluation.step) if evaluation else "",
        "target_label": _target_label(evaluation),
        "members": queries.area_members(area).count(),
        "cases": area.cases.order_by("-result_at"),
        "events": area.events.select_related("actor"),
        "proposals": area.proposals.select_related("decided_by").order_by("-proposed_at"),
        "gates": area.gates.order_by("pk"),
        "raise_form": forms.get("raise") or RaiseForm(),
        "case_form": forms.get("case") or LinkCaseForm(),
        "gate_form": forms.get("gate") or GateForm(),
        "map": areas_map([area], staff=True),
        "can_manage": actor.can(Right.RISK_MANAGE) and area.status == AreaStatus.ACTIVE,
        "can_approve": actor.can(Right.RISK_APPROVE)}, status=status)


def _target_label(evaluation: lifting.Evaluation | None) -> str:
    target = evaluation.step.target if evaluation else ""
    return str(RiskLevel(target).label) if target in RiskLevel.values else ""


@needs(Right.RISK_VIEW)
def area_page(request: HttpRequest, area_id: int) -> HttpResponse:
    return _detail(request, area_id)


def _act(request: HttpRequest, area_id: int, *, key: str, form: DomainForm,
         act: Any, done: str) -> HttpResponse:
    """Run one area action from a posted form; errors go back on the form's fields."""
    if form.submit(act, actor=actor_of(request), area_id=area_id) is None:
        return _detail(request, area_id, forms={key: form}, status=422)
    messages.success(request, done)
    return redirect("risk_area", area_id)


@require_POST
@needs(Right.RISK_MANAGE)
def area_raise(request: HttpRequest, area_id: int) -> HttpResponse:
    return _act(request, area_id, key="raise", form=RaiseForm(request.POST),
                act=actions_area.do_change_level, done=_("The area was raised."))


@require_POST
@needs(Right.RISK_MANAGE)
def area_link_case(request: HttpRequest, area_id: int) -> HttpResponse:
    return _act(request, area_id, key="case", form=LinkCaseForm(request.POST),
                act=actions_area.do_link_case, done=_("The case was linked to the area."))


@require_POST
@needs(Right.RISK_MANAGE)
def area_add_gate(request: HttpRequest, area_id: int) -> HttpResponse:
    return _act(request, area_id, key="gate", form=GateForm(request.POST),
                act=actions_area.do_add_gate, done=_("The gate was added."))


@needs(Right.RISK_MANAGE)
def area_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = DesignateForm(request.POST if request.method == "POST" else None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            area = actions_area.do_designate(actor=actor, **form.action_values())
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Area %(code)s designated.") % {"code": area.code})
            return redirect("risk_area", area.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "risk/area_new.html", {"form": form}, status=status)


@needs(Right.RISK_VIEW)
def proposals_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(request, "risk/area_proposals.html", {
        "proposals": queries.proposals_for(actor), "can_approve": actor.can(Right.RISK_APPROVE)})


@require_POST
@needs(Right.RISK_APPROVE)
def proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
    else:
        try:
            proposal = lifting.do_decide_proposal(actor=actor_of(request),
                                                  proposal_id=proposal_id, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Proposal decided: %(status)s.")
                             % {"status": proposal.get_status_display()})
    back = request.POST.get("back", "")
    if back == "area":
        area_id = queries.proposal_for(actor_of(request), proposal_id).area_id
        return redirect("risk_area", area_id)
    return redirect("risk_proposals")


urlpatterns: list[URLPattern] = [
    path("risk/areas/", areas_page, name="risk_areas"),
    path("risk/areas/new", area_new, name="risk_area_new"),
    path("risk/areas/<int:area_id>/", area_page, name="risk_area"),
    path("risk/areas/<int:area_id>/raise", area_raise, name="risk_area_raise"),
    path("risk/areas/<int:area_id>/cases", area_link_case, name="risk_area_link_case"),
    path("risk/areas/<int:area_id>/gates", area_add_gate, name="risk_area_add_gate"),
    path("risk/proposals/", proposals_page, name="risk_proposals"),
    path("risk/proposals/<int:proposal_id>/decide", proposal_decide,
         name="risk_proposal_decide"),
]
