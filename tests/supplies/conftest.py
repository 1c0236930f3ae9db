"""Fixtures of these tests: the two-district city, in English, at noon on 10 May 2022."""

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.factories import City, small_city
from tests.supplies.builders import NOON, move_clock


@pytest.fixture
def city(db: None, monkeypatch: pytest.MonkeyPatch) -> City:
    move_clock(monkeypatch, NOON)
    return small_city(people_per_grid=4)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English; the demo city's default is zh-Hans."""
    with translation.override("en"):
        yield
