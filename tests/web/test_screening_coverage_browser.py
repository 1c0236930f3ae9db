"""The coverage journey in headless Chromium (Debian's): an organiser opens the coverage page
of a round where one resident of the district is still missing, sees the map coloured, drills
down through the table to the grid, opens the untested list, exempts the last untested
resident with a reason (htmx swaps the row) and the coverage page then shows 100 % accounted
for, at the grid and at the district. The second district's officer cannot open the grid.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fangkong.registry.models import Person
from fangkong.testing.models import Exemption, Sample
from tests.factories import PASSWORD, small_city
from tests.testing.builders import Round, make_round
from tests.web.browser import BROWSER
from tests.web.conftest import give_boundaries

pytestmark = BROWSER




@pytest.fixture
def world() -> Round:
    """District 1 sampled except its first resident, who is the last one missing."""
    city = small_city(people_per_grid=3)
    give_boundaries(city)
    rnd = make_round(city)
    for n, person in enumerate(city.districts[0].persons[1:], start=1):
        site = next(s for s in rnd.sites if s.grid_id == person.grid_id)
        sample = Sample(campaign=rnd.campaign, tube=rnd.tubes[site.pk][0], person=person,
                        sampled_at=rnd.campaign.starts_at.replace(hour=8, minute=n))
        sample.place_in(person.grid)  # type: ignore[arg-type]
        sample.save()
    return rnd


def _login(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button.primary")
    page.wait_for_url(f"{base}/")
    return page


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("FANGKONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_coverage_journey(world: Round, live_server: Any, browser: Any) -> None:
    base, rnd = live_server.url, world
    d1 = rnd.city.districts[0]
    missing: Person = d1.persons[0]
    grid = d1.grids[0]
    page = _login(browser, base, "organiser1")
    page.goto(f"{base}/screening/{rnd.campaign.pk}/coverage/")
    page.wait_for_selector("#coverage-map[data-ready='1']")
    assert page.get_attribute("#headline", "data-percent") == "83.3"  # 5 of 6
    assert page.locator("#coverage-map path.leaflet-interactive").count() == 1  # one street
    _shot(page, "coverage-district")
    for unit in (grid.parent.parent, grid.parent, grid):  # type: ignore[union-attr]
        page.click(f".cov-table a[href$='?unit={unit.pk}']")
        page.wait_for_url(f"**/coverage/?unit={unit.pk}")
    page.wait_for_selector("#coverage-map[data-ready='1']")
    assert page.locator("#coverage-map path.leaflet-interactive").count() == 1  # a building
    assert page.get_attribute("#headline", "data-percent") == "66.6"
    page.click("#headline a.button")
    page.wait_for_url(f"**/untested/?unit={grid.pk}")
    row = page.locator(f"#person-{missing.pk}")
    assert row.count() == 1 and page.locator("tbody tr[id^='person-']").count() == 1
    assert missing.phone not in page.content()  # an organiser sees the phone masked
    row.locator("select[name=reason]").select_option("hospital")
    row.locator("input[name=note]").fill("市第四医院住院")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"#person-{missing.pk}.is-exempt")
    assert "市第四医院住院" in page.locator(f"#person-{missing.pk}").inner_text()
    assert Exemption.objects.get(person=missing).reason == "hospital"
    _shot(page, "untested-exempted")
    page.goto(f"{base}/screening/{rnd.campaign.pk}/coverage/?unit={grid.pk}")
    assert page.get_attribute("#headline", "data-percent") == "100.0"
    assert "100.0 %" in page.inner_text("#headline")
    page.goto(f"{base}/screening/{rnd.campaign.pk}/coverage/")
    assert page.get_attribute("#headline", "data-percent") == "100.0"
    page.wait_for_selector("#coverage-map[data-ready='1']")
    _shot(page, "coverage-complete")
    other = _login(browser, base, "organiser2")
    answer = other.goto(f"{base}/screening/{rnd.campaign.pk}/coverage/?unit={grid.pk}")
    assert answer.status == 404
