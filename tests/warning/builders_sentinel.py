"""Builders of the sentinel tests: a hospital with its clinic user per district, the grid
and district staff, and a moved clock (the pharmacy sentinel ran from 2021-08 to 2022-12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.registry.models import Venue
from tests.factories import City, make_user

SUMMER = dt.datetime(2022, 6, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 in the city, sentinel on
WINTER = dt.datetime(2022, 12, 10, 4, 0, tzinfo=dt.UTC)  # after 3 December 2022: off


def hospital(city: City, district: int = 0) -> Venue:
    grid = city.districts[district].grids[0]
    venue = Venue(venue_code=f"H{district}", type="hospital", name=f"第{district + 1}医院",
                  address="健康路1号", lat=34.2, lon=108.9)
    venue.place_in(grid)
    venue.save()
    return venue


def sentinel_users(city: City) -> dict[str, User]:
    d1, d2 = city.districts
    return {
        "clinic1": make_user("clinic1", unit=d1.grids[0], roles=["clinic"]),
        "clinic2": make_user("clinic2", unit=d2.grids[0], roles=["clinic"]),
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "grid1": make_user("grid1", unit=d1.grids[0], roles=["grid_worker"]),
        "grid1b": make_user("grid1b", unit=d1.grids[1], roles=["grid_worker"]),
        "commander": make_user("commander", unit=city.unit, roles=["commander"]),
    }


def actor(user: User) -> Actor:
    return actor_for(user)


def move_clock(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: when)
