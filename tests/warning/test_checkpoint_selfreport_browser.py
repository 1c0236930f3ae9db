"""The checkpoint's counter and the resident's self-report page in headless Chromium: the
checkpoint types an ID number and presses Enter (the counter shows one, the checkpoint's name
stays), then an unknown traveller by name and phone; a resident opens their link, picks
symptoms and sends them."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from fangkong.core import clock
from fangkong.healthcode.resident import resident_token
from fangkong.warning.models import ArrivalRecord, FollowUp, SelfReport
from tests.factories import City, make_user
from tests.web.browser import BROWSER, browser, done, login, rule_versions, shoot  # noqa: F401

pytestmark = BROWSER


@pytest.fixture
def world(city: City, rule_versions: None) -> City:  # noqa: F811
    from django.apps import apps

    importlib.import_module("fangkong.warning.migrations.0002_policy_versions").add_versions(
        apps, None)
    make_user("checkpoint1", unit=city.unit, roles=["checkpoint"])
    return city


def test_the_counter(live_server: Any, world: City, browser: Any) -> None:  # noqa: F811
    base, person = live_server.url, world.districts[0].persons[0]
    page = login(browser, base, "checkpoint1")
    page.goto(f"{base}/warning/checkpoint/")
    page.fill("#id_checkpoint", "西安北站")
    page.fill("#id_id_number", str(person.id_number))
    page.press("#id_id_number", "Enter")
    page.wait_for_selector("#last-arrival")
    assert "found in the registry" in page.inner_text("#last-arrival")
    assert "1 arrival" in page.inner_text("#counter")
    assert page.input_value("#id_checkpoint") == "西安北站"  # kept for the next person
    page.fill("#id_name", "路人甲")
    page.fill("#id_phone", "13312345678")
    page.click("#counter-form button.primary")
    page.wait_for_selector("#counter:has-text('2 arrivals')")
    assert "not in the registry" in page.inner_text("#last-arrival")
    shoot(page, "warning-checkpoint")
    assert ArrivalRecord.objects.count() == 2
    assert FollowUp.objects.filter(kind="arrival", person__isnull=True).count() == 1
    done(page)


def test_the_self_report(live_server: Any, world: City, browser: Any) -> None:  # noqa: F811
    person = world.districts[0].persons[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/c/{resident_token(person)}/report/?lang=en")
    page.check("input[name=kind][value=symptoms]")
    assert not page.is_visible("fieldset[data-kind=travel]")  # only the chosen part shows
    page.check("input[name=symptoms][value=fever]")
    page.fill("#id_since", clock.city_today().isoformat())
    page.click("#self-report-form button.primary")
    page.wait_for_selector("#sent")
    shoot(page, "warning-self-report")
    report = SelfReport.objects.get()
    assert report.details["symptoms"] == ["fever"]
    assert FollowUp.objects.filter(kind="self_report", source_id=report.pk).exists()
    done(page)
