"""What the dashboard shows, shaped from the queries: tiles with the change from the day
before, the breakdown by child unit, the map's layers and the trends. Shared by the page and
the API so both give the same figures."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.command import queries
from fangkong.core.models import AdminUnit

TREND_DAYS = 14

GROUPS: dict[str, str | Promise] = {
    "tracing": _("Cases and contacts"),
    "warning": _("Early warning"),
    "screening": _("Screening"),
    "quarantine": _("Quarantine"),
    "risk": _("Risk areas and sealed-area requests"),
    "supplies": _("Supplies and prices"),
    "coldchain": _("Imported cold chain"),
    "vaccination": _("Vaccination of the elderly"),
    "hotline": _("12345 hotline"),
    "command": _("Directives"),
}

# Map layers: a child unit is shaded by the sum of these metrics.
LAYERS: dict[str, tuple[str | Promise, tuple[str, ...]]] = {
    "cases": (_("new cases"), ("cases_in_quarantine", "cases_in_community")),
    "community": (_("new cases in the community"), ("cases_in_community",)),
    "areas": (_("risk areas in force"), ("areas_sealed", "areas_controlled",
                                         "areas_precaution")),
    "rooms": (_("quarantine rooms free"), ("rooms_free",)),
    "supplies": (_("supply alerts open"), ("supply_alerts_open",)),
    "coldchain": (_("positive cold-chain samples"), ("coldchain_positive",)),
    "tickets": (_("hotline tickets open"), ("tickets_open",)),
    "overdue": (_("overdue tickets and tasks"), ("tickets_overdue", "tasks_overdue")),
}

# A tile's note: the figure it is a part of ("of N", or a share).
PART_OF = {"contacts_controlled_24h": "contacts_found", "screening_sampled": "screening_expected",
           "rooms_free": "rooms_total", "requests_overdue": "requests_open",
           "tickets_overdue": "tickets_open", "tasks_overdue": "tasks_open",
           "supply_alerts_new": "supply_alerts_open", "elderly_vaccinated": "elderly_residents"}


@dataclass(frozen=True)
class Tile:
    name: str
    label: str | Promise
    measure: str | Promise
    value: int
    before: int
    whole: int | None = None

    @property
    def delta(self) -> int:
        return self.value - self.before

    @property
    def change(self) -> str:
        """The change from the day before as shown: +3, −2, ±0."""
        return f"+{self.delta}" if self.delta > 0 else f"−{-self.delta}" if self.delta else "±0"

    @property
    def percent(self) -> float | None:
        return None if not self.whole else round(100 * self.value / self.whole, 1)


@dataclass(frozen=True)
class TileGroup:
    key: str
    label: str | Promise
    tiles: list[Tile] = field(default_factory=list)


def tile_groups(today: dict[str, int], before: dict[str, int]) -> list[TileGroup]:
    groups = {key: TileGroup(key, label) for key, label in GROUPS.items()}
    for name, info in queries.METRICS.items():
        whole = today.get(PART_OF[name]) if name in PART_OF else None
        groups[info.group].tiles.append(Tile(name, info.label, info.measure, today[name],
                                             before[name], whole))
    return [g for g in groups.values() if g.tiles]


@dataclass(frozen=True)
class Picture:
    """Everything the dashboard shows for one unit and day."""

    unit: AdminUnit
    day: dt.date
    today: dict[str, int]
    before: dict[str, int]
    rows: list[tuple[AdminUnit, dict[str, int]]]
    trends: dict[str, list[int]]

    @property
    def groups(self) -> list[TileGroup]:
        return tile_groups(self.today, self.before)

    @property
    def unassigned(self) -> dict[str, int]:
        """Figures kept at the unit itself, in none of its children (a district's site with
        no street, an unrouted ticket at the city)."""
        if not self.rows:
            return {}
        rest = {n: v - sum(r[n] for _, r in self.rows) for n, v in self.today.items()}
        return rest if any(rest.values()) else {}

    def days(self) -> list[dt.date]:
        return [self.day - dt.timedelta(days=TREND_DAYS - 1 - i) for i in range(TREND_DAYS)]


def picture(*, unit: AdminUnit, day: dt.date) -> Picture:
    """Five reads of the figures table: the day, the day before, the children, the trends."""
    return Picture(unit=unit, day=day, today=queries.snapshot(unit=unit, day=day),
                   before=queries.snapshot(unit=unit, day=day - dt.timedelta(days=1)),
                   rows=queries.breakdown(unit=unit, day=day),
                   trends=queries.trends(unit=unit, days=TREND_DAYS, until=day))


def layer_values(values: dict[str, int]) -> dict[str, int]:
    return {key: sum(values.get(m, 0) for m in metrics) for key, (_l, metrics) in LAYERS.items()}


def map_collection(pic: Picture, *, language: str) -> dict[str, Any]:
    """The children's boundaries with every layer's value (the page's map draws one)."""
    features = []
    for unit, values in pic.rows:
        geometry = _geometry(unit.boundary)
        if geometry is not None:
            features.append({"type": "Feature", "geometry": geometry, "properties": {
                "id": unit.pk, "name": unit.display_name(language),
                "values": layer_values(values)}})
    center = ([pic.unit.center_lat, pic.unit.center_lon]
              if pic.unit.center_lat is not None else None)
    return {"type": "FeatureCollection", "features": features, "center": center,
            "layers": {k: str(label) for k, (label, _m) in LAYERS.items()}}


def _geometry(text: str) -> dict[str, Any] | None:
    try:
        geometry = json.loads(text) if text else None
    except ValueError:
        return None
    return geometry if isinstance(geometry, dict) and "type" in geometry else None


def chart_data(pic: Picture) -> dict[str, Any]:
    """One chart per group: each metric of the group as a line over the trend's days."""
    charts = [{"key": group.key, "title": str(group.label), "series": [
        {"name": str(t.label), "data": pic.trends[t.name]} for t in group.tiles]}
        for group in pic.groups]
    return {"days": [d.strftime("%m-%d") for d in pic.days()], "charts": charts}
