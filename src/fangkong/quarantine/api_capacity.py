"""Quarantine API: the capacity forecast (the caller's subtree, or per district) and the alerts
(list, resolve). Thin handlers over ``capacity`` and ``alerts``."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.quarantine import alerts, capacity
from fangkong.quarantine.logic_capacity import INFLOW_DAYS, Forecast
from fangkong.quarantine.models import QuarantineAlert

router = Router()

ALERTS_MAX = 1000


class DayRead(Schema):
    day: dt.date
    occupied: int  # people in rooms at the start of the day
    arrivals: int
    releases: int
    needed: int
    usable: int
    shortfall: int


class ForecastRead(Schema):
    today: dt.date
    days: list[DayRead]
    inflow_per_day: int
    inflow_basis: list[int]  # new centralised orders of the last days, oldest first
    inflow_method: str
    awaiting: int
    stay_days: int
    rooms_usable: int
    residents: int
    rooms_per_10k: float  # the policy's reserve target
    reserve_target: int
    reserve_met: bool
    reserve_per_10k: float | None
    first_shortfall: dt.date | None
    peak_shortfall: int

    @staticmethod
    def of(f: Forecast) -> "ForecastRead":
        days = [DayRead(day=r.day, occupied=r.occupied, arrivals=r.arrivals,
                        releases=r.releases, needed=r.needed, usable=r.usable,
                        shortfall=r.shortfall) for r in f.days]
        return ForecastRead(
            today=f.today, days=days, inflow_per_day=f.inflow_per_day,
            inflow_basis=list(f.inflow_basis),
            inflow_method=f"mean of the last {INFLOW_DAYS} days, rounded up",
            awaiting=f.awaiting, stay_days=f.stay_days, rooms_usable=f.rooms_usable,
            residents=f.residents, rooms_per_10k=f.rooms_per_10k,
            reserve_target=f.reserve_target, reserve_met=f.reserve_met,
            reserve_per_10k=f.reserve_per_10k, first_shortfall=f.first_shortfall,
            peak_shortfall=f.peak_shortfall)


class DistrictCapacityRead(Schema):
    district_id: int
    district_code: str
    district_name: str
    district_name_en: str
    forecast: ForecastRead


class CapacityAlertRead(Schema):
    id: int
    kind: str
    at: dt.datetime
    district_id: int | None
    facility_id: int | None
    order_id: int | None
    detail: dict[str, Any]
    resolved_at: dt.datetime | None
    resolved_by_id: int | None

    @staticmethod
    def of(a: QuarantineAlert) -> "CapacityAlertRead":
        return CapacityAlertRead(id=a.pk, kind=a.kind, at=a.at, district_id=a.district_id,
                                 facility_id=a.facility_id, order_id=a.order_id, detail=a.detail,
                                 resolved_at=a.resolved_at, resolved_by_id=a.resolved_by_id)


class AlertResolve(Schema):
    note: str


@router.get("/capacity", response=ForecastRead)
@requires(Right.QUARANTINE_VIEW)
def get_capacity(request: HttpRequest, unit_id: int | None = None) -> ForecastRead:
    """Rooms needed against rooms usable over the next 7 days, and the reserve."""
    return ForecastRead.of(capacity.capacity_for(actor=request_actor(request), unit_id=unit_id))


@router.get("/capacity/districts", response=list[DistrictCapacityRead])
@requires(Right.QUARANTINE_VIEW)
def get_capacity_by_district(request: HttpRequest) -> list[DistrictCapacityRead]:
    """One forecast per district in the caller's subtree, those running short first."""
    return [DistrictCapacityRead(district_id=r.district.pk, district_code=r.district.code,
                                 district_name=r.district.name,
                                 district_name_en=r.district.name_en,
                                 forecast=ForecastRead.of(r.forecast))
            for r in capacity.capacity_by_district(actor=request_actor(request))]


@router.get("/alerts", response=list[CapacityAlertRead])
@requires(Right.QUARANTINE_VIEW)
def list_alerts(request: HttpRequest, kind: str | None = None, open_only: bool = True,
                limit: int = 200) -> list[CapacityAlertRead]:
    """Alerts in the caller's subtree, newest first (at most ``limit``, up to 1000)."""
    rows = alerts.alerts_for(request_actor(request), kind=kind, open_only=open_only)
    return [CapacityAlertRead.of(a) for a in rows[:max(1, min(limit, ALERTS_MAX))]]


@router.post("/alerts/{alert_id}/resolve", response=CapacityAlertRead)
@requires(Right.QUARANTINE_CARE)
def resolve_alert(request: HttpRequest, alert_id: int, body: AlertResolve) -> CapacityAlertRead:
    """Close an alert with a note of what was done; resending changes nothing."""
    return CapacityAlertRead.of(alerts.do_resolve_alert(actor=request_actor(request),
                                                        alert_id=alert_id, note=body.note))
