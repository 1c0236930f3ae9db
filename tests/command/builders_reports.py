"""A seeded read model for the situation-report tests: ``Figure`` rows of every metric for
each street of the test city over some days, with values that tell the units and days apart."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from fangkong.command.models import Figure
from fangkong.command.queries import METRICS
from fangkong.core import clock
from fangkong.core.models import AdminUnit, Level
from tests.factories import City, make_user

DAY = dt.date(2022, 5, 1)


def value(*, district: int, metric: int, day: dt.date) -> int:
    """The seeded value of a street of district ``district`` (1-based) for the metric at
    position ``metric`` of METRICS on ``day``."""
    return district * 100 + metric * 3 + (day - DAY).days % 7 + 5


def seed_figures(city: City, *, until: dt.date = DAY, days: int = 16) -> None:
    """Every metric of METRICS for the one street of each district, ``days`` days to
    ``until``."""
    now = clock.now()
    rows = []
    for d, district in enumerate(city.districts, start=1):
        street = AdminUnit.objects.get(parent=district.unit, level=Level.STREET)
        for m, name in enumerate(METRICS):
            for k in range(days):
                day = until - dt.timedelta(days=k)
                rows.append(Figure(unit=street, day=day, metric=name, updated_at=now,
                                   value=value(district=d, metric=m, day=day)))
    Figure.objects.bulk_create(rows)


def report_users(city: City) -> dict[str, User]:
    """The city's commander and an officer of each district."""
    return {
        "commander": make_user("commander", unit=city.unit, roles=["commander"]),
        "officer1": make_user("officer1", unit=city.districts[0].unit,
                              roles=["district_officer"]),
        "officer2": make_user("officer2", unit=city.districts[1].unit,
                              roles=["district_officer"]),
    }
