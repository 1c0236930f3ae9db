"""The anomalies page in headless Chromium, on the demo's seeded rise: the first district's
officer sees the anomaly with its chart drawn and acknowledges it with a note; the other
district's officer sees none, and the anomaly itself answers them 404."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.warning.demo_anomaly import seed_anomaly
from fangkong.warning.models import Anomaly, AnomalyStatus
from tests.factories import City, make_user
from tests.warning.builders_sentinel import hospital
from tests.warning.test_demo_anomaly import pharmacy
from tests.web.browser import BROWSER, browser, done, login, rule_versions, shoot  # noqa: F401

pytestmark = BROWSER


@pytest.fixture
def world(city: City, rule_versions: None) -> Anomaly:  # noqa: F811
    for d in (0, 1):
        hospital(city, d)
        pharmacy(city, d)
    make_user("officer1", unit=city.districts[0].unit, roles=["district_officer"])
    make_user("officer2", unit=city.districts[1].unit, roles=["district_officer"])
    assert seed_anomaly(seed=2022)["anomalies"] == 1
    return Anomaly.objects.get()


def test_hq_sees_the_chart_and_acknowledges(live_server: Any, world: Anomaly,
                                            browser: Any) -> None:  # noqa: F811
    base, pk = live_server.url, world.pk
    page = login(browser, base, "officer1")
    page.goto(f"{base}/warning/anomalies/")
    row = page.locator(f"tr[data-anomaly='{pk}']")
    page.wait_for_selector(f"#anomaly-chart-{pk}[data-ready='1'] canvas")
    box = page.locator(f"#anomaly-chart-{pk} canvas").first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80
    shoot(page, "warning-anomalies")
    row.locator("input[name=note]").fill("流调组已入户核查，发热门诊就诊增多")
    row.locator("button[value=acknowledged]").click()
    page.wait_for_selector("text=Being looked into")
    assert "?status=" in page.url
    world.refresh_from_db()
    assert world.status == AnomalyStatus.ACKNOWLEDGED and world.note.startswith("流调组")
    done(page)


def test_the_other_district_gets_404(live_server: Any, world: Anomaly,
                                     browser: Any) -> None:  # noqa: F811
    base, pk = live_server.url, world.pk
    page = login(browser, base, "officer2")
    page.goto(f"{base}/warning/anomalies/?status=all")
    assert page.locator("tr[data-anomaly]").count() == 0
    assert "No anomalies" in page.inner_text("#anomalies")
    answer = page.goto(f"{base}/api/v1/warning/anomalies/{pk}")
    assert answer is not None and answer.status == 404
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(f"{base}/warning/anomalies/{pk}/decide/",
                               form={"status": "dismissed", "note": "not ours"},
                               headers={"X-CSRFToken": token, "Referer": base})
    assert posted.status == 404
    world.refresh_from_db()
    assert world.status == AnomalyStatus.NEW
    done(page)
