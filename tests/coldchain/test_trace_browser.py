"""The trace page in headless Chromium (Debian's): a tracer records a positive packaging
sample, traces it in one click, sees the places, batches and handlers on the page and the
graph, and drafts the risk points; a second district's officer sees only its own part.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from fangkong.tracing.models import RiskPoint
from tests.coldchain.builders import Chain, chain
from tests.factories import City
from tests.web.browser import BROWSER, browser, done, login, shoot  # noqa: F401 (fixture)

pytestmark = BROWSER


@pytest.fixture
def c(city: City, transactional_db: None) -> Chain:
    """The cold chain's rule versions (a live-server test flushes them) and a chain."""
    importlib.import_module("fangkong.coldchain.migrations.0002_policy_versions").add_versions(
        apps, None)
    return chain(city)


def test_a_tracer_traces_a_positive_sample_and_drafts_risk_points(
        c: Chain, live_server: Any, browser: Any) -> None:  # noqa: F811
    base = live_server.url
    page = login(browser, base, "tracer1")
    page.goto(f"{base}/coldchain/samples/")
    page.select_option("#id_place_id", str(c.s1.pk))
    page.select_option("#id_kind", "packaging")
    page.fill("#id_batch_code", "B1")
    when = timezone.localtime(c.t0 + dt.timedelta(days=3))
    page.fill("#id_sampled_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("#record-sample")
    page.click("button.run-trace")
    page.wait_for_selector("#trace-places")
    page.wait_for_selector("#trace-chart[data-ready='1']")
    places = page.inner_text("#trace-places")
    for name in ("第1区进口冷链食品集中监管仓", c.m.venue.name, c.s1.venue.name):
        assert name in places
    assert c.s2.venue.name not in places
    assert "1 place in other districts" in page.inner_text("#hidden-places")
    assert page.locator("#trace-batches tr[data-code='B1']").count() == 1
    assert "same store" in page.inner_text("#trace-batches tr[data-code='B2']")
    assert page.locator("#trace-batches tr[data-code='B3']").count() == 0
    assert page.locator("#trace-handlers tbody tr").count() == 3
    shoot(page, "coldchain-trace")
    page.click("#act")
    page.wait_for_selector(".msg.success")
    assert "3 risk points drafted" in page.inner_text(".messages")
    assert page.locator("#trace-handlers .state-due_now").count() == 3
    assert RiskPoint.objects.filter(case=None).count() == 3
    done(page)

    officer = login(browser, base, "officer2")
    officer.goto(f"{base}/coldchain/traces/{_trace_id()}/")
    assert officer.locator("#trace-places tbody tr").count() == 1
    assert c.s2.venue.name in officer.inner_text("#trace-places")
    assert "3 places in other districts" in officer.inner_text("#hidden-places")
    done(officer)


def _trace_id() -> int:
    from fangkong.coldchain.models import Trace

    return Trace.objects.get().pk
