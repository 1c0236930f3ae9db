"""The capacity page: rooms needed against rooms usable over the next days (an ECharts chart
whose data the page embeds), the reserve against the policy's rooms per 10,000 residents, the
rooms of each facility by state and, for a user above one district, one row per district with
the districts running short first. The numbers are ``capacity``'s; this module shapes them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fangkong.core.jurisdiction import units_in_scope
from fangkong.core.models import Level
from fangkong.core.rights import Right
from fangkong.quarantine import views_alerts
from fangkong.quarantine.capacity import capacity_by_district, capacity_for, facility_rooms
from fangkong.quarantine.logic_capacity import INFLOW_DAYS, Forecast
from fangkong.web.access import actor_of, int_param, needs


def chart_data(forecast: Forecast) -> dict[str, Any]:
    """What capacity.js draws: one point per day of the horizon."""
    return {
        "days": [date_format(r.day, "m-d") for r in forecast.days],
        "needed": [r.needed for r in forecast.days],
        "usable": [r.usable for r in forecast.days],
        "occupied": [r.occupied for r in forecast.days],
        "shortfall": [r.shortfall for r in forecast.days],
        "labels": {"needed": _("rooms needed"), "usable": _("usable rooms"),
                   "occupied": _("in rooms at the start of the day"),
                   "shortfall": _("short"), "rooms": _("rooms")},
    }


@needs(Right.QUARANTINE_VIEW)
def capacity_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    districts = list(units_in_scope(actor).filter(level=Level.DISTRICT).order_by("code"))
    chosen = int_param(request, "unit")
    chosen = chosen if chosen in {d.pk for d in districts} else None
    forecast = capacity_for(actor=actor, unit_id=chosen)
    above_district = actor.unit is not None and actor.unit.level == Level.CITY
    return render(request, "quarantine/capacity.html", {
        "forecast": forecast, "districts": districts, "chosen": chosen,
        "facilities": facility_rooms(actor=actor, unit_id=chosen),
        "by_district": (capacity_by_district(actor=actor)
                        if above_district and chosen is None else []),
        "inflow_days": INFLOW_DAYS, "chart": chart_data(forecast)})


urlpatterns: list[URLPattern] = [
    path("quarantine/capacity/", capacity_page, name="quarantine_capacity"),
    *views_alerts.urlpatterns,
]
