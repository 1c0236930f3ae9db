"""The simulator in headless Chromium (Debian's): a commander sets two scenarios from presets
(Hellewell's baseline and tracing 80 %), runs them, ticks both and sees the comparison: the
chart drawn on a canvas with its bands, and the summary table's numbers those of the stored
results. The second district's officer gets the not-found page.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.simulation.charts import cell
from fangkong.simulation.models import Scenario
from tests.factories import City
from tests.simulation.test_scenarios import sim_users
from tests.web.browser import BROWSER, browser, done, login, shoot  # noqa: F401 (fixture)

pytestmark = BROWSER


@pytest.fixture
def people(city: City, transactional_db: None) -> None:
    sim_users(city)


def _from_preset(page: Any, base: str, preset: str, runs: str) -> None:
    page.goto(f"{base}/simulation/")
    page.click(f"a[data-preset='{preset}']")
    page.wait_for_url(f"**/simulation/?preset={preset}*")
    page.fill("#id_runs", runs)
    page.fill("#id_cap_days", "140")
    page.click("#scenario-create")
    page.wait_for_url(f"{base}/simulation/")


def test_a_commander_compares_two_presets(city: City, people: None, live_server: Any,
                                          browser: Any) -> None:  # noqa: F811
    base = live_server.url
    page = login(browser, base, "commander1")
    _from_preset(page, base, "hellewell", "200")
    _from_preset(page, base, "hellewell_trace_80", "200")
    first, second = Scenario.objects.order_by("pk")
    assert (first.status, second.status) == ("done", "done")  # jobs run inline in tests
    assert first.params["traced"] == 0.6 and second.params["traced"] == 0.8
    shoot(page, "simulation-scenarios")
    page.check(f"input[name=ids][value='{first.pk}']")
    page.check(f"input[name=ids][value='{second.pk}']")
    page.click("#compare")
    page.wait_for_selector(".sim-chart[data-ready='1'] canvas")
    assert page.locator("#summary tbody tr").count() == 2
    for s in (first, second):
        text = page.inner_text(f"#summary tr[data-scenario='{s.pk}']")
        assert s.name in text and cell(s.result["summary"]["controlled"], "share") in text
    series = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('.sim-chart')).getOption().series"
        ".map(function (s) { return [s.name, !!s.areaStyle]; })")
    assert sum(1 for _n, shaded in series if shaded) == 2  # one band per scenario
    assert [n for n, _s in series].count(first.name) == 1  # and one median line
    shoot(page, "simulation-compare")
    page.click(f"#summary a:text('{first.name}')")
    page.wait_for_selector(".sim-chart[data-ready='1'] canvas")
    assert page.inner_text("#scenario-seed") == str(first.seed)
    done(page)

    other = login(browser, base, "officer2")
    response = other.goto(f"{base}/simulation/{first.pk}/")
    assert response is not None and response.status == 404
    done(other)
