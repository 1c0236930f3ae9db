"""Supervision (督查督办): the units below an HQ ranked by how timely they work their tasks.

One grouped query per page: the tasks of the directives issued in the period, counted per
child unit (a district's row holds its own tasks and its streets'), with the mean time from
issue to acknowledgement. The score is ``logic.score``; units with nothing settled yet rank
after every scored unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from fangkong.command.directives import overdue, tasks_for, unacknowledged_late
from fangkong.command.logic import LATE_WEIGHT, Timeliness
from fangkong.command.models import Task
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, units_in_scope, within
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level

__all__ = ["LATE_WEIGHT"]
SORTS = ("score", "received", "on_time", "late", "overdue", "ack")
PERIOD_DAYS = 7


@dataclass(frozen=True)
class Row:
    unit: AdminUnit
    figures: Timeliness


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=PERIOD_DAYS - 1), today


def unit_for(actor: Actor, unit_id: int | None) -> AdminUnit:
    """The unit whose children are ranked: the actor's own, or one below it (drill-down)."""
    if actor.unit is None:
        raise NotFound("unit")
    if unit_id is None:
        return actor.unit
    found = units_in_scope(actor).filter(pk=unit_id).first()
    if found is None and actor.unit.pk == unit_id:
        found = actor.unit
    if found is None:
        raise NotFound("unit")
    return found


def children(unit: AdminUnit) -> list[AdminUnit]:
    """The units a page ranks: a city's districts, a district's streets; a street: none."""
    if unit.level >= Level.STREET:
        return []
    return list(AdminUnit.objects.filter(parent=unit).order_by("code"))


def period_tasks(unit: AdminUnit, *, since: dt.date, until: dt.date) -> QuerySet[Task]:
    """Tasks in the unit's subtree whose directive was issued in [since, until] (city days)."""
    return within(Task.objects.all(), unit).filter(
        directive__issued_at__gte=day_start(since),
        directive__issued_at__lt=day_start(until + dt.timedelta(days=1)))


def ranking(*, unit: AdminUnit, since: dt.date, until: dt.date, now: dt.datetime,
            sort: str = "score", descending: bool = True) -> list[Row]:
    kids = children(unit)
    if not kids:
        return []
    column = f"{LEVEL_FIELD[Level(kids[0].level)]}_id"
    ack = ExpressionWrapper(F("acknowledged_at") - F("directive__issued_at"),
                            output_field=DurationField())
    grouped = (period_tasks(unit, since=since, until=until).filter(**{f"{column}__isnull": False})
               .values(column).order_by(column).annotate(
        received=Count("pk"),
        on_time=Count("pk", filter=Q(done_at__isnull=False, done_at__lte=F("deadline"))),
        late=Count("pk", filter=Q(done_at__gt=F("deadline"))),
        overdue=Count("pk", filter=Q(done_at__isnull=True, deadline__lte=now)),
        mean_ack=Avg(ack, filter=Q(acknowledged_at__isnull=False))))
    by_unit = {g[column]: g for g in grouped}
    rows = [Row(unit=kid, figures=_figures(by_unit.get(kid.pk))) for kid in kids]
    return sort_rows(rows, sort=sort, descending=descending)


def _figures(group: dict[str, object] | None) -> Timeliness:
    if group is None:
        return Timeliness(received=0, on_time=0, late=0, overdue=0, mean_ack_hours=None)
    mean = group["mean_ack"]
    hours = None if mean is None else _hours(mean)
    return Timeliness(received=int(group["received"]), on_time=int(group["on_time"]),  # type: ignore[call-overload]
                      late=int(group["late"]), overdue=int(group["overdue"]),  # type: ignore[call-overload]
                      mean_ack_hours=hours)


def _hours(mean: object) -> float:
    """A mean duration as hours (PostgreSQL answers a timedelta; some backends microseconds)."""
    if isinstance(mean, dt.timedelta):
        return round(mean.total_seconds() / 3600, 2)
    return round(float(mean) / 3_600_000_000, 2)  # type: ignore[arg-type]


def sort_rows(rows: list[Row], *, sort: str, descending: bool) -> list[Row]:
    """Sort by one column; units without a value (no score, no acknowledgement) go last
    either way, ties by name so the order is stable."""
    sort = sort if sort in SORTS else "score"

    def value(row: Row) -> float | None:
        f = row.figures
        return {"score": f.score, "received": f.received, "on_time": f.on_time,
                "late": f.late, "overdue": f.overdue, "ack": f.mean_ack_hours}[sort]

    known = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    known.sort(key=lambda r: r.unit.code)
    known.sort(key=lambda r: value(r) or 0.0, reverse=descending)
    return known + sorted(missing, key=lambda r: r.unit.code)


def escalated_to(*, actor: Actor, unit: AdminUnit) -> QuerySet[Task]:
    """Open tasks escalated to this HQ: level 1 of the units right below it, and at the
    city every level 2."""
    base = tasks_for(actor).exclude(status="done").filter(escalation_level__gte=1)
    told = Q(unit__parent=unit)
    if unit.level == Level.CITY:
        told |= Q(escalation_level__gte=2)
    return base.filter(told)


def watch_lists(*, actor: Actor, unit: AdminUnit, now: dt.datetime) -> dict[str, QuerySet[Task]]:
    """The tasks below the unit that need an HQ's eye now."""
    tasks = within(tasks_for(actor), unit).select_related("unit", "directive")
    return {
        "escalated": escalated_to(actor=actor, unit=unit).select_related("unit", "directive")
        .order_by("deadline"),
        "overdue": overdue(tasks, now=now).order_by("deadline"),
        "unacknowledged": unacknowledged_late(tasks, now=now).order_by("directive__issued_at"),
    }
