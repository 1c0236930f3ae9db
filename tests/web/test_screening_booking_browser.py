"""A resident books a screening time in headless Chromium (Debian's): a district officer
finds them on the bookings page and makes their link; the resident, not logged in, opens it,
sees their masked name and the green-channel notice (they are 75), picks a slot and gets a
confirmation; a tampered copy of the link shows the error page.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the public page."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from fangkong.registry.models import Person
from fangkong.testing.models import Booking, Slot
from tests.factories import PASSWORD, small_city
from tests.testing.builders import Round, make_round
from tests.web.browser import BROWSER

pytestmark = BROWSER


@pytest.fixture
def rnd(transactional_db: None) -> Round:
    built = make_round(small_city())
    elder = built.city.districts[0].persons[0]
    Person.objects.filter(pk=elder.pk).update(birth_date=dt.date(1947, 3, 1))
    return built




def _shoot(page: Any, name: str) -> None:
    folder = os.environ.get("FANGKONG_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _make_link(browser: Any, base: str, rnd: Round, person: Person) -> str:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "organiser1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/screening/campaigns/{rnd.campaign.pk}/bookings/")
    page.fill("input[name=q]", person.name)
    page.click("form.search button.primary")
    page.locator("#residents").get_by_role("button").last.click()
    link = page.locator("#booking-link input").input_value()
    context.close()
    return str(link)


def test_resident_books_a_slot_through_the_link(rnd: Round, live_server: Any,
                                                browser: Any) -> None:
    person = rnd.city.districts[0].persons[0]
    link = _make_link(browser, live_server.url, rnd, person)
    assert "/screening/book/" in link
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(link + "?lang=en")
    text = page.locator("main").inner_text()
    assert person.name[0] + "*" in text and person.name not in text
    assert page.locator("#green").is_visible()
    _shoot(page, "booking-public")
    first = page.locator("input[name=slot_id]").first
    slot_id = int(first.get_attribute("value"))
    first.check()
    page.locator("button.primary").first.click()
    page.locator("#confirmation").wait_for()
    assert "Your booking is confirmed" in page.locator("#confirmation").inner_text()
    _shoot(page, "booking-confirmed")
    booking = Booking.objects.get(person=person)
    assert booking.slot_id == slot_id and booking.green_channel
    assert Slot.objects.get(pk=slot_id).booked == 1
    page.goto(link[:-4] + "zz/?lang=en")
    assert "This link cannot be used" in page.locator("h1").inner_text()
    assert person.name[0] + "*" not in page.locator("main").inner_text()
