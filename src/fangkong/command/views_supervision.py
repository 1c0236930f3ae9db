"""The supervision page (督查督办): the units below an HQ ranked by timeliness over a period,
sortable, with drill-down, and the tasks that need the HQ's eye now. Thin over
``supervision``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from fangkong.command import supervision
from fangkong.command.directives import flagged
from fangkong.core import clock
from fangkong.core.rights import Right
from fangkong.web.access import actor_of, int_param, needs
from fangkong.web.crumbs import crumbs_for

LIST_ROWS = 100


def _date(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@needs(Right.COMMAND_VIEW)
def supervision_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    unit = supervision.unit_for(actor, int_param(request, "unit"))
    now = clock.now()
    first, last = supervision.default_period(clock.city_today())
    since = _date(request.GET.get("since", ""), first)
    until = max(since, _date(request.GET.get("until", ""), last))
    sort = request.GET.get("sort", "score")
    sort = sort if sort in supervision.SORTS else "score"
    descending = request.GET.get("order", "desc") != "asc"
    rows = supervision.ranking(unit=unit, since=since, until=until, now=now, sort=sort,
                               descending=descending)
    lists = {name: flagged(qs[:LIST_ROWS], now=now)
             for name, qs in supervision.watch_lists(actor=actor, unit=unit, now=now).items()}
    return render(request, "command/supervision.html", {
        "unit": unit, "rows": rows, "since": since, "until": until, "sort": sort,
        "descending": descending, "lists": lists, "sorts": supervision.SORTS,
        "crumbs": crumbs_for(actor=actor, place=unit) if unit != actor.unit else [],
        "late_weight": supervision.LATE_WEIGHT})


urlpatterns: list[URLPattern] = [
    path("command/supervision/", supervision_page, name="command_supervision"),
]
