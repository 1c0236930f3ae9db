"""Fixtures of the screening tests: the two-district city and a running round on it."""

import pytest

from tests.factories import City, small_city
from tests.testing.builders import Round, make_round


@pytest.fixture
def city(db: None) -> City:
    return small_city(people_per_grid=4)


@pytest.fixture
def rnd(city: City) -> Round:
    return make_round(city)
