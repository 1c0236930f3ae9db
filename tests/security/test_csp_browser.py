"""The Content-Security-Policy breaks no page: in headless Chromium, pages with the map
(Leaflet), charts (ECharts), HTMX, inline scripts and inline handlers load as the city's
administrator without one ``securitypolicyviolation`` event or "Refused to" console line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import City, make_user, small_city
from tests.web.browser import BROWSER, browser, done, login, rule_versions  # noqa: F401
from tests.web.conftest import give_boundaries

pytestmark = BROWSER

PAGES = [
    "/", "/tracing/funnel/", "/tracing/chains/", "/command/", "/command/supervision/",
    "/healthcode/gate/", "/warning/anomalies/", "/warning/checkpoint/", "/warning/clinic/",
    "/vaccination/", "/vaccination/record/", "/hotline/rates/", "/supplies/",
    "/quarantine/capacity/", "/screening/sampler/", "/risk/areas/", "/simulation/compare/",
    "/coldchain/record/", "/public/risk-areas/", "/public/healthcode/verify/", "/audit/",
]
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));
"""


@pytest.fixture
def world(transactional_db: None, rule_versions: None) -> City:  # noqa: F811
    city = small_city()
    give_boundaries(city)
    make_user("admin", unit=city.unit, roles=["city_admin"])
    return city


def test_no_page_breaks_the_policy(world: City, live_server: Any, browser: Any) -> None:  # noqa: F811
    page = login(browser, live_server.url, "admin")
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Refused to" in msg.text
            or "Content Security Policy" in msg.text else None)
    page.add_init_script(WATCH)
    broken = {}
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 400, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        seen = page.evaluate("window.__csp") + refused
        if seen:
            broken[path] = list(seen)
        refused.clear()
    assert not broken, broken
    done(page)
