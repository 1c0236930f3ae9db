"""Reads of quarantine capacity, always scoped by jurisdiction.

Rooms and the people in them are counted where the facility stands (``facility__``); orders
waiting for a room, the recent inflow and the residents are counted where people live. Each
input is one grouped query per district, so the city's table costs the same few queries as one
district's forecast; the arithmetic is ``logic_capacity.forecast``'s, the rules (stay, rooms per
10,000) are those of the policy version in force on the day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.db.models import Count, Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, scope, units_in_scope, within
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.quarantine.logic_capacity import INFLOW_DAYS, Forecast, centralised_stay, forecast
from fangkong.quarantine.models import (
    Facility,
    FacilityStatus,
    OrderKind,
    OrderStatus,
    QuarantineOrder,
    RoomState,
)
from fangkong.quarantine.policy import quarantine_policy_in_force, rules_of
from fangkong.registry.models import Person

M = TypeVar("M", bound=Model)
HORIZON_DAYS = 7
IN_USE = (FacilityStatus.ACTIVE, FacilityStatus.STANDBY)


@dataclass
class Inputs:
    """What the forecast needs for one district (or the whole scope)."""

    releases: list[dt.date] = field(default_factory=list)
    awaiting: int = 0
    inflow: list[int] = field(default_factory=lambda: [0] * INFLOW_DAYS)
    rooms_usable: int = 0
    residents: int = 0

    def add(self, other: Inputs) -> None:
        self.releases += other.releases
        self.awaiting += other.awaiting
        self.inflow = [a + b for a, b in zip(self.inflow, other.inflow, strict=True)]
        self.rooms_usable += other.rooms_usable
        self.residents += other.residents


@dataclass(frozen=True)
class DistrictCapacity:
    district: AdminUnit
    forecast: Forecast


@dataclass(frozen=True)
class FacilityRooms:
    facility: Facility
    ready: int
    occupied: int
    disinfecting: int
    out: int

    @property
    def usable(self) -> int:
        return (self.ready + self.occupied + self.disinfecting
                if self.facility.status in IN_USE else 0)


def _place(actor: Actor, unit_id: int | None) -> AdminUnit | None:
    """The unit asked for, inside the actor's subtree (else 404, as if missing)."""
    actor.require(Right.QUARANTINE_VIEW)
    if unit_id is None:
        return None
    unit = units_in_scope(actor).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("unit")
    return unit


def _narrow(qs: QuerySet[M], actor: Actor, unit: AdminUnit | None,
            via: str = "") -> QuerySet[M]:
    qs = scope(qs, actor, via=via)
    return qs if unit is None else within(qs, unit, via=via)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _gather(actor: Actor, unit: AdminUnit | None, today: dt.date) -> dict[int | None, Inputs]:
    """The forecast inputs per district id (None: rows placed above any district)."""
    found: dict[int | None, Inputs] = defaultdict(Inputs)
    rooms = _narrow(Facility.objects.filter(status__in=IN_USE), actor, unit)
    for place in rooms.values("district_id").annotate(
            n=Count("rooms", filter=~Q(rooms__state=RoomState.OUT_OF_SERVICE))):
        found[place["district_id"]].rooms_usable += place["n"]
    in_rooms = _narrow(QuarantineOrder.objects.filter(
        status=OrderStatus.IN_FACILITY, room__isnull=False), actor, unit, via="facility__")
    for row in (in_rooms.annotate(until=Coalesce("centralised_until", "ends_on"))
                .values("facility__district_id", "until").annotate(n=Count("pk"))):
        found[row["facility__district_id"]].releases += [row["until"]] * row["n"]
    _gather_residence(found, actor, unit, today)
    people = _narrow(Person.objects.filter(inactive_since__isnull=True, temporary=False),
                     actor, unit)
    for home in people.values("district_id").annotate(n=Count("pk")):
        found[home["district_id"]].residents += home["n"]
    return found


def _gather_residence(found: dict[int | None, Inputs], actor: Actor, unit: AdminUnit | None,
                      today: dt.date) -> None:
    """Centralised orders still without a room, and new ones per day over the last days."""
    days = [today - dt.timedelta(days=INFLOW_DAYS - i) for i in range(INFLOW_DAYS)]
    per_day = {f"d{i}": Count("pk", filter=Q(created_at__gte=_midnight(day),
                                             created_at__lt=_midnight(day + dt.timedelta(1))))
               for i, day in enumerate(days)}
    waiting = (Q(status=OrderStatus.AWAITING)
               | Q(status=OrderStatus.IN_FACILITY, room__isnull=True))
    orders = _narrow(QuarantineOrder.objects.filter(kind=OrderKind.CENTRALISED), actor, unit)
    grouped = orders.values("district_id").annotate(waiting=Count("pk", filter=waiting), **per_day)
    for row in cast(list[dict[str, Any]], grouped):
        inputs = found[row["district_id"]]
        inputs.awaiting += row["waiting"]
        inputs.inflow = [n + row[f"d{i}"] for i, n in enumerate(inputs.inflow)]


def _forecast(inputs: Inputs, today: dt.date) -> Forecast:
    rules = rules_of(quarantine_policy_in_force(on=today))
    return forecast(today=today, horizon_days=HORIZON_DAYS, releases=inputs.releases,
                    awaiting=inputs.awaiting, recent_inflow=inputs.inflow,
                    stay_days=centralised_stay(rules), rooms_usable=inputs.rooms_usable,
                    residents=inputs.residents, rooms_per_10k=rules.rooms_per_10k)


def capacity_for(*, actor: Actor, unit_id: int | None = None,
                 today: dt.date | None = None) -> Forecast:
    """The forecast of the actor's subtree, or of one unit in it."""
    unit = _place(actor, unit_id)
    today = today or clock.city_today()
    total = Inputs()
    for inputs in _gather(actor, unit, today).values():
        total.add(inputs)
    return _forecast(total, today)


def capacity_by_district(*, actor: Actor, today: dt.date | None = None) -> list[DistrictCapacity]:
    """One forecast per district in scope, those running short first (earliest shortfall,
    then the largest, then those under the reserve), then by code."""
    actor.require(Right.QUARANTINE_VIEW)
    today = today or clock.city_today()
    found = _gather(actor, None, today)
    rows = [DistrictCapacity(district=d, forecast=_forecast(found.get(d.pk, Inputs()), today))
            for d in units_in_scope(actor).filter(level=Level.DISTRICT).order_by("code")]
    return sorted(rows, key=lambda r: (r.forecast.first_shortfall or dt.date.max,
                                       -r.forecast.peak_shortfall, r.forecast.reserve_met))


def facility_rooms(*, actor: Actor, unit_id: int | None = None) -> list[FacilityRooms]:
    """Each facility in scope with its rooms by state, by district then code."""
    unit = _place(actor, unit_id)
    qs = (_narrow(Facility.objects.select_related("district"), actor, unit)
          .annotate(**{f"n_{s.value}": Count("rooms", filter=Q(rooms__state=s))
                       for s in RoomState})
          .order_by("district__code", "code"))
    return [FacilityRooms(facility=f, **{s.value: getattr(f, f"n_{s.value}") for s in RoomState})
            for f in qs]
