"""Fixtures of these tests: the two-district city, in English, with the vaccination rules and
products seeded again (a live-server test elsewhere may have flushed what the migration
seeded)."""

import importlib
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from tests.factories import City, small_city

POLICY = "fangkong.vaccination.migrations.0002_policy_versions"


def seed_rules() -> None:
    importlib.import_module(POLICY).add_versions(apps, None)


@pytest.fixture
def rules(db: None) -> None:
    seed_rules()


@pytest.fixture
def city(rules: None) -> City:
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
