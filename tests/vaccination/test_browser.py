"""Vaccination in headless Chromium (Debian's): a site records a dose by ID number; the
district officer reads coverage by band, sees the map drawn and drills down to a grid; the
grid worker walks the door-to-door list and records a visit. The second district's officer
gets the not-found page for the first's unit.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.vaccination import doses
from fangkong.vaccination.models import Dose, Visit
from tests.factories import City
from tests.vaccination.builders import born, dose, freeze, grid_worker, officer, vaccinator
from tests.vaccination.conftest import seed_rules
from tests.web.browser import BROWSER, browser, done, login, shoot  # noqa: F401 (fixture)

pytestmark = BROWSER


@pytest.fixture
def people(city: City, transactional_db: None, monkeypatch: Any) -> dict[str, Any]:
    freeze(monkeypatch)
    seed_rules()
    d0 = city.districts[0].persons
    elderly = [born(d0[0], age=67), born(d0[1], age=83), born(d0[2], age=71)]
    site = vaccinator(city)
    doses.do_record_doses(actor=site, rows=[
        dose(elderly[2], number=1, on=dt.date(2021, 4, 1), product="AD5NCOV")])
    officer(city, 0)
    officer(city, 1)
    grid_worker(city, 0, 0)
    return {"elderly": elderly}


def test_record_read_coverage_and_visit(city: City, people: dict[str, Any], live_server: Any,
                                        browser: Any) -> None:  # noqa: F811 (the fixture)
    base = live_server.url
    first = people["elderly"][0]
    site = login(browser, base, "vac1")
    site.goto(f"{base}/vaccination/record/")
    site.fill("#id_id_number", first.id_number)
    site.select_option("#id_product", "CORONAVAC")
    site.fill("#id_dose_number", "1")
    site.fill("#id_given_on", "2021-05-10")
    site.fill("#id_site", "WX-07")
    shoot(site, "vaccination-record")
    site.click("#dose-form button[type=submit]")
    site.wait_for_selector("#last-dose")
    assert first.id_number[-4:] in site.inner_text("#last-dose")
    done(site)
    assert Dose.objects.filter(person=first).get().counts_as == 1

    office = login(browser, base, "officer0")
    office.goto(f"{base}/vaccination/")
    office.wait_for_selector("#vac-map[data-ready='1']")
    row = office.locator("#band-table tr[data-band='80+']")
    assert "1" in row.inner_text()
    assert "33.3 %" in office.inner_text("#elderly-kpi")  # 1 of 3 aged 60+ fully vaccinated
    shoot(office, "vaccination-coverage")
    office.locator("#unit-table a").first.click()  # the street
    office.locator("#unit-table a").first.click()  # the community
    office.wait_for_selector("#unit-table")
    office.locator("#unit-table tbody tr").first.locator("a").first.click()  # the grid
    office.wait_for_selector("#band-table")
    assert office.locator("#unit-table").count() == 0
    done(office)

    grid = login(browser, base, "grid00")
    grid.goto(f"{base}/vaccination/elderly/")
    listed = grid.locator("#elderly-list tbody tr")
    assert listed.count() == 2  # the 83-year-old and the 67-year-old; the 71-year-old is done
    target = grid.locator(f"#person-{first.pk}")
    assert first.phone in target.inner_text()  # a grid worker sees phones in full (audited)
    target.locator("select[name=outcome]").select_option("will_book")
    target.locator("input[name=note]").fill("周六上门预约")
    target.locator("button[type=submit]").click()
    grid.wait_for_selector(".msg.success")
    assert "will book" in grid.inner_text(f"#person-{first.pk} .last-visit")
    shoot(grid, "vaccination-door-list")
    done(grid)
    assert Visit.objects.get().person_id == first.pk

    other = login(browser, base, "officer1")
    answer = other.goto(f"{base}/vaccination/?unit={city.districts[0].unit.pk}")
    assert answer is not None and answer.status == 404
    done(other)
