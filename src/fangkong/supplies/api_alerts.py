"""Supplies API, reading part: the streets' days of stock and prices, the alerts and their
decisions."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core import clock
from fangkong.core.rights import Right
from fangkong.supplies import alerts, queries

router = Router()


class SupplyAlertRead(Schema):
    id: int
    street_id: int | None
    kind: str
    good: str
    day: dt.date
    last_day: dt.date
    figures: dict[str, Any]
    status: str
    note: str


class GoodRead(Schema):
    good: str
    band: str
    days: float | None
    required_days: float | None
    stock: float | None
    median_price: float | None
    change_percent: float | None


class StreetRead(Schema):
    street_id: int
    name: str
    residents: int
    sealed_residents: int
    open_alerts: int
    goods: list[GoodRead]


class AlertDecision(Schema):
    status: str
    note: str = ""


def _good(cell: dict[str, Any]) -> GoodRead:
    stock, price = cell["stock"], cell["price"]
    return GoodRead(good=cell["good"], band=cell["band"],
                    days=round(stock.days, 2) if stock else None,
                    required_days=round(stock.required_days, 2) if stock else None,
                    stock=stock.stock if stock else None,
                    median_price=price.price if price else None,
                    change_percent=cell["change"])


@router.get("/streets", response=list[StreetRead])
@requires(Right.SUPPLIES_VIEW)
def streets(request: HttpRequest, day: dt.date | None = None) -> list[StreetRead]:
    """The caller's streets on ``day`` (default today), open alerts and low stock first."""
    rows = queries.overview(request_actor(request),
                            day=day or timezone.localdate(clock.now()))
    return [StreetRead(street_id=r.street.pk, name=r.street.name,
                       residents=r.figures.residents if r.figures else 0,
                       sealed_residents=r.figures.sealed if r.figures else 0,
                       open_alerts=r.open_alerts, goods=[_good(c) for c in r.cells])
            for r in rows]


@router.get("/alerts", response=list[SupplyAlertRead])
@requires(Right.SUPPLIES_VIEW)
def list_alerts(request: HttpRequest, status: str = "") -> Any:
    """Alerts of the caller's streets, open first (at most 500)."""
    return list(queries.alerts_for(request_actor(request), status=status)[:500])


@router.get("/alerts/{alert_id}", response=SupplyAlertRead)
@requires(Right.SUPPLIES_VIEW)
def get_alert(request: HttpRequest, alert_id: int) -> Any:
    return queries.alert_for(request_actor(request), alert_id)


@router.post("/alerts/{alert_id}/decision", response=SupplyAlertRead)
@requires(Right.SUPPLIES_MANAGE)
def decide_alert(request: HttpRequest, alert_id: int, body: AlertDecision) -> Any:
    """Acknowledge (being handled) or close an alert, with a note."""
    return alerts.do_decide_alert(actor=request_actor(request), alert_id=alert_id,
                                  status=body.status, note=body.note)
