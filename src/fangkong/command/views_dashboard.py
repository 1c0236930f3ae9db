"""The command dashboard: tiles with the change from the day before, the viewer's latest
simulated scenarios, trends, a map of the child units coloured by a chosen layer, and the
breakdown table; ``?unit=`` drills down city → district → street. The tiles fragment is
polled by HTMX; each request first refreshes the marked figures of its scope when few are
waiting (``refresh.refresh_scope``), so the page is live without a worker."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import get_language

from fangkong.command import dashboard_sim, figures, queries, refresh
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.web.access import actor_of, int_param, needs

POLL_SECONDS = 30


def day_param(request: HttpRequest) -> dt.date:
    """``?day=YYYY-MM-DD``, not after today; today when absent or unreadable."""
    today = clock.city_today()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today
    return min(day, today)


def trail(actor: Actor, unit: AdminUnit) -> list[AdminUnit]:
    """The units from the actor's own down to ``unit`` (the drill-up links)."""
    chain: list[AdminUnit] = []
    node: AdminUnit | None = unit
    while node is not None:
        chain.append(node)
        if actor.unit is not None and node.pk == actor.unit.pk:
            break
        node = node.parent
    return chain[::-1]


def _context(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    unit = queries.unit_for(actor, int_param(request, "unit"))
    day = day_param(request)
    current = refresh.refresh_scope(unit)
    pic = figures.picture(unit=unit, day=day)
    layer = request.GET.get("layer", "cases")
    scenarios = dashboard_sim.latest_scenarios(actor)
    return {"pic": pic, "unit": unit, "day": day, "today": day == clock.city_today(),
            "current": current, "trail": trail(actor, unit), "scenarios": scenarios,
            "compare_ids": dashboard_sim.compare_ids(scenarios or []),
            "layer": layer if layer in figures.LAYERS else "cases", "layers": figures.LAYERS,
            "poll": POLL_SECONDS, "updated": timezone.localtime(clock.now())}


@needs(Right.COMMAND_VIEW)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    pic = context["pic"]
    assert isinstance(pic, figures.Picture)
    language = get_language() or "zh-hans"
    context |= {"map": figures.map_collection(pic, language=language),
                "charts": figures.chart_data(pic)}
    return render(request, "command/dashboard.html", context)


@needs(Right.COMMAND_VIEW)
def dashboard_tiles(request: HttpRequest) -> HttpResponse:
    """The live part (tiles and breakdown), polled every ``POLL_SECONDS``."""
    return render(request, "command/_dash_live.html", _context(request))


urlpatterns: list[URLPattern] = [
    path("command/", dashboard_page, name="command_dashboard"),
    path("command/dashboard/live/", dashboard_tiles, name="command_dashboard_live"),
]
