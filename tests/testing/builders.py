"""A screening round on the small city, built with the ORM so every part's tests can start
from the same state without depending on another part's actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from fangkong.core.models import AdminUnit
from fangkong.testing.models import Campaign, CampaignArea, Lab, Site, Slot, Tube
from tests.factories import City, make_user

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Round:
    """A campaign over both districts: a lab per district, a site per grid (2 tables,
    07:00–13:00), hourly slots, ``tubes_per_site`` 10-in-1 tubes and 2 single tubes per site."""

    city: City
    campaign: Campaign
    labs: list[Lab]
    sites: list[Site]  # d1 grid 1, d1 grid 2, d2 grid 1, d2 grid 2
    tubes: dict[int, list[Tube]] = field(default_factory=dict)  # site pk → pooled tubes
    singles: dict[int, list[Tube]] = field(default_factory=dict)  # site pk → single tubes
    users: dict[str, User] = field(default_factory=dict)


def make_round(city: City, *, start: dt.datetime | None = None, tubes_per_site: int = 3,
               pool_size: int = 10) -> Round:
    start = start or timezone.now().astimezone(TZ).replace(minute=0, second=0, microsecond=0)
    campaign = Campaign.objects.create(
        code="R1", name="第1轮区域核酸", starts_at=start, ends_at=start + dt.timedelta(hours=24),
        default_pool_size=pool_size, status="running", created_at=start)
    labs, sites = [], []
    for i, district in enumerate(city.districts, start=1):
        area = CampaignArea(campaign=campaign, unit=district.unit, pool_size=pool_size)
        area.place_in(district.unit)
        area.save()
        lab = Lab(code=f"LAB{i}", name=f"第{i}区检测实验室", tubes_per_hour=500)
        lab.place_in(district.unit)
        lab.save()
        labs.append(lab)
        for g, grid in enumerate(district.grids, start=1):
            sites.append(_site(campaign, grid, lab, code=f"S{i}{g}", start=start))
    built = Round(city=city, campaign=campaign, labs=labs, sites=sites)
    for site in sites:
        built.tubes[site.pk] = _tubes(site, count=tubes_per_site, capacity=pool_size)
        built.singles[site.pk] = _tubes(site, count=2, capacity=1)
    built.users = _users(city)
    return built


def _site(campaign: Campaign, grid: AdminUnit, lab: Lab, *, code: str,
          start: dt.datetime) -> Site:
    site = Site(campaign=campaign, code=code, name=f"{grid.name}采样点", tables=2,
                lat=34.2, lon=108.9, opens_at=start + dt.timedelta(hours=1),
                closes_at=start + dt.timedelta(hours=7), lab=lab)
    site.place_in(grid)
    site.save()
    for h in range(6):
        slot = Slot(site=site, starts_at=site.opens_at + dt.timedelta(hours=h),
                    ends_at=site.opens_at + dt.timedelta(hours=h + 1), capacity=240)
        slot.place_in(grid)
        slot.save()
    return site


def _tubes(site: Site, *, count: int, capacity: int) -> list[Tube]:
    made = []
    for n in range(count):
        tube = Tube(campaign=site.campaign, code=f"{site.code}-{capacity:02d}-{n:04d}",
                    capacity=capacity, site=site)
        tube.district_id, tube.street_id = site.district_id, site.street_id
        tube.community_id, tube.grid_id = site.community_id, site.grid_id
        tube.save()
        made.append(tube)
    return made


def _users(city: City) -> dict[str, User]:
    d1, d2 = city.districts
    return {
        "organiser1": make_user("organiser1", unit=d1.unit, roles=["district_officer"]),
        "organiser2": make_user("organiser2", unit=d2.unit, roles=["district_officer"]),
        "sampler1": make_user("sampler1", unit=d1.unit, roles=["sampler"]),
        "sampler2": make_user("sampler2", unit=d2.unit, roles=["sampler"]),
        "lab1": make_user("lab1", unit=d1.unit, roles=["lab_staff"]),
        "grid1": make_user("grid1", unit=d1.grids[0], roles=["grid_worker"]),
        "admin": make_user("cityadmin", unit=city.unit, roles=["city_admin"]),
    }
