"""Builders of the supplies tests: users per district, stock rows written straight to the
table (the intake has its own tests), a sealed area, and the moved clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit
from fangkong.registry.models import Venue
from fangkong.risk.models import RiskArea
from fangkong.supplies.models import StockReport
from tests.factories import City, make_user

NOON = dt.datetime(2022, 5, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in the city
TODAY = dt.date(2022, 5, 10)
# The policy of 2022-04 (Chinese Dietary Guidelines 2022): need per person per day.
NEED = {"grain": 0.4, "oil": 0.03, "meat": 0.075, "eggs": 0.05, "vegetables": 0.5, "milk": 0.5}


def move_clock(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: when)


def supply_users(city: City) -> dict[str, User]:
    d1, d2 = city.districts
    street1 = d1.grids[0].street
    assert street1 is not None
    return {
        "market1": make_user("market1", unit=d1.grids[0], roles=["market"]),
        "market2": make_user("market2", unit=d2.grids[0], roles=["market"]),
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "street1": make_user("street1", unit=street1, roles=["street_worker"]),
        "grid1": make_user("grid1", unit=d1.grids[0], roles=["grid_worker"]),
        "commander": make_user("commander", unit=city.unit, roles=["commander"]),
    }


def actor(user: User) -> Actor:
    return actor_for(user)


def put(venue: Venue, *, good: str, day: dt.date = TODAY, stock: float,
        price: float = 5.0, key: str = "") -> StockReport:
    """A report row as the intake would store it (placed at the venue)."""
    row = StockReport(venue=venue, good=good, day=day, stock=Decimal(str(stock)),
                      price=Decimal(str(price)), client_key=key or f"{venue.pk}-{good}-{day}",
                      recorded_at=clock.now())
    row.district_id, row.street_id = venue.district_id, venue.street_id
    row.community_id, row.grid_id = venue.community_id, venue.grid_id
    row.save()
    return row


def plenty(venue: Venue, *, day: dt.date = TODAY, residents: int = 8, days: float = 5,
           share: float = 0.5, price: float = 5.0) -> None:
    """``share`` of ``days`` of every good's need for ``residents`` people, at ``price``."""
    for good, need in NEED.items():
        put(venue, good=good, day=day, stock=round(need * residents * days * share, 1),
            price=price)


def seal(unit: AdminUnit, *, level: str = "sealed", since: dt.datetime = NOON,
         lifted: dt.datetime | None = None, code: str = "A1") -> RiskArea:
    area = RiskArea(code=code, name=f"{unit.name} area", unit=unit, level=level,
                    designated_level=level, level_since=since, reason="case",
                    started_at=since, lifted_at=lifted,
                    status="lifted" if lifted else "active")
    area.place_in(unit)
    area.save()
    return area
