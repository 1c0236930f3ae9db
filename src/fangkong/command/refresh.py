"""Keeping the figures current: marks in, recomputed cells out.

Events (``signals``) and the sweep below write ``StaleFigure`` marks; ``refresh`` recomputes
exactly the marked cells, one grouped query per (metric, day) over the marked units, writes
the figures and deletes the marks it read unless they were marked again meanwhile (so it is
idempotent and a mark is never lost: at least once). ``rebuild`` recomputes everything from
the raw tables. A zero figure is stored as no row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fangkong.command.metrics import Cell, Metric, cells_of_rows, compute, root_id, window
from fangkong.command.metrics_defs import ALL, BY_NAME
from fangkong.command.models import Figure, StaleFigure
from fangkong.core import clock
from fangkong.core.jurisdiction import within
from fangkong.core.models import AdminUnit

BATCH = 5000  # marks read per pass
SWEEP_WINDOW = dt.timedelta(minutes=3)  # the job runs every minute; overlap is harmless
REQUEST_LIMIT = 2000  # a page refreshes its scope's marks itself when there are at most this many
REQUEST_SWEEP = dt.timedelta(seconds=30)  # pages sweep at most this often (per process)


def mark(cells: Mapping[str, Iterable[Cell]]) -> int:
    """Mark cells stale (metric name → cells); marking again moves ``marked_at`` on."""
    stamp = timezone.now()  # the real time, not the test clock: it orders marks and refreshes
    rows = [StaleFigure(unit_id=unit, day=day, metric=name, marked_at=stamp)
            for name, found in cells.items() for unit, day in set(found)]
    StaleFigure.objects.bulk_create(rows, batch_size=1000, update_conflicts=True,
                                    unique_fields=["unit", "day", "metric"],
                                    update_fields=["marked_at"])
    return len(rows)


def store(metric: Metric, *, day: dt.date, units: Collection[int] | None,
          values: Mapping[int, int]) -> None:
    """Write one (metric, day)'s figures for ``units`` (None: all, replacing every row)."""
    now = clock.now()
    rows = Figure.objects.filter(metric=metric.name, day=day)
    if units is not None:
        rows = rows.filter(unit_id__in=[u for u in units if not values.get(u)])
    rows.delete()
    Figure.objects.bulk_create(
        [Figure(unit_id=u, day=day, metric=metric.name, value=v, updated_at=now)
         for u, v in values.items() if v], batch_size=1000, update_conflicts=True,
        unique_fields=["unit", "day", "metric"], update_fields=["value", "updated_at"])


def recomputable(metric: Metric, day: dt.date, today: dt.date) -> bool:
    """A state metric without history is computed for today only; past days keep theirs."""
    return day <= today and (day == today or not metric.is_state or metric.historical)


def refresh(*, units: Collection[int] | None = None, batch: int = BATCH) -> int:
    """Recompute the marked cells (of ``units`` only, when given); returns the cells done."""
    root = root_id()
    marks = StaleFigure.objects.order_by("pk")
    if units is not None:
        marks = marks.filter(unit_id__in=list(units))
    taken = list(marks.values_list("pk", "unit_id", "day", "metric", "marked_at")[:batch])
    if root is None or not taken:
        return 0
    groups: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    for _pk, unit, day, name, _at in taken:
        groups[(name, day)].add(unit)
    today = clock.city_today()
    for (name, day), ids in groups.items():
        metric = BY_NAME.get(name)
        if metric is not None and recomputable(metric, day, today):
            with transaction.atomic():
                store(metric, day=day, units=ids,
                      values=compute(metric, day=day, units=ids, root=root))
    _unmark(taken)
    return len(taken)


def _unmark(taken: list[tuple[int, int, dt.date, str, dt.datetime]]) -> None:
    for lo in range(0, len(taken), 500):
        where = Q(pk__in=[])
        for pk, _unit, _day, _name, at in taken[lo:lo + 500]:
            where |= Q(pk=pk, marked_at=at)
        StaleFigure.objects.filter(where).delete()


def refresh_all(*, batch: int = BATCH) -> int:
    """Refresh until no marks are left (the job)."""
    done = total = refresh(batch=batch)
    while done == batch:
        done = refresh(batch=batch)
        total += done
    return total


def rebuild(*, day_from: dt.date, day_to: dt.date, metrics: Iterable[Metric] = ALL) -> int:
    """Recompute every figure of the days from the raw tables (demo, tests, after an outage).
    Past days of state metrics without history are left as stored. Returns figures written."""
    root, today = root_id(), clock.city_today()
    if root is None:
        return 0
    chosen, written, day = list(metrics), 0, day_from
    started = timezone.now()
    while day <= day_to:
        for metric in chosen:
            if recomputable(metric, day, today):
                values = compute(metric, day=day, units=None, root=root)
                with transaction.atomic():
                    store(metric, day=day, units=None, values=values)
                written += sum(1 for v in values.values() if v)
        day += dt.timedelta(days=1)
    StaleFigure.objects.filter(day__gte=day_from, day__lte=day_to,
                               metric__in=[m.name for m in chosen],
                               marked_at__lte=started).delete()
    return written


def sweep(*, since: dt.datetime, until: dt.datetime) -> int:
    """Mark the cells of rows whose swept timestamps fall in ``[since, until]``: writes that
    bypassed ``save()`` (bulk inserts, ``UPDATE``) and deadlines the clock has crossed."""
    from fangkong.command.signals import campaign_cells, campaigns_between

    root, today = root_id(), clock.city_today()
    win = window(today)
    if root is None or win is None:
        return 0
    found: dict[str, set[Cell]] = defaultdict(set)
    for metric in ALL:
        if metric.sweep:
            where = Q(pk__in=[])
            for field in metric.sweep:
                where |= Q(**{f"{field}__gte": since, f"{field}__lte": until})
            rows = metric.model._default_manager.filter(where, metric.sweep_where(win))
            found[metric.name] |= cells_of_rows(metric, rows, root=root, today=today)
    for name, cells in campaign_cells(campaigns_between(since, until), today=today).items():
        found[name] |= cells
    return mark(found)


def ensure_today() -> None:
    """At the first look of a day, compute today's state figures for every unit (they are
    stored per day; nothing else would create them before an event)."""
    today = clock.city_today()
    key = f"command.figures.day.{today.isoformat()}"
    if cache.get(key):
        return
    state = [m for m in ALL if m.is_state]
    if not Figure.objects.filter(day=today, metric__in=[m.name for m in state]).exists():
        rebuild(day_from=today, day_to=today, metrics=state)
    cache.set(key, True, timeout=24 * 3600)


def catch_up(*, every: dt.timedelta = dt.timedelta(0)) -> None:
    """Roll the day over and sweep since the last sweep (at most once per ``every``); the
    job calls it each minute, a page at most every ``REQUEST_SWEEP``."""
    now = clock.now()
    ensure_today()
    last = cache.get("command.figures.swept")
    if last is not None and dt.timedelta(0) <= now - last < every:
        return
    since = max(last, now - SWEEP_WINDOW * 10) if last else now - SWEEP_WINDOW
    sweep(since=since, until=now)
    cache.set("command.figures.swept", now, timeout=None)


def refresh_scope(unit: AdminUnit, *, limit: int = REQUEST_LIMIT) -> bool:
    """A page's own refresh of its scope, so the dashboard is live without a worker; left to
    the job when more than ``limit`` cells wait (True when the scope is now current)."""
    catch_up(every=REQUEST_SWEEP)
    marks = within(StaleFigure.objects.all(), unit, via="unit__")
    ids = list(marks.values_list("unit_id", flat=True).distinct()[:limit + 1])
    if len(ids) > limit or marks.count() > limit:
        return False
    refresh(units=ids, batch=limit)
    return True
