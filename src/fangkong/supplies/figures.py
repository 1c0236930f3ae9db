"""What the supplies rules read, set-based per day for a set of streets: stock summed over a
street's outlets, residents and those of sealed or controlled areas in force, the streets'
daily median prices. Unscoped: callers pass streets they already scoped (``queries``) or all
of them (the alert job)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from fangkong.core.models import LEVEL_FIELD, Level
from fangkong.registry.models import Person
from fangkong.risk.models import RiskArea
from fangkong.supplies.logic import (
    GOODS,
    PriceCheck,
    StockCheck,
    SupplyRules,
    check_of,
    median_price,
    price_check,
)
from fangkong.supplies.models import StockReport


@dataclass
class StreetDay:
    """One street's figures on a day, per good (absent: no outlet reported that good)."""

    residents: int = 0
    sealed: int = 0
    stock: dict[str, StockCheck] = field(default_factory=dict)
    price: dict[str, PriceCheck] = field(default_factory=dict)
    outlets: int = 0


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The city's midnight starting ``day`` and the next."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def residents(street_ids: Iterable[int]) -> dict[int, int]:
    """Active residents (visitors and those who moved away excluded) per street."""
    rows = (Person.objects.filter(street_id__in=list(street_ids), inactive_since__isnull=True,
                                  temporary=False)
            .values_list("street_id").annotate(n=Count("id")))
    return dict(rows)


def areas_in_force(*, day: dt.date, levels: tuple[str, ...]) -> list[RiskArea]:
    """Areas of these levels in force at any time on ``day`` (their current level)."""
    start, end = day_bounds(day)
    return list(RiskArea.objects.filter(level__in=levels, started_at__lt=end)
                .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gte=start))
                .select_related("unit"))


def _covers(areas: list[RiskArea]) -> Q | None:
    """People living in any of the areas: under its unit, or in its building."""
    found: Q | None = None
    for area in areas:
        if area.building_id is not None:
            part = Q(household__building_id=area.building_id)
        elif area.unit is not None and area.unit.level == Level.CITY:
            part = Q()
        elif area.unit is not None:
            part = Q(**{f"{LEVEL_FIELD[Level(area.unit.level)]}_id": area.unit_id})
        else:
            continue
        found = part if found is None else found | part
    return found


def sealed_residents(street_ids: Iterable[int], *, day: dt.date,
                     levels: tuple[str, ...]) -> dict[int, int]:
    """Active residents per street living in an area of ``levels`` in force on ``day``
    (counted once however many areas overlap them)."""
    covers = _covers(areas_in_force(day=day, levels=levels))
    if covers is None:
        return {}
    rows = (Person.objects.filter(street_id__in=list(street_ids), inactive_since__isnull=True,
                                  temporary=False).filter(covers)
            .values_list("street_id").annotate(n=Count("id", distinct=True)))
    return dict(rows)


def stock_sums(street_ids: Iterable[int], *, day: dt.date) -> dict[tuple[int, str], float]:
    rows = (StockReport.objects.filter(street_id__in=list(street_ids), day=day)
            .values_list("street_id", "good").annotate(total=Sum("stock")))
    return {(s, g): float(total) for s, g, total in rows}


def outlet_counts(street_ids: Iterable[int], *, day: dt.date) -> dict[int, int]:
    rows = (StockReport.objects.filter(street_id__in=list(street_ids), day=day)
            .values_list("street_id").annotate(n=Count("venue_id", distinct=True)))
    return dict(rows)


def median_prices(street_ids: Iterable[int], *, first: dt.date, last: dt.date
                  ) -> dict[tuple[int, str], dict[dt.date, float]]:
    """Each street's median price of each good on each day from ``first`` to ``last``."""
    prices: dict[tuple[int, str, dt.date], list[float]] = defaultdict(list)
    rows = StockReport.objects.filter(street_id__in=list(street_ids), day__gte=first,
                                      day__lte=last).values_list("street_id", "good", "day",
                                                                 "price")
    for street, good, day, price in rows.iterator(chunk_size=5000):
        prices[(street, good, day)].append(float(price))
    series: dict[tuple[int, str], dict[dt.date, float]] = defaultdict(dict)
    for (street, good, day), found in prices.items():
        series[(street, good)][day] = median_price(found)
    return series


def street_days(rules: SupplyRules, *, day: dt.date, street_ids: list[int]
                ) -> dict[int, StreetDay]:
    """The figures of each street that had a report on ``day``, per good it reported."""
    stock = stock_sums(street_ids, day=day)
    reported = sorted({s for s, _ in stock})
    people = residents(reported)
    sealed = sealed_residents(reported, day=day, levels=rules.sealed_levels)
    outlets = outlet_counts(reported, day=day)
    series = median_prices(reported, first=day - dt.timedelta(days=rules.ceiling_days),
                           last=day)
    found: dict[int, StreetDay] = {}
    for street in reported:
        figures = StreetDay(residents=people.get(street, 0), sealed=sealed.get(street, 0),
                            outlets=outlets.get(street, 0))
        for good in GOODS:
            if (street, good) not in stock:
                continue
            check = check_of(rules, good=good, stock=stock[(street, good)],
                             residents=figures.residents, sealed_residents=figures.sealed)
            if check is not None:
                figures.stock[good] = check
            history = series.get((street, good), {})
            if day in history:
                figures.price[good] = price_check(rules, day=day, price=history[day],
                                                  history=history)
        found[street] = figures
    return found
