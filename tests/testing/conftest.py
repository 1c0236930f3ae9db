"""Fixtures of the screening tests: the two-district city and a running round on it."""

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.factories import City, small_city
from tests.testing.builders import Round, make_round


@pytest.fixture
def city(db: None) -> City:
    return small_city(people_per_grid=4)


@pytest.fixture
def rnd(city: City) -> Round:
    return make_round(city)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The actions' messages are asserted in English; the demo city's default is zh-Hans."""
    with translation.override("en"):
        yield
