"""Builders of the arrival and self-report tests: staff, a listed origin, a day of 2022 (the
2021-08 policy with its tests is in force), a CSV list and a resulted sample."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.registry.models import Person
from fangkong.testing.models import Campaign, Sample, Tube
from fangkong.warning.models import RiskOrigin
from tests.factories import City, make_user

TZ = ZoneInfo("Asia/Shanghai")
ARRIVED = dt.datetime(2022, 5, 10, 9, 30, tzinfo=TZ)  # policy warning-2021-08 in force
LATE = dt.datetime(2022, 12, 10, 9, 30, tzinfo=TZ)  # policy warning-2022-12: no tests
HEADER = "source,checkpoint,arrived_at,id_number,name,phone,origin\n"


def actor(city: City, *, who: str = "officer1", unit: int | None = 0,
          roles: tuple[str, ...] = ("district_officer",)) -> Actor:
    """A user at district ``unit`` (None: the city)."""
    place = city.unit if unit is None else city.districts[unit].unit
    user = User.objects.filter(username=who).first() or make_user(who, unit=place,
                                                                   roles=list(roles))
    return actor_for(User.objects.get(pk=user.pk))


def checkpoint(city: City) -> Actor:
    return actor(city, who="checkpoint1", unit=None, roles=("checkpoint",))


def origin(*, code: str = "WH", name: str = "武汉", since: dt.date = dt.date(2022, 5, 1),
           until: dt.date | None = None) -> RiskOrigin:
    return RiskOrigin.objects.create(name=name, code=code, listed_from=since,
                                     listed_until=until)


def fields(person: Person | None = None, *, when: dt.datetime = ARRIVED, origin: str = "",
           key: str = "", **more: str) -> dict[str, Any]:
    given: dict[str, Any] = {"source": "station", "checkpoint": "西安北站", "arrived_at": when,
                                "origin": origin, "client_key": key}
    if person is not None:
        given["id_number"] = person.id_number or ""
    given.update(more)
    return given


def csv_of(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def resulted_sample(person: Person, *, at: dt.datetime, result: str = "negative") -> Sample:
    campaign = Campaign.objects.get_or_create(
        code="W1", defaults={"name": "arrivals", "starts_at": at, "ends_at": at,
                             "default_pool_size": 1, "status": "running",
                             "created_at": at})[0]
    assert person.grid is not None
    tube = Tube(campaign=campaign, code=f"W-{person.pk}-{at:%m%d%H%M}", capacity=1,
                status="resulted", result=result, resulted_at=at + dt.timedelta(hours=8))
    tube.place_in(person.grid)
    tube.save()
    sample = Sample(campaign=campaign, tube=tube, person=person, kind="retest", sampled_at=at)
    sample.place_in(person.grid)
    sample.save()
    return sample
