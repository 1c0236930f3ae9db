"""The situation report in headless Chromium (Debian's): the city's commander asks for the
report of a day on the reports page, the row turns ready (the job runs inline in tests), and
the PDF downloads and reads back with the city's Chinese name and the district table. The
second district's officer gets the not-found page for its file.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from fangkong.command.models import SituationReport
from tests.command.builders_reports import DAY, report_users, seed_figures
from tests.factories import City
from tests.web.browser import BROWSER, browser, done, login, shoot

__all__ = ["browser"]
pytestmark = BROWSER


@pytest.fixture
def users(city: City) -> dict[str, User]:
    seed_figures(city)
    return report_users(city)


def test_request_a_report_and_download_its_pdf(city: City, users: dict[str, User],
                                               live_server: Any, browser: Any,
                                               tmp_path: Path) -> None:
    base = live_server.url
    page = login(browser, base, "commander")
    page.goto(f"{base}/command/reports/")
    assert page.locator("#reports tbody").inner_text().strip() == "No reports yet."
    page.select_option("#id_unit_id", str(city.unit.pk))
    page.fill("#id_day", DAY.isoformat())
    page.select_option("#id_language", "zh-hans")
    page.click("#report-new button[type=submit]")
    page.wait_for_url(f"{base}/command/reports/")
    row = page.locator("#reports tbody tr").first
    row.locator("a.dl-pdf").wait_for()
    assert row.get_attribute("data-status") == "ready"
    assert DAY.isoformat() in row.inner_text()
    shoot(page, "command-reports")
    with page.expect_download() as info:
        row.locator("a.dl-pdf").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / "report.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], check=True,  # noqa: S603, S607
                              capture_output=True, text=True).stdout
        assert "示范市" in text and "第2区" in text
    done(page)

    report = SituationReport.objects.get()
    other = login(browser, base, "officer2")
    answer = other.goto(f"{base}/command/reports/{report.pk}/pdf/")
    assert answer is not None and answer.status == 404
    done(other)
