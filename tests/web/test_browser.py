"""End to end in headless Chromium (Debian's, never a downloaded one): log in, switch language,
see the district polygons on the map, search and open a resident, and check that the second
district's officer sees none of the first's residents by any route."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from fangkong.core.privacy import mask_phone
from tests.factories import PASSWORD, City, make_user, small_city
from tests.web.browser import BROWSER
from tests.web.conftest import give_boundaries

ROOT = Path(__file__).resolve().parents[2]

pytestmark = BROWSER




@pytest.fixture
def world(transactional_db: None) -> City:
    city = small_city()
    give_boundaries(city)
    make_user("admin", unit=city.unit, roles=["city_admin"])
    make_user("officer2", unit=city.districts[1].unit, roles=["district_officer"])
    return city


def _login(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 820}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/")
    assert "/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_admin_journey(world: City, live_server: Any, browser: Any) -> None:
    base = live_server.url
    page = _login(browser, base, "admin")
    assert page.locator("nav.sidebar").inner_text().count("地图") == 1

    page.click("button[value=en]")
    page.wait_for_load_state()
    assert "Residents" in page.locator("nav.sidebar").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("button[value=zh-hans]")
    page.wait_for_load_state()
    assert "居民" in page.locator("nav.sidebar").inner_text()

    page.wait_for_selector("#map[data-ready='1']")
    paths = page.locator(".leaflet-overlay-pane svg path")
    assert paths.count() == len(world.districts)

    paths.first.click()
    page.wait_for_url(f"{base}/units/{world.districts[0].unit.pk}/")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator(".leaflet-overlay-pane svg path").count() >= 1

    person = world.districts[0].persons[0]
    for term in (person.name, person.phone[-4:]):
        page.goto(f"{base}/persons/")
        page.fill("input[name=q]", term)  # htmx searches as one types ...
        page.locator("#results").get_by_text(person.name).wait_for()
        page.press("input[name=q]", "Enter")  # ... and Enter submits the form without JS
        page.wait_for_url(lambda url, term=term: parse_qs(urlsplit(url).query).get("q") == [term])
        page.locator("#results").get_by_text(person.name).wait_for()
        assert page.locator(f"a[href='/persons/{person.pk}/']").count() == 1, term
    page.click(f"a[href='/persons/{person.pk}/']")
    page.wait_for_url(f"{base}/persons/{person.pk}/")
    assert page.locator("h1").inner_text() == person.name
    page.click("button.warn")
    page.wait_for_load_state()
    assert page.locator("#phone").inner_text() == person.phone


def test_second_district_sees_nothing_of_the_first(world: City, live_server: Any,
                                                   browser: Any) -> None:
    base = live_server.url
    page = _login(browser, base, "officer2")
    foreign = world.districts[0].persons

    page.goto(f"{base}/persons/")
    listing = page.content()
    assert all(p.name not in listing for p in foreign)
    assert world.districts[1].persons[0].name in listing

    for term in (foreign[0].name, foreign[0].phone[-4:]):
        page.goto(f"{base}/persons/?q={term}")
        assert page.locator(f"a[href='/persons/{foreign[0].pk}/']").count() == 0, term

    response = page.goto(f"{base}/persons/{foreign[0].pk}/")
    assert response is not None and response.status == 404
    assert foreign[0].name not in page.content()

    export = page.request.get(f"{base}/registry/export?kind=persons&format=csv")
    assert export.status == 200
    text = export.body().decode("utf-8-sig")
    assert all(p.name not in text for p in foreign)
    assert mask_phone(world.districts[1].persons[0].phone) in text
    foreign_export = page.request.get(
        f"{base}/registry/export?kind=persons&unit={world.districts[0].unit.pk}")
    assert foreign_export.status == 404

    api = f"{base}/api/v1/registry"
    found = page.request.get(f"{api}/persons?q={foreign[0].phone}").json()["items"]
    assert found == []
    assert page.request.get(f"{api}/persons/{foreign[0].pk}").status == 404
    assert page.request.get(f"{api}/export/persons?unit={world.districts[0].unit.pk}").status == 404
    own = page.request.get(f"{api}/persons").json()["items"]
    assert own and {i["id"] for i in own} <= {p.pk for p in world.districts[1].persons}
