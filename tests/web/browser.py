"""What every Playwright test shares: Debian's Chromium, the marks, and the browser fixture.

A module imports ``browser`` (registering the fixture) and sets ``pytestmark = BROWSER``."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")

BROWSER = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                       reason="Debian chromium not installed at /usr/bin/chromium "
                              "(apt-get install chromium); required when CI is set"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    """Request it after the data fixtures (see test_browser.py: Playwright's greenlet)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


RULE_VERSIONS = tuple(f"fangkong.{app}.migrations.0002_policy_versions"
                      for app in ("tracing", "testing", "risk", "quarantine", "healthcode",
                                  "hotline", "warning", "supplies", "coldchain", "vaccination"))


@pytest.fixture
def rule_versions(transactional_db: None) -> None:
    """Live-server tests flush every table when they end, the dated rule versions the data
    migrations seeded included: seed them again (``get_or_create``, so it is harmless)."""
    from django.apps import apps

    for module in RULE_VERSIONS:
        importlib.import_module(module).add_versions(apps, None)


def shoot(page: Any, name: str) -> None:
    """A full-page screenshot into ``$FANGKONG_SCREENSHOTS`` when it is set (docs images)."""
    folder = os.environ.get("FANGKONG_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def login(browser: Any, base: str, username: str) -> Any:
    """A fresh English context logged in as ``username`` through the login page."""
    from tests.factories import PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    return page


def done(page: Any) -> None:
    """Close a page's context once nothing is in flight (the live server's threads)."""
    page.wait_for_load_state("networkidle")
    page.context.close()
