"""The command dashboard in headless Chromium (Debian's): the commander opens it, sees today's
case on its tile and both districts on the map and in the table, drills down city → district
(clicking the district on the map) → street (clicking its row), and a case registered
meanwhile appears when the live fragment refreshes. District 2's officer gets the not-found
page for district 1.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from fangkong.core import clock
from tests.command.builders_figures import dashboard_users, make_case, street_of
from tests.factories import City, make_user
from tests.web.browser import BROWSER, browser, done, login, rule_versions, shoot  # noqa: F401
from tests.web.conftest import give_boundaries

pytestmark = BROWSER


@pytest.fixture
def world(city: City, rule_versions: None) -> dict[str, Any]:  # noqa: F811
    cache.clear()
    give_boundaries(city)
    users = dashboard_users(city)
    make_user("officer2b", unit=city.districts[1].unit, roles=["district_officer"])
    make_case(city.districts[0].persons[0], at=clock.now())
    return {"users": users, "street1": street_of(city.districts[0].grids[0])}


def tile(page: Any, name: str) -> str:
    return str(page.get_attribute(f"#tile-{name}", "data-value"))


def test_dashboard_drills_down_and_refreshes(live_server: Any, city: City,
                                             world: dict[str, Any], browser: Any) -> None:  # noqa: F811
    base = live_server.url
    page = login(browser, base, "commander")
    page.goto(f"{base}/command/")
    assert tile(page, "cases_in_community") == "1"
    page.wait_for_selector("#dash-map[data-ready='1']")
    page.wait_for_selector("#dash-trends[data-ready='1'] canvas")
    assert "District 2" in page.inner_text("#dash-rows")
    assert tile(page, "supply_alerts_open") == "0" and tile(page, "elderly_residents") == "0"
    assert page.query_selector(".kpi.absent") is None
    assert page.query_selector("#dash-sim") is not None  # the commander may see scenarios
    shoot(page, "command-dashboard")

    make_case(city.districts[1].persons[0], at=clock.now())  # committed: its marks are in
    page.evaluate("() => { const el = document.getElementById('dash-live');"
                  " htmx.ajax('GET', el.getAttribute('hx-get'),"
                  " {target: el, swap: 'outerHTML'}); }")  # what the 30 s poll does
    page.wait_for_selector("#tile-cases_in_community[data-value='2']")

    district = city.districts[0].unit
    page.click(".leaflet-interactive >> nth=0")  # the first district on the map
    page.wait_for_url(f"**/command/?*unit={district.pk}*")
    assert tile(page, "cases_in_community") == "1"
    page.click(f"#dash-rows tr[data-unit='{world['street1'].pk}'] a")
    page.wait_for_url(f"**unit={world['street1'].pk}*")
    assert tile(page, "cases_in_community") == "1"
    assert "finest level" in page.inner_text("#dash-map-empty")
    assert [a.inner_text() for a in page.query_selector_all("#dash-trail a")] == [
        "Demo City", "District 1"]
    done(page)

    other = login(browser, base, "officer2b")
    answer = other.goto(f"{base}/command/?unit={district.pk}")
    assert answer is not None and answer.status == 404
    done(other)
