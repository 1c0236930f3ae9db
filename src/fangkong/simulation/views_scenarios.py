"""The simulator's pages: the scenarios of the viewer's scope (their rows poll while a run is
queued or running), the form with its presets (``simulation.run``), one scenario's bands, and
2–4 scenarios side by side. Thin: the rules are ``scenarios``' and ``queries``'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError
from fangkong.core.rights import Right
from fangkong.simulation import charts, queries, scenarios, spec
from fangkong.simulation.forms_scenarios import PRESET_LABELS, ScenarioForm
from fangkong.simulation.models import ScenarioStatus
from fangkong.web.access import actor_of, needs

PAGE_ROWS = 100
BUSY = (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING)


def _chosen_model(request: HttpRequest) -> tuple[str, str]:
    preset = request.GET.get("preset", "")
    if preset in spec.PRESETS:
        return spec.PRESETS[preset][0], preset
    model = request.GET.get("model", spec.BRANCHING)
    return (model if model in spec.MODELS else spec.BRANCHING), ""


def _page(request: HttpRequest, form: ScenarioForm | None = None,
          status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    rows = queries.scenarios_for(actor)
    shown = list(rows[:PAGE_ROWS])
    context: dict[str, Any] = {
        "scenarios": shown, "total": rows.count(), "limit": PAGE_ROWS,
        "busy": any(s.status in BUSY for s in shown), "can_run": actor.can(Right.SIMULATION_RUN),
    }
    if request.GET.get("rows") and request.headers.get("HX-Request"):
        return render(request, "simulation/scenarios_rows.html", context)
    if context["can_run"]:
        if form is None:
            model, preset = _chosen_model(request)
            form = ScenarioForm(model=model, preset=preset)
        context.update(form=form, presets=[(k, m, PRESET_LABELS[k])
                                           for k, (m, _p) in spec.PRESETS.items()],
                       caps=spec.MAX_RUNS, max_days=spec.MAX_DAYS)
    return render(request, "simulation/scenarios.html", context, status=status)


@needs(Right.SIMULATION_VIEW)
def scenarios_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@needs(Right.SIMULATION_RUN)
def scenario_new(request: HttpRequest) -> HttpResponse:
    model = request.POST.get("model", "")
    if model not in spec.MODELS:
        model = spec.BRANCHING
    form = ScenarioForm(request.POST, model=model)
    made = form.create(actor=actor_of(request))
    if made is None:
        return _page(request, form=form, status=422)
    messages.success(request, _("The scenario is queued; its row shows the progress."))
    return redirect(reverse("simulation_scenarios"))


@needs(Right.SIMULATION_VIEW)
def scenario_page(request: HttpRequest, scenario_id: int) -> HttpResponse:
    actor = actor_of(request)
    scenario = queries.scenario_for(actor, scenario_id=scenario_id)
    context = {"s": scenario, "can_run": actor.can(Right.SIMULATION_RUN),
               "busy": scenario.status in BUSY}
    if request.GET.get("state") and request.headers.get("HX-Request"):
        response = render(request, "simulation/scenario_state.html", context)
        if not context["busy"]:
            response["HX-Refresh"] = "true"  # finished: reload to draw the bands
        return response
    if scenario.status == ScenarioStatus.DONE:
        context.update(charts.page_data([scenario]))
    return render(request, "simulation/scenario.html", context)


@require_POST
@needs(Right.SIMULATION_RUN)
def scenario_run(request: HttpRequest, scenario_id: int) -> HttpResponse:
    try:
        scenarios.do_run_scenario(actor=actor_of(request), scenario_id=scenario_id)
    except DomainError as exc:
        if exc.field != "status":
            raise
        messages.error(request, exc.message)
    return redirect(reverse("simulation_scenario", args=[scenario_id]))


@require_POST
@needs(Right.SIMULATION_RUN)
def scenario_delete(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenarios.do_delete_scenario(actor=actor_of(request), scenario_id=scenario_id)
    messages.success(request, _("The scenario was deleted."))
    return redirect(reverse("simulation_scenarios"))


@needs(Right.SIMULATION_VIEW)
def compare_page(request: HttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.GET.getlist("ids") if x.isdigit()]
    try:
        chosen = queries.comparison(actor_of(request), ids=ids)
    except DomainError as exc:
        if exc.field != "ids":
            raise
        messages.error(request, exc.message)
        return redirect(reverse("simulation_scenarios"))
    return render(request, "simulation/compare.html",
                  {"chosen": chosen, **charts.page_data(chosen)})


urlpatterns: list[URLPattern] = [
    path("simulation/", scenarios_page, name="simulation_scenarios"),
    path("simulation/new/", scenario_new, name="simulation_scenario_new"),
    path("simulation/compare/", compare_page, name="simulation_compare"),
    path("simulation/<int:scenario_id>/", scenario_page, name="simulation_scenario"),
    path("simulation/<int:scenario_id>/run/", scenario_run, name="simulation_scenario_run"),
    path("simulation/<int:scenario_id>/delete/", scenario_delete,
         name="simulation_scenario_delete"),
]
