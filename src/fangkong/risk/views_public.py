"""The public risk-area notice (no login): the areas in force by level with their public
wording, start and history, on a map, in Chinese or English, and the same as JSON with the
areas lifted in the last 30 days. Rows are built here field by field from published facts,
so no case, person or staff name can reach them even if the tables grow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from fangkong.core import clock
from fangkong.risk.logic import LEVELS
from fangkong.risk.models import AreaStatus, EventKind, RiskArea, RiskLevel
from fangkong.risk.queries import public_areas
from fangkong.risk.views_area import areas_map
from fangkong.tracing.views_risk import _cacheable, _language

LIFTED_DAYS = 30


def _event_row(event: Any) -> dict[str, Any]:
    return {"at": timezone.localtime(event.at), "kind": event.kind,
            "kind_label": str(EventKind(event.kind).label),
            "level_from": event.level_from, "level_to": event.level_to,
            "level_from_label": str(RiskLevel(event.level_from).label) if event.level_from else "",
            "level_to_label": str(RiskLevel(event.level_to).label) if event.level_to else ""}


def public_row(area: RiskArea, language: str) -> dict[str, Any]:
    """Only what the public may read about one area."""
    return {"code": area.code, "name": area.name, "level": area.level,
            "level_label": str(RiskLevel(area.level).label), "status": area.status,
            "district": area.district.display_name(language) if area.district else "",
            "started_at": timezone.localtime(area.started_at),
            "lifted_at": timezone.localtime(area.lifted_at) if area.lifted_at else None,
            "events": [_event_row(e) for e in area.events.all()
                       if e.kind != EventKind.CASE_LINKED]}


def _rows(language: str) -> tuple[list[RiskArea], list[dict[str, Any]]]:
    since = clock.now() - dt.timedelta(days=LIFTED_DAYS)
    areas = sorted(public_areas(lifted_since=since),
                   key=lambda a: (a.status != AreaStatus.ACTIVE, LEVELS.index(a.level)))
    return areas, [public_row(a, language) for a in areas]


@require_GET
def public_risk_areas(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        areas, rows = _rows(language)
        active = [r for r in rows if r["status"] == AreaStatus.ACTIVE]
        by_level = [(value, str(label), [r for r in active if r["level"] == value])
                    for value, label in RiskLevel.choices]
        response = render(request, "risk/public_areas.html", {
            "by_level": by_level, "lifted": [r for r in rows if r["status"] != "active"],
            "lifted_days": LIFTED_DAYS,
            "map": areas_map([a for a in areas if a.status == AreaStatus.ACTIVE], staff=False),
            "now": timezone.localtime(clock.now())})
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return _cacheable(request, response)


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "started_at": row["started_at"].isoformat(),
            "lifted_at": row["lifted_at"].isoformat() if row["lifted_at"] else None,
            "events": [{**e, "at": e["at"].isoformat()} for e in row["events"]]}


@require_GET
def public_risk_areas_json(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        _areas, rows = _rows(language)
        body = {"lifted_days": LIFTED_DAYS, "time_zone": timezone.get_current_timezone_name(),
                "areas": [_json_row(r) for r in rows]}
    response = HttpResponse(json.dumps(body, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ("Accept-Language",))
    return _cacheable(request, response)


urlpatterns: list[URLPattern] = [
    path("public/risk-areas/", public_risk_areas, name="public_risk_areas"),
    path("public/risk-areas.json", public_risk_areas_json, name="public_risk_areas_json"),
]
