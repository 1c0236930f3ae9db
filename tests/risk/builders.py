"""Risk-area states built with the ORM, so each part's tests start from the same place
without depending on another part's actions."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.models import AdminUnit
from fangkong.risk.models import AreaEvent, EventKind, Gate, RiskArea, RiskPolicy
from tests.factories import City, make_user


def make_area(*, unit: AdminUnit, level: str = "sealed", code: str = "RA-0001",
              started_at: dt.datetime | None = None, policy_name: str | None = None) -> RiskArea:
    """An active area over ``unit`` (a community or grid), with its designation event."""
    start = started_at or clock.now()
    policy = (RiskPolicy.objects.get(name=policy_name) if policy_name
              else RiskPolicy.objects.order_by("-effective_from").first())
    area = RiskArea(code=code, name=f"{unit.name}", unit=unit, level=level,
                    designated_level=level, level_since=start, reason="test",
                    policy=policy, started_at=start)
    area.place_in(unit)
    area.save()
    AreaEvent.objects.create(area=area, at=start, kind=EventKind.DESIGNATED, level_to=level)
    return area


def make_gate(area: RiskArea, *, name: str = "东门") -> Gate:
    gate = Gate(area=area, name=name)
    gate.district_id, gate.street_id = area.district_id, area.street_id
    gate.community_id, gate.grid_id = area.community_id, area.grid_id
    gate.save()
    return gate


def risk_users(city: City) -> dict[str, User]:
    """One user per role the risk pages serve, in district 1 unless named otherwise."""
    d1, d2 = city.districts
    return {
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "commander": make_user("commander", unit=city.unit, roles=["commander"]),
        "grid1": make_user("grid1", unit=d1.grids[0], roles=["grid_worker"]),
        "volunteer1": make_user("volunteer1", unit=d1.grids[0], roles=["volunteer"]),
        "gate1": make_user("gate1", unit=d1.grids[0], roles=["gate_keeper"]),
        "admin": make_user("cityadmin", unit=city.unit, roles=["city_admin"]),
    }
