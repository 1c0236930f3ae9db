"""Coverage of a round (应检尽检, 不漏一人): who was tested, who is exempt and who is still
missing, per unit, building and household; progress per hour and turnaround times.

Definitions (docs/screening.md §"Coverage, progress and alerts"):

- *registered*: a Person placed inside one of the campaign's areas, active (no
  ``inactive_since``), not a visitor (``temporary``) and not purged;
- *tested*: has a screening Sample in the campaign (retests never count twice);
- *exempt*: has an Exemption in the campaign and no screening sample (tested wins);
- *accounted* = tested + exempt; *untested* = registered − accounted.

Visitors sampled at a table are counted apart ("visitors tested"), never in the denominator.
Every count is one grouped query over indexed columns with ``Exists`` subqueries; nothing
loops over people, so a million-resident round costs a few index scans.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncHour
from django.utils import timezone

from fangkong.core.audit import record
from fangkong.core.jurisdiction import Actor, get_scoped, scope, within
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level
from fangkong.core.privacy import mask_phone
from fangkong.core.rights import Right
from fangkong.registry.models import Building, Household, Person
from fangkong.testing.models import (
    Alert,
    Campaign,
    Exemption,
    Hold,
    HoldStatus,
    Sample,
    SampleKind,
    Tube,
    TubeResult,
)

PAGE_SIZE = 50
TESTED, EXEMPT, UNTESTED = 2, 1, 0  # the per-person status the grouped queries count


@dataclass(frozen=True)
class Counts:
    registered: int = 0
    tested: int = 0
    exempt: int = 0

    @property
    def accounted(self) -> int:
        return self.tested + self.exempt

    @property
    def untested(self) -> int:
        return self.registered - self.accounted

    @property
    def percent(self) -> float | None:
        """Share accounted for, rounded *down* to 0.1 %: 100 % only when nobody is missing."""
        return percent_down(self.accounted, self.registered)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.registered + other.registered, self.tested + other.tested,
                      self.exempt + other.exempt)


def percent_down(part: int, whole: int) -> float | None:
    return None if whole <= 0 else math.floor(part * 1000 / whole) / 10


@dataclass(frozen=True)
class Row:
    """One line of a coverage table: a child unit, a building or a household."""

    key: int | None
    obj: Any
    counts: Counts


def coverage_node(actor: Actor, unit_id: int | None) -> AdminUnit:
    """The unit a page looks at: the one asked for if in scope (else 404), or the actor's."""
    if unit_id is None and actor.unit is not None:
        return actor.unit
    return get_scoped(AdminUnit.objects.all(), actor, what="unit", pk=unit_id or 0)


def area_q(campaign: Campaign, *, via: str = "") -> Q:
    """Rows placed under one of the campaign's areas (``via``: path to a Placed relation)."""
    q = Q(pk__in=[])
    for area in campaign.areas.select_related("unit"):
        if area.unit.level == Level.CITY:
            return Q()
        q |= Q(**{f"{via}{LEVEL_FIELD[Level(area.unit.level)]}_id": area.unit_id})
    return q


def registered_q(campaign: Campaign, *, via: str = "") -> Q:
    return area_q(campaign, via=via) & Q(**{f"{via}inactive_since__isnull": True,
                                            f"{via}temporary": False, f"{via}purged": False})


def registered(campaign: Campaign, *, actor: Actor, node: AdminUnit) -> QuerySet[Person]:
    qs = Person.objects.filter(registered_q(campaign))
    return within(scope(qs, actor), node)


def tested_expr(campaign: Campaign) -> Exists:
    return Exists(Sample.objects.filter(campaign=campaign, kind=SampleKind.SCREENING,
                                        person=OuterRef("pk")))


def exempt_expr(campaign: Campaign) -> Exists:
    return Exists(Exemption.objects.filter(campaign=campaign, person=OuterRef("pk")))


def _status(campaign: Campaign) -> Case:
    """Tested, else exempt, else untested: each subquery runs at most once per person."""
    return Case(When(tested_expr(campaign), then=Value(TESTED)),
                When(exempt_expr(campaign), then=Value(EXEMPT)),
                default=Value(UNTESTED), output_field=IntegerField())


def grouped(qs: QuerySet[Person], campaign: Campaign, key: str) -> dict[Any, Counts]:
    """Counts per value of ``key`` (a column of Person): one GROUP BY key, status."""
    rows = (qs.annotate(cov_status=_status(campaign)).order_by()
            .values(key, "cov_status").annotate(n=Count("pk")))
    tally: dict[Any, dict[int, int]] = {}
    for r in rows:
        tally.setdefault(r[key], {})[r["cov_status"]] = r["n"]
    return {k: Counts(registered=sum(t.values()), tested=t.get(TESTED, 0),
                      exempt=t.get(EXEMPT, 0)) for k, t in tally.items()}


def totals(campaign: Campaign, *, actor: Actor, node: AdminUnit) -> Counts:
    found = grouped(registered(campaign, actor=actor, node=node), campaign, "district_id")
    return sum(found.values(), Counts())


def child_rows(campaign: Campaign, *, actor: Actor, node: AdminUnit) -> list[Row]:
    """One row per child unit in scope (districts → streets → communities → grids)."""
    if node.level >= Level.GRID:
        return []
    column = f"{LEVEL_FIELD[Level(node.level + 1)]}_id"
    counts = grouped(registered(campaign, actor=actor, node=node), campaign, column)
    children = scope(AdminUnit.objects.filter(parent=node), actor).order_by("code")
    return [Row(c.pk, c, counts.get(c.pk, Counts())) for c in children]


def building_rows(campaign: Campaign, *, actor: Actor, grid: AdminUnit) -> list[Row]:
    """Per building of a grid (residents without a household form one row of their own)."""
    counts = grouped(registered(campaign, actor=actor, node=grid), campaign,
                     "household__building_id")
    found = Building.objects.in_bulk([k for k in counts if k is not None])
    return _rows(counts, found)


def household_rows(campaign: Campaign, *, actor: Actor, grid: AdminUnit,
                   building_id: int | None = None) -> list[Row]:
    qs = registered(campaign, actor=actor, node=grid)
    if building_id is not None:
        qs = qs.filter(household__building_id=building_id)
    counts = grouped(qs, campaign, "household_id")
    found = Household.objects.select_related("building").in_bulk(
        [k for k in counts if k is not None])
    return _rows(counts, found)


def _rows(counts: dict[Any, Counts], found: dict[int, Any]) -> list[Row]:
    rows = [Row(k, found.get(k), c) for k, c in counts.items()]
    return sorted(rows, key=lambda r: (r.key is None, getattr(r.obj, "address", ""), r.key or 0))


def visitors_tested(campaign: Campaign, *, actor: Actor, node: AdminUnit) -> int:
    qs = Sample.objects.filter(campaign=campaign, kind=SampleKind.SCREENING,
                               person__temporary=True)
    return within(scope(qs, actor), node).count()


def exempt_by_reason(campaign: Campaign, *, actor: Actor, node: AdminUnit) -> dict[str, int]:
    """Exemptions that count (registered resident, not sampled) by reason."""
    sampled = Sample.objects.filter(campaign=campaign, kind=SampleKind.SCREENING,
                                    person=OuterRef("person_id"))
    qs = Exemption.objects.filter(registered_q(campaign, via="person__"), campaign=campaign)
    qs = within(scope(qs, actor), node).filter(~Exists(sampled))
    return {r["reason"]: r["n"] for r in qs.order_by().values("reason").annotate(n=Count("pk"))}


def untested(campaign: Campaign, *, actor: Actor, node: AdminUnit, after: int | None = None,
             size: int = PAGE_SIZE) -> tuple[list[Person], int | None]:
    """A page of registered residents neither tested nor exempt, by person id (keyset)."""
    qs = registered(campaign, actor=actor, node=node).filter(
        ~tested_expr(campaign), ~exempt_expr(campaign))
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.select_related("household__building", "grid").order_by("pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)


def shown_phones(actor: Actor, node: AdminUnit, persons: list[Person]) -> dict[int, str]:
    """Phones for the door-to-door list: in full to a holder of PII_VIEW (that read audited,
    one row per page), masked otherwise."""
    if not actor.can(Right.PII_VIEW):
        return {p.pk: mask_phone(p.phone) if p.phone else "" for p in persons}
    shown = [p for p in persons if p.phone]
    if shown:
        record(actor=actor, verb="pii.read", target=node, target_type="registry.person",
               after={"fields": ["phone"], "persons": [p.pk for p in shown],
                      "list": "screening.untested"})
    return {p.pk: p.phone for p in persons}


@dataclass(frozen=True)
class Hour:
    start: dt.datetime
    samples: int  # screening samples taken this hour (visitors included)
    residents: int  # of them, registered residents
    cumulative: int  # residents tested up to the end of this hour
    percent: float | None  # cumulative over registered


def progress(campaign: Campaign, *, actor: Actor, node: AdminUnit,
             registered_total: int) -> list[Hour]:
    """Samples per local hour (the city's zone), and residents tested so far, vs registered.
    Hours without samples between the first and the last are listed with zero."""
    tz = timezone.get_default_timezone()
    qs = within(scope(Sample.objects.filter(campaign=campaign, kind=SampleKind.SCREENING),
                      actor), node)
    rows = (qs.annotate(hour=TruncHour("sampled_at", tzinfo=tz)).order_by().values("hour")
            .annotate(n=Count("pk"), residents=Count("pk", filter=registered_q(
                campaign, via="person__"))))
    per = {timezone.localtime(r["hour"], tz): (r["n"], r["residents"]) for r in rows}
    hours: list[Hour] = []
    done = 0
    for start in _hour_range(sorted(per)):
        n, residents = per.get(start, (0, 0))
        done += residents
        hours.append(Hour(start, n, residents, done, percent_down(done, registered_total)))
    return hours


def _hour_range(starts: list[dt.datetime]) -> Iterable[dt.datetime]:
    if not starts:
        return
    at, last = starts[0], starts[-1]
    while at <= last:
        yield at
        at = timezone.localtime(at + dt.timedelta(hours=1), at.tzinfo)


@dataclass(frozen=True)
class Spread:
    """Percentiles of one step, in hours (None when no sample has both ends yet)."""

    count: int = 0
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None


def spread(hours: list[float]) -> Spread:
    """p50/p90/p99 by linear interpolation between closest ranks (numpy's default)."""
    if not hours:
        return Spread()
    if len(hours) == 1:
        return Spread(1, hours[0], hours[0], hours[0])
    cuts = statistics.quantiles(hours, n=100, method="inclusive")
    return Spread(len(hours), round(cuts[49], 2), round(cuts[89], 2), round(cuts[98], 2))


STEPS = ("sampled_received", "received_resulted", "resulted_notified", "sampled_notified")


@dataclass(frozen=True)
class Turnaround:
    steps: dict[str, Spread] = field(default_factory=dict)


def turnaround(campaign: Campaign, *, actor: Actor, node: AdminUnit) -> Turnaround:
    """Hours of each step per screening sample: the database subtracts the timestamps (one
    query, ten times faster than fetching them), percentiles are taken here (portable
    across SQLite and PostgreSQL; a round's samples fit in memory as floats)."""
    qs = within(scope(Sample.objects.filter(campaign=campaign, kind=SampleKind.SCREENING),
                      actor), node)
    ends = {"sampled_received": ("sampled_at", "tube__received_at"),
            "received_resulted": ("tube__received_at", "tube__resulted_at"),
            "resulted_notified": ("tube__resulted_at", "notified_at"),
            "sampled_notified": ("sampled_at", "notified_at")}
    gaps = {step: ExpressionWrapper(F(b) - F(a), output_field=DurationField())
            for step, (a, b) in ends.items()}
    rows = qs.annotate(**gaps).values_list(*STEPS).order_by()
    lists: dict[str, list[float]] = {s: [] for s in STEPS}
    for row in rows.iterator(chunk_size=10000):
        for step, gap in zip(STEPS, row, strict=True):
            if gap is not None:
                lists[step].append(gap.total_seconds() / 3600)
    return Turnaround({s: spread(v) for s, v in lists.items()})

@dataclass(frozen=True)
class Pipeline:
    """The dashboard's tube side: tubes by status, positive pools, people on hold."""

    tubes: dict[str, int]
    positive_pools: int
    held: int
    alerts: list[Alert]


def pipeline(campaign: Campaign, *, actor: Actor, node: AdminUnit,
             alert_limit: int = 100) -> Pipeline:
    """Tubes are placed at their site's grid, holds at the held person's, alerts at the
    tube's: each count is one grouped query in the node."""
    tubes = within(scope(Tube.objects.filter(campaign=campaign), actor), node)
    by_status = {r["status"]: r["n"] for r in
                 tubes.order_by().values("status").annotate(n=Count("pk"))}
    positive = tubes.filter(result=TubeResult.POSITIVE, capacity__gt=1).count()
    held = within(scope(Hold.objects.filter(campaign=campaign, status=HoldStatus.HELD), actor),
                  node).count()
    alerts = within(scope(Alert.objects.filter(campaign=campaign, resolved_at__isnull=True),
                          actor), node).select_related("tube__site", "tube__lab")
    return Pipeline(by_status, positive, held, list(alerts.order_by("raised_at", "pk")
                                                    [:alert_limit]))
