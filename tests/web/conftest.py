"""Fixtures of the web tests: the small city with rectangular boundaries, and logged-in
clients for a city administrator and for the officers of the two districts."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fangkong.core.models import AdminUnit
from tests.factories import City, make_user, small_city
from tests.web.browser import browser, rule_versions  # noqa: F401 (fixtures of the browser tests)


def rectangle(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _bound(unit: AdminUnit, box: tuple[float, float, float, float]) -> None:
    unit.boundary = rectangle(*box)
    unit.center_lon, unit.center_lat = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    unit.save(update_fields=["boundary", "center_lon", "center_lat"])


def give_boundaries(city: City) -> None:
    """Districts side by side; their one street and community fill them; two grids split each."""
    _bound(city.unit, (108.90, 34.20, 109.00, 34.25))
    for i, district in enumerate(city.districts):
        west = 108.90 + 0.05 * i
        box = (west, 34.20, west + 0.05, 34.25)
        _bound(district.unit, box)
        for unit in AdminUnit.objects.filter(district=district.unit, level__in=[2, 3]):
            _bound(unit, box)
        for g, grid in enumerate(district.grids):
            _bound(grid, (west + 0.025 * g, 34.20, west + 0.025 * (g + 1), 34.25))


@pytest.fixture
def city(db: None) -> City:
    built = small_city()
    give_boundaries(built)
    return built


def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(_user(username))
    return client


def _user(username: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    return User.objects.get(username=username)


@pytest.fixture
def admin_client_(city: City) -> Client:
    make_user("admin", unit=city.unit, roles=["city_admin"])
    return _client_for("admin")


@pytest.fixture
def officer1(city: City) -> Client:
    make_user("officer1", unit=city.districts[0].unit, roles=["district_officer"])
    return _client_for("officer1")


@pytest.fixture
def officer2(city: City) -> Client:
    make_user("officer2", unit=city.districts[1].unit, roles=["district_officer"])
    return _client_for("officer2")


@pytest.fixture
def grid_worker(city: City) -> Client:
    """Holds PII_VIEW, inside district 1's first grid."""
    make_user("gridder", unit=city.districts[0].grids[0], roles=["grid_worker"])
    return _client_for("gridder")
