"""Small real cities for tests: two districts, each down to grids, with people in them.

``small_city()`` builds the tree city → 2 districts → 1 street → 1 community → 2 grids, one
building and household per grid and a few persons, and returns handles to all of it. The second
district exists so every test can check that its officer sees none of the first's data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level, Profile
from fangkong.registry.models import Building, Household, Person, Venue
from fangkong.synth.idcard import check_char

PASSWORD = "pw-for-tests-only"


def add_unit(*, parent: AdminUnit | None, level: Level, code: str, name: str,
             name_en: str = "") -> AdminUnit:
    unit = AdminUnit(parent=parent, level=level, code=code, name=name, name_en=name_en,
                     center_lat=34.26, center_lon=108.94)
    if parent is not None:
        unit.place_in(parent)
    unit.save()
    if level != Level.CITY:
        setattr(unit, f"{LEVEL_FIELD[level]}_id", unit.pk)
        unit.save()
    return unit


def id_number(seq: int, *, area: str = "610102", birth: str = "19800101") -> str:
    body = f"{area}{birth}{seq % 1000:03d}"
    return body + check_char(body)


def make_user(username: str, *, unit: AdminUnit | None, roles: list[str],
              password: str = PASSWORD) -> User:
    user = User.objects.create_user(username=username, password=password)
    Profile.objects.create(user=user, unit=unit, roles=roles)
    return user


@dataclass
class District:
    unit: AdminUnit
    grids: list[AdminUnit]
    buildings: list[Building] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    venues: list[Venue] = field(default_factory=list)


@dataclass
class City:
    unit: AdminUnit
    districts: list[District]


_PEOPLE = [("张伟", "13800001111"), ("王芳", "13900002222"), ("李娜", "13700003333")]


def small_city(*, people_per_grid: int = 3) -> City:
    city = add_unit(parent=None, level=Level.CITY, code="6101", name="示范市", name_en="Demo City")
    districts = [_district(city, index=i, people=people_per_grid) for i in (1, 2)]
    return City(unit=city, districts=districts)


def _district(city: AdminUnit, *, index: int, people: int) -> District:
    code = f"61010{index}"
    unit = add_unit(parent=city, level=Level.DISTRICT, code=code, name=f"第{index}区",
                    name_en=f"District {index}")
    street = add_unit(parent=unit, level=Level.STREET, code=f"{code}001", name=f"{index}街道")
    community = add_unit(parent=street, level=Level.COMMUNITY, code=f"{code}001001",
                         name=f"{index}社区")
    grids = [add_unit(parent=community, level=Level.GRID, code=f"{code}001001{g:02d}",
                      name=f"{index}区网格{g}", name_en=f"Grid {index}-{g}") for g in (1, 2)]
    district = District(unit=unit, grids=grids)
    for g, grid in enumerate(grids):
        _fill_grid(district, grid, seq=index * 100 + g * 10, people=people)
    return district


def _fill_grid(district: District, grid: AdminUnit, *, seq: int, people: int) -> None:
    building = Building(name=f"{seq}号楼", address=f"幸福路{seq}号", lat=34.2, lon=108.9)
    building.place_in(grid)
    building.save()
    household = Household(building=building, address=f"幸福路{seq}号 1单元101")
    household.place_in(grid)
    household.save()
    venue = Venue(venue_code=f"V{seq:06d}", type="market", name=f"{grid.name}菜市场",
                  address=f"幸福路{seq}号", lat=34.2, lon=108.9)
    venue.place_in(grid)
    venue.save()
    district.buildings.append(building)
    district.households.append(household)
    district.venues.append(venue)
    for k in range(people):
        name, phone = _PEOPLE[k % len(_PEOPLE)]
        person = Person(household=household, name=f"{name}{seq + k}", sex="M" if k % 2 else "F",
                        id_number=id_number(seq + k), phone=f"{phone[:-3]}{seq + k:03d}",
                        birth_date=datetime.date(1980, 1, 1), address=household.address)
        person.place_in(grid)
        person.save()
        district.persons.append(person)
