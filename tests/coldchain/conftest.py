"""Fixtures of these tests: the two-district city, in English."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import City, small_city


@pytest.fixture
def city(db: None) -> City:
    return small_city(people_per_grid=4)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English; the demo city's default is zh-Hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """pytest-django's client, asking for English pages (the city's default is zh-Hans)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
