"""GeoJSON for the map: a unit's children (boundaries with resident counts), or for a grid its
own boundary and its buildings as points. Boundaries are stored as GeoJSON geometry text."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import AdminUnit, Level
from fangkong.registry import queries
from fangkong.registry.models import Building

MAX_POINTS = 2000  # a grid has a few hundred buildings; the cap only guards the page


def child_counts(*, actor: Actor, unit: AdminUnit) -> list[dict[str, Any]]:
    """Rows for the unit page and the map: each child in scope with residents and special."""
    summary = queries.grid_summary(actor=actor, parent=unit) if unit.level < Level.GRID else {}
    rows = []
    for child in queries.list_child_units(actor=actor, parent=unit):
        counts = summary.get(child.pk, {})
        rows.append({"unit": child, "residents": counts.get("residents", 0),
                     "special": counts.get("special", 0)})
    return rows


def children_collection(*, actor: Actor, unit: AdminUnit, language: str) -> dict[str, Any]:
    """A FeatureCollection of the unit's children in scope; for a grid, itself and buildings."""
    if unit.level >= Level.GRID:
        features = [_unit_feature(unit, {}, language)]
        features += [_building_feature(b) for b in _buildings(actor=actor, grid=unit)]
    else:
        features = [_unit_feature(row["unit"], row, language)
                    for row in child_counts(actor=actor, unit=unit)]
    return {
        "type": "FeatureCollection",
        "features": [f for f in features if f is not None],
        "center": [unit.center_lat, unit.center_lon] if unit.center_lat is not None else None,
    }


def _geometry(text: str) -> dict[str, Any] | None:
    """The stored geometry, or None when missing or unreadable (the unit is then listed only)."""
    if not text:
        return None
    try:
        geometry = json.loads(text)
    except ValueError:
        return None
    return geometry if isinstance(geometry, dict) and "type" in geometry else None


def _unit_feature(unit: AdminUnit, counts: dict[str, Any],
                  language: str) -> dict[str, Any] | None:
    geometry = _geometry(unit.boundary)
    if geometry is None:
        return None
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "id": unit.pk, "kind": "unit", "level": unit.level,
            "name": unit.display_name(language),
            "residents": counts.get("residents"), "special": counts.get("special"),
            "url": reverse("unit", args=[unit.pk]),
        },
    }


def _buildings(*, actor: Actor, grid: AdminUnit) -> list[Building]:
    qs = scope(Building.objects.filter(grid=grid), actor).only("pk", "name", "lat", "lon")
    return list(qs.order_by("pk")[:MAX_POINTS])


def _building_feature(building: Building) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [building.lon, building.lat]},
        "properties": {"id": building.pk, "kind": "building", "name": building.name,
                       "url": reverse("building", args=[building.pk])},
    }
