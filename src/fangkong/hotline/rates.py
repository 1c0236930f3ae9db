"""Per-unit hotline rates for a period (接诉即办's 响应率、解决率、满意率), one aggregate query.

The tickets opened in the period (city days ``since`` to ``until`` inclusive) are grouped by
the column of the level below the chosen unit (the city's districts, a district's streets),
so the cost is one indexed GROUP BY, never a loop over tickets. Definitions (``logic.Rates``):

- responded / resolved in time: met by the deadline, out of the tickets whose deadline has
  passed or that were answered already (a ticket still waiting past its deadline counts late;
  one not yet due is not measured);
- resolution share: resolved or closed, out of all the period's tickets;
- satisfaction: rated at least the ``satisfied_at_least`` of the ticket's own policy version,
  out of the tickets rated at a callback; mean score over the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope, within
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.hotline.followup import rules_for
from fangkong.hotline.logic import Rates, share
from fangkong.hotline.models import HotlinePolicy, Ticket, TicketStatus

MAX_DAYS = 366
SORT_KEYS = ("name", "tickets", "responded_in_time", "resolved_in_time", "resolved",
             "satisfaction", "mean_score")


@dataclass(frozen=True)
class RateRow:
    unit: AdminUnit | None  # None: tickets placed at no unit below (not routed)
    rates: Rates


@dataclass(frozen=True)
class RatesTable:
    unit: AdminUnit
    since: dt.date
    until: dt.date
    rows: list[RateRow]
    total: Rates
    drillable: bool  # the rows' units have units below them worth a table


def period(*, since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[midnight of ``since``, midnight after ``until``) in the city's zone."""
    if until < since:
        raise DomainError(_("the period ends before it starts"), field="until")
    if (until - since).days >= MAX_DAYS:
        raise DomainError(_("a period of at most %(n)d days") % {"n": MAX_DAYS},
                          field="since")
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return start, end


def satisfied_q() -> Q:
    """Rated satisfied under each ticket's own version (unknown names: today's threshold)."""
    names = list(HotlinePolicy.objects.values_list("name", flat=True))
    where = Q(pk__in=[])
    for name in names:
        where |= Q(policy_name=name, satisfaction__gte=rules_for(name).satisfied_at_least)
    fallback = rules_for("").satisfied_at_least
    return where | (~Q(policy_name__in=names) & Q(satisfaction__gte=fallback))


def aggregates(now: dt.datetime) -> dict[str, Any]:
    return {
        "n": Count("pk"),
        "respond_due": Count("pk", filter=Q(first_response_at__isnull=False)
                             | Q(respond_by__lt=now)),
        "respond_ok": Count("pk", filter=Q(first_response_at__lte=F("respond_by"))),
        "resolve_due": Count("pk", filter=Q(resolved_at__isnull=False) | Q(resolve_by__lt=now)),
        "resolve_ok": Count("pk", filter=Q(resolved_at__lte=F("resolve_by"))),
        "done": Count("pk", filter=Q(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])),
        "rated": Count("pk", filter=Q(satisfaction__isnull=False)),
        "satisfied": Count("pk", filter=satisfied_q()),
        "mean": Avg("satisfaction"),
    }


def rates_of(row: dict[str, Any]) -> Rates:
    return Rates(tickets=row["n"], responded_in_time=share(row["respond_ok"], row["respond_due"]),
                 resolved_in_time=share(row["resolve_ok"], row["resolve_due"]),
                 resolved=share(row["done"], row["n"]),
                 satisfaction=share(row["satisfied"], row["rated"]),
                 mean_score=float(row["mean"]) if row["mean"] is not None else None)


def chosen_unit(actor: Actor, unit_id: int | None) -> AdminUnit:
    """The unit whose children are the rows: the actor's own, or one inside it (404 else)."""
    if actor.unit is None:
        raise DomainError(_("you have no jurisdiction"), field="unit")
    if unit_id is None:
        return actor.unit
    return get_scoped(AdminUnit.objects.all(), actor, what="unit", pk=unit_id)


def rates_table(*, actor: Actor, since: dt.date, until: dt.date,
                unit_id: int | None = None) -> RatesTable:
    """The rates of each unit one level below the chosen one (a street or finer: itself)."""
    actor.require(Right.HOTLINE_VIEW)
    unit = chosen_unit(actor, unit_id)
    start, end = period(since=since, until=until)
    tickets: QuerySet[Ticket] = within(scope(Ticket.objects.all(), actor), unit).filter(
        created_at__gte=start, created_at__lt=end)
    sums = aggregates(clock.now())
    total = rates_of(tickets.aggregate(**sums))
    if unit.level >= Level.STREET:
        return RatesTable(unit, since, until, [RateRow(unit, total)], total, False)
    column = f"{LEVEL_FIELD[Level(unit.level + 1)]}_id"
    grouped = {r[column]: rates_of(r) for r in tickets.values(column).annotate(**sums)}
    children = list(AdminUnit.objects.filter(parent=unit).order_by("code"))
    empty = rates_of(dict.fromkeys(sums, 0) | {"mean": None})
    rows = [RateRow(child, grouped.get(child.pk, empty)) for child in children]
    if grouped.get(None) is not None:
        rows.append(RateRow(None, grouped[None]))
    return RatesTable(unit, since, until, rows, total, unit.level + 1 < Level.STREET)


def sort_rows(rows: list[RateRow], *, key: str, descending: bool) -> list[RateRow]:
    """Rows by one column; units with nothing measured go last either way."""
    if key not in SORT_KEYS:
        raise DomainError(_("sort by one of %(keys)s") % {"keys": ", ".join(SORT_KEYS)},
                          field="sort")
    if key == "name":
        return sorted(rows, key=lambda r: (r.unit is None, r.unit.code if r.unit else ""),
                      reverse=descending)
    known = [r for r in rows if getattr(r.rates, key) is not None]
    unknown = [r for r in rows if getattr(r.rates, key) is None]
    return sorted(known, key=lambda r: getattr(r.rates, key), reverse=descending) + unknown
