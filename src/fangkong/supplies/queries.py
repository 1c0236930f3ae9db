"""Reads of supplies, always scoped: the streets of the viewer's jurisdiction with their days
of stock and median prices per good, the alerts, the map's features."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.urls import reverse

from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.models import AdminUnit, Level
from fangkong.registry.models import Venue
from fangkong.supplies.figures import StreetDay, street_days
from fangkong.supplies.logic import GOODS, band
from fangkong.supplies.models import AlertStatus, StockReport, SupplyAlert
from fangkong.supplies.policy import supply_rules
from fangkong.supplies.reports import OUTLET_TYPES

STREETS_MAX = 500
ORDER = Case(When(status=AlertStatus.OPEN, then=Value(0)),
             When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)), default=Value(2),
             output_field=IntegerField())


@dataclass
class StreetRow:
    street: AdminUnit
    figures: StreetDay | None
    cells: list[dict[str, Any]]
    worst: str
    open_alerts: int
    outlets: int = 0  # markets and supermarkets of the street (active venues)


def streets_of(actor: Actor) -> QuerySet[AdminUnit]:
    return scope(AdminUnit.objects.filter(level=Level.STREET), actor).order_by("code")


def _cell(figures: StreetDay | None, good: str) -> dict[str, Any]:
    stock = figures.stock.get(good) if figures else None
    price = figures.price.get(good) if figures else None
    change = None
    if price is not None and price.trailing_median:
        change = round((price.price / price.trailing_median - 1) * 100, 1)
    return {"good": good, "stock": stock,
            "band": band(stock.days if stock else None, stock.required_days if stock else None),
            "price": price, "change": change}


WORST = ["low", "tight", "ok", "none"]


def overview(actor: Actor, *, day: dt.date) -> list[StreetRow]:
    """The actor's streets on ``day``, those with open alerts first, then the lowest stock."""
    streets = list(streets_of(actor)[:STREETS_MAX])
    figures = street_days(supply_rules(on=day), day=day, street_ids=[s.pk for s in streets])
    open_counts: dict[int, int] = {}
    for street_id in (SupplyAlert.objects.filter(street_id__in=[s.pk for s in streets],
                                                  status=AlertStatus.OPEN)
                      .values_list("street_id", flat=True)):
        open_counts[street_id] = open_counts.get(street_id, 0) + 1
    outlets = _outlets([s.pk for s in streets])
    rows = []
    for street in streets:
        found = figures.get(street.pk)
        cells = [_cell(found, good) for good in GOODS]
        worst = min((c["band"] for c in cells), key=WORST.index)
        rows.append(StreetRow(street, found, cells, worst, open_counts.get(street.pk, 0),
                              outlets.get(street.pk, 0)))
    rows.sort(key=lambda r: (-r.open_alerts, WORST.index(r.worst), r.street.code))
    return rows


def _outlets(street_ids: list[int]) -> dict[int, int]:
    """Markets and supermarkets per street: a street whose outlets did not all report has
    its stock understated (the missing ones count as holding none), so the page says so."""
    rows = (Venue.objects.filter(street_id__in=street_ids, type__in=OUTLET_TYPES)
            .values_list("street_id").annotate(n=Count("pk")))
    return dict(rows)


def alerts_for(actor: Actor, *, status: str = "") -> QuerySet[SupplyAlert]:
    """Alerts of the actor's streets: open first, then acknowledged, then closed; newest
    first within each."""
    found = scope(SupplyAlert.objects.select_related("street"), actor)
    if status in AlertStatus.values:
        found = found.filter(status=status)
    return found.annotate(rank=ORDER).order_by("rank", "-last_day", "-id")


def alert_for(actor: Actor, alert_id: int) -> SupplyAlert:
    return get_scoped(SupplyAlert.objects.select_related("street"), actor,
                      what="supply alert", pk=alert_id)


def _geometry(unit: AdminUnit) -> dict[str, Any] | None:
    if unit.boundary:
        try:
            found: dict[str, Any] = json.loads(unit.boundary)
        except ValueError:
            found = {}
        if found.get("type"):
            return found
    if unit.center_lat is None or unit.center_lon is None:
        return None
    return {"type": "Point", "coordinates": [unit.center_lon, unit.center_lat]}


def map_features(actor: Actor, *, day: dt.date, rows: list[StreetRow]) -> dict[str, Any]:
    """GeoJSON: the streets coloured by their worst days of stock, the outlets as points with
    the goods they reported on ``day``."""
    features = []
    for row in rows:
        geometry = _geometry(row.street)
        if geometry is not None:
            low = [c["good"] for c in row.cells if c["band"] == "low"]
            features.append({"type": "Feature", "geometry": geometry, "properties": {
                "kind": "street", "name": row.street.name, "band": row.worst, "low": low,
                "alerts": row.open_alerts,
                "url": reverse("supplies_overview") + f"?street={row.street.pk}"}})
    reports = scope(StockReport.objects.filter(day=day, venue__type__in=OUTLET_TYPES), actor)
    outlets: dict[int, dict[str, Any]] = {}
    for venue_id, name, lat, lon, good in reports.values_list(
            "venue_id", "venue__name", "venue__lat", "venue__lon", "good")[:20_000]:
        if lat is None or lon is None:
            continue
        entry = outlets.setdefault(venue_id, {"type": "Feature", "geometry": {
            "type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": "outlet", "name": name, "goods": []}})
        entry["properties"]["goods"].append(good)
    return {"type": "FeatureCollection", "features": features + list(outlets.values())}
