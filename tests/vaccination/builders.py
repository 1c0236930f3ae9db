"""Builders of these tests: actors, residents of a given age, dose rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit
from fangkong.registry.models import Person
from tests.factories import City, make_user

TODAY = dt.date(2022, 12, 20)


def actor(username: str, *, unit: AdminUnit | None, roles: list[str]) -> Actor:
    return actor_for(make_user(username, unit=unit, roles=roles))


def vaccinator(city: City, *, name: str = "vac1") -> Actor:
    return actor(name, unit=city.districts[0].grids[0].parent, roles=["vaccinator"])


def officer(city: City, index: int = 0, *, name: str | None = None) -> Actor:
    return actor(name or f"officer{index}", unit=city.districts[index].unit,
                 roles=["district_officer"])


def grid_worker(city: City, index: int = 0, grid: int = 0) -> Actor:
    return actor(f"grid{index}{grid}", unit=city.districts[index].grids[grid],
                 roles=["grid_worker"])


def born(person: Person, *, age: int, on: dt.date = TODAY) -> Person:
    """Make ``person`` ``age`` years old on ``on`` (born a month after that birthday)."""
    person.birth_date = dt.date(on.year - age - 1, 12, 1) if on.month < 12 else \
        dt.date(on.year - age, 1, 1)
    person.save()
    return person


def dose(person: Person, *, number: int, on: dt.date, product: str = "CORONAVAC",
         key: str | None = None, site: str = "SITE01") -> dict[str, Any]:
    return {"id_number": person.id_number, "product": product, "dose_number": str(number),
            "given_on": on.isoformat(), "site": site,
            "client_key": key or f"k-{person.pk}-{number}"}


def csv_of(rows: list[dict[str, Any]]) -> bytes:
    cols = ["id_number", "product", "dose_number", "given_on", "site", "client_key"]
    lines = [",".join(cols)] + [",".join(str(r.get(c, "")) for c in cols) for r in rows]
    return ("\n".join(lines) + "\n").encode()


NOW = dt.datetime(2022, 12, 20, 10, 0, tzinfo=dt.UTC)


def freeze(monkeypatch: Any) -> None:
    """The city's clock at ``TODAY`` (after the November 2022 rules took force)."""
    from fangkong.core import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
