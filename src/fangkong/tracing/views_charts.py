"""The command views of tracing: the 24-hour funnel (hours of each step per case and per
district, and the share done within 24 hours) and the transmission chains (who infected
whom, one colour per cluster). The numbers are ``tracing.funnel`` / ``tracing.chains``'; this
module only shapes them for ECharts and the tables, and the page embeds the chart data
(``json_script``) so a chart costs no second request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry import queries as registry_queries
from fangkong.tracing import logic
from fangkong.tracing.chains import chain_graph, clusters_for
from fangkong.tracing.funnel import Funnel, FunnelRow, funnel_for
from fangkong.tracing.models import Classification
from fangkong.web.access import actor_of, int_param, needs


@needs(Right.TRACING_VIEW)
def funnel_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    districts = list(registry_queries.list_units_at(actor=actor, level=Level.DISTRICT))
    chosen = int_param(request, "district")
    chosen = chosen if chosen in {d.pk for d in districts} else None
    funnel = funnel_for(actor=actor, district_id=chosen)
    names = _district_names(districts, funnel)
    return render(request, "tracing/funnel.html", {
        "funnel": funnel, "districts": districts, "district": chosen,
        "district_rows": [(names.get(d.district_id, d.district), d) for d in funnel.districts],
        "kpi": _kpis(funnel), "chart": _funnel_chart(funnel, names),
        "case_url": reverse("tracing_case", args=[0])})


def _district_names(districts: list[AdminUnit], funnel: Funnel) -> dict[int | None, str]:
    """District names in the page's language (the funnel carries the Chinese name)."""
    language = get_language() or ""
    units: dict[int | None, AdminUnit] = {d.pk: d for d in districts}
    units |= {r.case.district_id: r.case.district for r in funnel.cases if r.case.district}
    return {pk: unit.display_name(language) for pk, unit in units.items()}


def _kpis(funnel: Funnel) -> dict[str, Any]:
    rows = funnel.cases
    share = logic.share_true(r.within_24h for r in rows)
    return {"cases": len(rows), "controlled": sum(r.controlled_at is not None for r in rows),
            "open": sum(r.within_24h is None for r in rows),
            "share": None if share is None else round(share * 100),
            "median": logic.median(r.total_hours for r in rows)}


def _hours_so_far(row: FunnelRow) -> float:
    """Total hours for a case under control; hours since the result for one still open."""
    if row.total_hours is not None:
        return row.total_hours
    return round((clock.now() - row.result_at).total_seconds() / 3600, 2)


def _funnel_chart(funnel: Funnel, names: dict[int | None, str]) -> dict[str, Any]:
    rows = funnel.districts
    return {
        "districts": [names.get(d.district_id, d.district) for d in rows],
        "unit": _("hours"),
        "steps": [
            {"name": _("result → confirmed"), "values": [d.median_to_confirm for d in rows]},
            {"name": _("confirmed → contacts identified"),
             "values": [d.median_to_identify for d in rows]},
            {"name": _("identified → under control"),
             "values": [d.median_to_control for d in rows]},
        ],
        "share": [d.share_within_24h for d in rows],
        "share_title": _("Cases under control within 24 hours"),
        "cases": [{"id": r.case.pk, "hours": _hours_so_far(r), "within": r.within_24h,
                   "open": r.controlled_at is None,
                   "result_at": timezone.localtime(r.result_at).isoformat()}
                  for r in funnel.cases],
        "labels": {"within": _("within 24 h"), "late": _("over 24 h"),
                   "open": _("open, under 24 h"), "so_far": _("still open: hours so far")},
    }


@needs(Right.TRACING_VIEW)
def chains_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graph = chain_graph(actor=actor)
    clusters = clusters_for(actor=actor)
    return render(request, "tracing/chains.html", {
        "chart": {"graph": graph, "palette": CLUSTER_COLORS, "unlinked": UNLINKED_COLOR,
                  "labels": {**{k: str(v) for k, v in Classification.choices},
                             "infected": _("cases infected:")}},
        "clusters": [(c, CLUSTER_COLORS[(c.id - 1) % len(CLUSTER_COLORS)]) for c in clusters],
        "cases": len(graph["nodes"]), "linked": sum(c.size for c in clusters),
        "case_url": reverse("tracing_case", args=[0])})


# One colour per cluster, in order (the chart and the table's swatches); unlinked cases grey.
UNLINKED_COLOR = "#b8c2cc"
CLUSTER_COLORS = ["#1f5fa8", "#b3261e", "#2e9e6b", "#e0892b", "#7a4fc2", "#0f8fa8",
                  "#c2497a", "#6b8e23", "#8a5a2b", "#4a6fe3", "#d4a017", "#5f6b7a"]
