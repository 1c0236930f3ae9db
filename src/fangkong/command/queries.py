"""Reads of the dashboard's figures (the read model only, never the raw tables).

Callers pass a unit they already checked the actor may see (``unit_for``). A unit's figure is
the sum of the figures of the home units in its subtree: one grouped query over ``Figure``
rows joined to their unit's placed columns, so its cost follows the number of streets and
metrics, not the number of cases or residents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.db.models import Sum
from django.utils.functional import Promise

from fangkong.command.metrics_defs import ALL
from fangkong.command.models import Figure
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, within
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level


class MetricInfo(NamedTuple):
    label: str | Promise
    group: str
    measure: str | Promise


METRICS: dict[str, MetricInfo] = {m.name: MetricInfo(m.label, m.group, m.measure) for m in ALL}

def unit_for(actor: Actor, unit_id: int | None) -> AdminUnit:
    """The unit a page or API call looks at: ``unit_id`` if inside the actor's subtree, else
    NotFound (404, like a missing one); none given: the actor's own unit."""
    if unit_id is None:
        if actor.unit is None:
            raise NotFound("unit")
        return actor.unit
    return get_scoped(AdminUnit.objects.all(), actor, what="unit", pk=unit_id)


def snapshot(*, unit: AdminUnit, day: dt.date) -> dict[str, int]:
    """Every metric summed over the unit's subtree on ``day`` (0 where nothing is stored)."""
    found = dict.fromkeys(METRICS, 0)
    rows = (within(Figure.objects.filter(day=day), unit, via="unit__").order_by()
            .values("metric").annotate(v=Sum("value")))
    for row in rows:
        if row["metric"] in found:
            found[row["metric"]] = int(row["v"] or 0)
    return found


def trend(*, unit: AdminUnit, metric: str, days: int,
          until: dt.date) -> list[tuple[dt.date, int]]:
    """One point per day for the ``days`` days ending ``until`` (oldest first)."""
    if metric not in METRICS:
        raise NotFound("metric")
    first = until - dt.timedelta(days=days - 1)
    rows = (within(Figure.objects.filter(metric=metric, day__gte=first, day__lte=until),
                   unit, via="unit__")
            .order_by().values("day").annotate(v=Sum("value")))
    values = {r["day"]: int(r["v"] or 0) for r in rows}
    return [(first + dt.timedelta(days=i), values.get(first + dt.timedelta(days=i), 0))
            for i in range(days)]


def trends(*, unit: AdminUnit, days: int, until: dt.date) -> dict[str, list[int]]:
    """Every metric's trend in one query (the dashboard's charts)."""
    first = until - dt.timedelta(days=days - 1)
    rows = (within(Figure.objects.filter(day__gte=first, day__lte=until), unit, via="unit__")
            .order_by().values("metric", "day").annotate(v=Sum("value")))
    found: dict[str, list[int]] = {name: [0] * days for name in METRICS}
    for row in rows:
        if row["metric"] in found:
            found[row["metric"]][(row["day"] - first).days] = int(row["v"] or 0)
    return found


def children(unit: AdminUnit) -> list[AdminUnit]:
    """The units a unit's figures break down into: districts of a city, streets of a
    district; a street is the finest level figures are kept at."""
    if unit.level >= Level.STREET:
        return []
    return list(AdminUnit.objects.filter(parent=unit).order_by("code"))


def breakdown(*, unit: AdminUnit, day: dt.date) -> list[tuple[AdminUnit, dict[str, int]]]:
    """One row per child unit with every metric; figures kept at the unit itself (rows of a
    district with no street) are in ``snapshot`` but in no child's row."""
    kids = children(unit)
    if not kids:
        return []
    column = f"unit__{LEVEL_FIELD[Level(unit.level + 1)]}_id"
    rows = (within(Figure.objects.filter(day=day), unit, via="unit__").order_by()
            .values(column, "metric").annotate(v=Sum("value")))
    found: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for row in rows:
        if row[column] is not None and row["metric"] in METRICS:
            found[row[column]][row["metric"]] = int(row["v"] or 0)
    return [(kid, dict(found[kid.pk])) for kid in kids]
