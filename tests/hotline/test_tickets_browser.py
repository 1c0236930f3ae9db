"""The hotline in headless Chromium (Debian's): an agent takes a call, finds the caller in
the registry by phone, opens the ticket; it lands in the queue of the caller's street, where
the street worker responds. The second district's street worker gets the not-found page.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from fangkong.hotline.models import Ticket, TicketStatus
from tests.factories import City
from tests.hotline.builders_tickets import hotline_users
from tests.web.browser import BROWSER, browser, done, login, shoot  # noqa: F401 (fixture)

pytestmark = BROWSER


@pytest.fixture
def people(city: City, transactional_db: None) -> dict[str, Any]:
    """The hotline's rule versions (a live-server test flushes them) and its users."""
    importlib.import_module("fangkong.hotline.migrations.0002_policy_versions").add_versions(
        apps, None)
    return hotline_users(city)


def test_a_call_lands_in_the_street_s_queue_and_is_answered(
        city: City, people: dict[str, Any], live_server: Any,
        browser: Any) -> None:  # noqa: F811 (the fixture imported above)
    base = live_server.url
    caller = city.districts[0].persons[1]
    agent = login(browser, base, "hotline1")
    agent.goto(f"{base}/hotline/tickets/new/")
    agent.fill("#caller-search input[name=q]", caller.phone)
    agent.click("#caller-search button")
    agent.click("a.choose-person")
    assert caller.name in agent.inner_text("#chosen-person")
    agent.select_option("#id_category", "supply")
    agent.fill("#id_subject", "Vegetables not delivered for two days")
    agent.fill("#id_description", "The caller lives alone and is 82.")
    shoot(agent, "hotline-new-call")
    agent.click("#open-ticket")
    agent.wait_for_selector("#ticket-number")
    ticket = Ticket.objects.get()
    assert agent.inner_text("#ticket-number") == ticket.number
    assert ticket.street_id == caller.street_id
    shoot(agent, "hotline-ticket")
    done(agent)

    street = login(browser, base, "street1")
    street.goto(f"{base}/hotline/tickets/")
    row = street.locator(f"tr[data-number='{ticket.number}']")
    assert "respond in" in row.inner_text()
    shoot(street, "hotline-queue")
    row.locator("a").click()
    street.fill("#respond-note", "Volunteer Zhang brings vegetables within the hour.")
    street.click("#respond")
    street.wait_for_selector("#history")
    assert "Volunteer Zhang" in street.inner_text("#history")
    assert street.inner_text("#ticket-status") == "in progress"
    done(street)
    assert Ticket.objects.get().status == TicketStatus.IN_PROGRESS

    other = login(browser, base, "street2")
    response = other.goto(f"{base}/hotline/tickets/{ticket.pk}/")
    assert response is not None and response.status == 404
    done(other)
