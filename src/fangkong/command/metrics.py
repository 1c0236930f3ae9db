"""The dashboard's metrics: how each figure is computed from the raw tables for many units and
one day in one grouped query.

A figure belongs to a *home* unit: the street of the rows it counts, or their district when
they have no street, or the city (the tree's root) when they are placed nowhere (an unrouted
hotline ticket). Two kinds of metric:

- *day* metrics count what happened on a day (cases confirmed, contacts found, tickets opened):
  a row counts on the local day of its ``day_field``;
- *state* metrics describe the state as of a moment (rooms free, areas in force, tickets open):
  today's figure is the state now and keeps changing; a past day's figure is the state at its
  end, recomputable only where timestamps say it (``historical``), otherwise kept as stored.

The concrete metrics are in ``metrics_defs``; this module is the machinery they share.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from fangkong.core import clock
from fangkong.core.models import AdminUnit, Level

Cell = tuple[int, dt.date]  # (home unit id, day)


@dataclass(frozen=True)
class Window:
    """The day a figure describes: ``[start, end)`` in the city's zone, and ``at``, the moment
    a state metric is taken (the end of a past day, now for today)."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime
    at: dt.datetime


def window(day: dt.date, *, now: dt.datetime | None = None) -> Window | None:
    """The window of ``day``; None for a day that has not begun."""
    now = now or clock.now()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    if start > now:
        return None
    return Window(day=day, start=start, end=end, at=min(end, now))


def on_day(field: str, w: Window) -> Q:
    return Q(**{f"{field}__gte": w.start, f"{field}__lt": w.end})


def open_at(w: Window, *, created: str, closed: str) -> Q:
    """Opened by ``at`` and not closed by then (so a past day's figure is recomputable)."""
    return Q(**{f"{created}__lte": w.at}) & (Q(**{f"{closed}__isnull": True})
                                             | Q(**{f"{closed}__gt": w.at}))


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localdate(moment)


@dataclass(frozen=True)
class Metric:
    """One figure. ``rows(window)`` returns the rows it counts (already restricted to the
    window), ``value`` how to count them, ``via`` the path from a row to its Placed relation.
    ``day_field`` makes it a day metric. ``sweep`` names indexed timestamp columns of
    ``model`` whose recent values mark cells for writes that bypass ``save()`` (bulk inserts)
    and for deadlines the clock crosses; ``sweep_where`` narrows that read (e.g. samples of
    the rounds under way, so it uses their ``(campaign, sampled_at)`` index)."""

    name: str
    label: str | Promise
    group: str
    measure: str | Promise
    model: type[Model]
    rows: Callable[[Window], QuerySet[Any]]
    value: Callable[[], Any] = lambda: Count("pk")
    via: str = ""
    day_field: str = ""
    historical: bool = True
    sweep: tuple[str, ...] = ()
    sweep_where: Callable[[Window], Q] = lambda w: Q()  # narrows the sweep to an index

    @property
    def is_state(self) -> bool:
        return not self.day_field

    def day_of(self, row_day: dt.date | None, today: dt.date) -> dt.date | None:
        """The cell's day of a row: its own day for day metrics, today for state metrics."""
        return row_day if self.day_field else today


@dataclass(frozen=True)
class Homes:
    """A set of home units by level, turned into the filter on rows placed there."""

    root: int
    streets: frozenset[int]
    districts: frozenset[int]
    city: bool

    @classmethod
    def of(cls, unit_ids: Iterable[int] | None, *, root: int) -> Homes | None:
        """None means every unit (no filter)."""
        if unit_ids is None:
            return None
        levels = dict(AdminUnit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "level"))
        return cls(root=root, city=root in levels,
                   streets=frozenset(k for k, v in levels.items() if v == Level.STREET),
                   districts=frozenset(k for k, v in levels.items() if v == Level.DISTRICT))

    def q(self, via: str) -> Q:
        q = Q(**{f"{via}street_id__in": sorted(self.streets)})
        q |= Q(**{f"{via}street_id__isnull": True, f"{via}district_id__in": sorted(self.districts)})
        if self.city:
            q |= Q(**{f"{via}street_id__isnull": True, f"{via}district_id__isnull": True})
        return q


def home(street_id: int | None, district_id: int | None, *, root: int) -> int:
    return street_id or district_id or root


def root_id() -> int | None:
    """The tree's root (the city): home of rows placed nowhere."""
    return (AdminUnit.objects.filter(parent__isnull=True).order_by("pk")
            .values_list("pk", flat=True).first())


def compute(metric: Metric, *, day: dt.date, units: Collection[int] | None,
            root: int, now: dt.datetime | None = None) -> dict[int, int]:
    """The metric's value per home unit on ``day`` (units with nothing are left out); one
    grouped query. ``units`` None: every unit."""
    win = window(day, now=now)
    if win is None:
        return {}
    qs = metric.rows(win)
    homes = Homes.of(units, root=root)
    if homes is not None:
        qs = qs.filter(homes.q(metric.via))
    street, district = f"{metric.via}street_id", f"{metric.via}district_id"
    found: dict[int, int] = defaultdict(int)
    for row in qs.order_by().values(street, district).annotate(v=metric.value()):
        if row["v"]:
            found[home(row[street], row[district], root=root)] += int(row["v"])
    return dict(found)


def cells_of_rows(metric: Metric, qs: QuerySet[Any], *, root: int,
                  today: dt.date) -> set[Cell]:
    """The cells the given rows of ``metric.model`` count in (distinct homes and days)."""
    street, district = f"{metric.via}street_id", f"{metric.via}district_id"
    fields = [street, district] + ([metric.day_field] if metric.day_field else [])
    cells: set[Cell] = set()
    for row in qs.order_by().values(*fields).distinct():
        day = metric.day_of(local_day(row.get(metric.day_field)), today)
        if day is not None:
            cells.add((home(row[street], row[district], root=root), day))
    return cells
