"""The followup in headless Chromium (Debian's): the street answers a ticket with a template
filled with today's rules, the agent calls back and the satisfied caller closes it; the
commander's rates page draws its table and chart.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from fangkong.core import clock
from fangkong.hotline.models import Ticket, TicketStatus
from tests.factories import City
from tests.hotline.builders_followup import new_ticket
from tests.hotline.builders_tickets import hotline_users, street_of
from tests.web import browser as web

pytestmark = web.BROWSER
browser = web.browser
rule_versions = web.rule_versions


@pytest.fixture
def ticket(city: City, rule_versions: None) -> Ticket:
    """Every module's rule versions (the answer templates name the quarantine, code and
    area rules of the day) and the hotline's templates, which a live-server test before this
    one may have flushed; its users and one supply ticket of district 1's street opened a
    minute ago."""
    importlib.import_module("fangkong.hotline.migrations.0003_answer_templates").add_templates(
        apps, None)
    hotline_users(city)
    return new_ticket(street=street_of(city, 0), at=clock.now(), category="supply",
                      policy=clock_policy())


def clock_policy() -> str:
    from fangkong.hotline.policy import hotline_policy_in_force

    return hotline_policy_in_force(on=clock.city_today()).name


def test_a_ticket_is_resolved_called_back_and_closed(ticket: Ticket, live_server: Any,
                                                     browser: Any) -> None:
    base, page_path = live_server.url, f"/hotline/tickets/{ticket.pk}/"
    street = web.login(browser, base, "street1")
    street.goto(base + page_path)
    street.wait_for_selector("#template-choice")
    street.select_option("#template-choice", "supply-needs")
    street.wait_for_function(
        "() => document.querySelector('#answer-text').value.indexOf('groceries') >= 0")
    web.shoot(street, "hotline-resolve")
    street.click("#resolve")
    street.wait_for_selector("#followup-answer")
    assert "Ticket resolved" in street.inner_text(".messages")
    web.done(street)
    assert Ticket.objects.get().status == TicketStatus.RESOLVED

    agent = web.login(browser, base, "hotline1")
    agent.goto(base + page_path)
    agent.check("input[name=reached][value=yes]")
    agent.select_option("#satisfaction", "5")
    agent.fill("#callback-form input[name=note]", "Groceries arrived, thanks.")
    agent.click("#record-callback")
    agent.wait_for_selector("#followup-closed")
    assert "satisfaction 5 of 5" in agent.inner_text("#followup-answer")
    web.shoot(agent, "hotline-closed")
    web.done(agent)
    closed = Ticket.objects.get()
    assert closed.status == TicketStatus.CLOSED and closed.satisfaction == 5


def test_rates_page_renders(ticket: Ticket, live_server: Any, browser: Any) -> None:
    commander = web.login(browser, live_server.url, "commander")
    commander.goto(f"{live_server.url}/hotline/rates/")
    commander.wait_for_selector("#rates-chart[data-ready='1']")
    table = commander.inner_text("#rates")
    assert "District 1" in table and "District 2" in table
    commander.click("#rates a[data-sort=tickets]")
    commander.wait_for_url("**sort=tickets**")
    commander.click("#rates tbody a >> text=District 1")
    commander.wait_for_selector("#rates-chart[data-ready='1']")
    assert "1街道" in commander.inner_text("#rates")
    web.shoot(commander, "hotline-rates")
    web.done(commander)
