"""The fever clinic's counter in headless Chromium: a resident by ID number with a fever and
no sample (recorded, on their grid's follow-up list), then someone not in the registry
without a name (refused on the name field, nothing stored)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from fangkong.warning.models import ClinicVisit, FollowUp
from tests.factories import City, make_user
from tests.warning.builders_sentinel import hospital
from tests.web.browser import BROWSER, browser, done, login, rule_versions, shoot  # noqa: F401

pytestmark = BROWSER


@pytest.fixture
def world(city: City, rule_versions: None) -> City:  # noqa: F811
    from django.apps import apps

    importlib.import_module("fangkong.warning.migrations.0002_policy_versions").add_versions(
        apps, None)
    hospital(city, 0)
    make_user("clinic1", unit=city.districts[0].grids[0], roles=["clinic"])
    return city


def test_the_clinic_counter(live_server: Any, world: City, browser: Any) -> None:  # noqa: F811
    base, person = live_server.url, world.districts[0].persons[0]
    page = login(browser, base, "clinic1")
    page.goto(f"{base}/warning/clinic/")
    page.fill("#id_id_number", str(person.id_number))
    page.fill("#id_temperature", "38.6")
    page.click("#visit-form button.primary")
    page.wait_for_selector("text=Visit recorded for the resident.")
    visit = ClinicVisit.objects.get()
    assert visit.person_id == person.pk and not visit.sampled
    assert FollowUp.objects.filter(kind="clinic", person=person).count() == 1
    page.fill("#id_phone", "13312345678")
    page.fill("#id_temperature", "37.0")
    page.click("#visit-form button.primary")
    page.wait_for_selector("text=not in the registry: give the name")
    shoot(page, "warning-clinic")
    assert ClinicVisit.objects.count() == 1
    done(page)
