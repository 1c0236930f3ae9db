"""Risk areas in headless Chromium (Debian's), as the people who use them see them: a district
officer designates a grid as sealed (a missing reason is refused on its field first), adds a
gate, finds the area on the list and on the public notice; a resident files a request through
the household's signed link, a grid worker files another on the board, a volunteer takes it
and marks it done, and the officer and the resident see it done. An exit pass issued on the
area's passes page is let through at its own gate and stopped at another area's gate. The
second district's officer gets the not-found page for the first district's area.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from fangkong.risk.models import RequestStatus, RiskArea, SupplyRequest
from tests.factories import City, make_user
from tests.risk.builders import make_area, make_gate, risk_users
from tests.web.browser import BROWSER, done, login, shoot

pytestmark = BROWSER


@pytest.fixture
def people(city: City, rule_versions: None) -> dict[str, Any]:
    """The risk roles of district 1 (and district 2's officer), plus a gate keeper of the
    whole district, who may open the gates of any of its areas."""
    users = risk_users(city)
    users["keeper"] = make_user("keeper", unit=city.districts[0].unit, roles=["gate_keeper"])
    return users





def _designate(page: Any, base: str, city: City) -> RiskArea:
    grid = city.districts[0].grids[0]
    page.goto(f"{base}/risk/areas/new")
    page.select_option("#designate-form select[name=level]", "sealed")
    page.select_option("#designate-form select[name=unit_id]", str(grid.pk))
    page.fill("#designate-form input[name=name]", "幸福路一网格")
    page.click("#designate-form button.primary")
    page.wait_for_selector("#designate-form .field-error")  # no reason given
    assert not RiskArea.objects.exists()
    page.fill("#designate-form textarea[name=reason]", "两例确诊病例居住于此")
    page.click("#designate-form button.primary")
    page.wait_for_url(f"{base}/risk/areas/*/")
    area = RiskArea.objects.get(unit=grid)
    head = page.inner_text("h1")
    assert area.code in head and "sealed" in head
    assert "designated" in page.inner_text(".messages")
    page.fill("#gate-form input[name=name]", "North gate")
    page.click("#gate-form button[type=submit]")
    page.wait_for_selector("#gates li:has-text('North gate')")
    shoot(page, "risk-area")
    return area


def _public_notice(browser: Any, base: str, area: RiskArea) -> None:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{base}/public/risk-areas/?lang=en")
    sealed = page.inner_text("#level-sealed")
    assert area.code in sealed and "幸福路一网格" in sealed
    assert "None at present" in page.inner_text("#level-precaution")
    assert "两例确诊" not in page.inner_text("body")  # the reason stays internal
    shoot(page, "risk-public")
    done(page)


def _resident_request(browser: Any, link: str) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{link}?lang=en")
    page.check("input[name=kind][value=medicine]")
    page.fill("textarea[name=details]", "blood pressure tablets")
    page.click("#resident-form button.primary")
    page.wait_for_selector("#sent")
    mine = page.inner_text("#my-requests")
    assert "medicine" in mine and "blood pressure tablets" in mine
    done(page)


def _volunteer_delivers(browser: Any, base: str, req: SupplyRequest) -> None:
    page = login(browser, base, "volunteer1")
    page.goto(f"{base}/risk/requests/")
    row = f"#request-{req.pk}"
    assert page.locator(f"{row} select[name=assignee_id] option").all_inner_texts() == ["me"]
    page.click(f"{row} form[action$='/assign/'] button")
    page.wait_for_selector(f"{row}:has-text('volunteer1')")
    assert "assigned" in page.inner_text(row)
    page.click(f"{row} details:has(form[action$='/complete/']) summary")  # folded in the row
    page.fill(f"{row} form[action$='/complete/'] input[name=text]", "rice and vegetables")
    page.click(f"{row} form[action$='/complete/'] button")
    page.wait_for_selector(f"{row}:has-text('rice and vegetables')")
    assert "done" in page.inner_text(row)
    done(page)


def test_designate_then_requests_are_filed_taken_and_done(city: City, people: dict[str, Any],
                                                          live_server: Any,
                                                          browser: Any) -> None:
    base = live_server.url
    household = city.districts[0].households[0]
    officer = login(browser, base, "officer1")
    area = _designate(officer, base, city)
    officer.goto(f"{base}/risk/areas/")
    assert area.code in officer.inner_text("main")
    _public_notice(browser, base, area)

    # The officer makes the household's link; the resident files a request through it.
    officer.goto(f"{base}/risk/households/{household.pk}/")
    officer.click("#resident-link button.primary")
    link = officer.input_value("#link-value")
    assert "/r/h/" in link
    _resident_request(browser, link)

    # A grid worker files one on the board for the same household.
    worker = login(browser, base, "grid1")
    worker.goto(f"{base}/risk/requests/")
    worker.select_option("#request-form select[name=household_id]", str(household.pk))
    worker.select_option("#request-form select[name=kind]", "groceries")
    worker.fill("#request-form textarea[name=details]", "5 kg rice")
    worker.click("#request-form button.primary")
    worker.wait_for_selector(".messages .success")
    groceries = SupplyRequest.objects.get(kind="groceries")
    assert (groceries.household_id, groceries.area_id) == (household.pk, area.pk)
    done(worker)

    _volunteer_delivers(browser, base, groceries)
    assert SupplyRequest.objects.get(pk=groceries.pk).status == RequestStatus.DONE

    officer.goto(f"{base}/risk/requests/?status=done")
    row = officer.inner_text(f"#request-{groceries.pk}")
    assert "done" in row and "volunteer1" in row and "rice and vegetables" in row
    assert officer.locator("#requests tbody tr").count() == 1  # the medicine is still open
    shoot(officer, "risk-requests")
    resident = browser.new_context(locale="en-US").new_page()
    resident.goto(f"{link}?lang=en")
    assert "rice and vegetables" in resident.inner_text("#my-requests")
    done(resident)
    done(officer)
    connection.close()


def _check(page: Any, base: str, gate_id: int, token: str) -> str:
    page.goto(f"{base}/risk/gates/{gate_id}/")
    page.fill("#token", token)
    page.press("#token", "Enter")
    page.wait_for_selector("#verdict")
    return str(page.get_attribute("#verdict", "class"))


def test_exit_pass_opens_its_own_gate_only(city: City, people: dict[str, Any],
                                           live_server: Any, browser: Any) -> None:
    base = live_server.url
    d1 = city.districts[0]
    area = make_area(unit=d1.grids[0], code="RA-0001")
    other = make_area(unit=d1.grids[1], code="RA-0002")
    own_gate, other_gate = make_gate(area, name="东门"), make_gate(other, name="西门")
    officer = login(browser, base, "officer1")
    officer.goto(f"{base}/risk/areas/{area.pk}/passes/")
    officer.select_option("#pass-form select[name=household_id]", str(d1.households[0].pk))
    officer.select_option("#pass-form select[name=purpose]", "medical")
    officer.click("#pass-form button.primary")
    officer.wait_for_selector("#pass .qr svg")
    token = officer.inner_text("#pass .token").strip()
    assert d1.households[0].address in officer.inner_text("#pass")
    shoot(officer, "risk-pass")
    done(officer)

    keeper = login(browser, base, "keeper")
    verdict = _check(keeper, base, own_gate.pk, token)
    assert "go" in verdict and "PASS" in keeper.inner_text("#verdict")
    verdict = _check(keeper, base, other_gate.pk, token)
    assert "stop" in verdict
    said = keeper.inner_text("#verdict")
    assert "STOP" in said and "not a gate of this pass's area" in said
    assert "not a gate" in keeper.inner_text("#recent li:first-child")
    shoot(keeper, "risk-gate-stop")
    verdict = _check(keeper, base, own_gate.pk, token[:-2] + "xx")
    assert "stop" in verdict and "signature invalid" in keeper.inner_text("#verdict")
    done(keeper)
    connection.close()


def test_other_district_gets_not_found(city: City, people: dict[str, Any], live_server: Any,
                                       browser: Any) -> None:
    base = live_server.url
    area = make_area(unit=city.districts[0].grids[0], code="RA-0001")
    page = login(browser, base, "officer2")
    response = page.goto(f"{base}/risk/areas/{area.pk}/")
    assert response.status == 404
    assert "Not found" in page.inner_text("h1") and area.name not in page.inner_text("main")
    response = page.goto(f"{base}/risk/areas/{area.pk}/passes/")
    assert response.status == 404
    page.goto(f"{base}/risk/areas/?status=")
    assert area.code not in page.inner_text("main")
    done(page)
    connection.close()
