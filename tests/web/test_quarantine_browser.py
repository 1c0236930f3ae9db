"""Quarantine in headless Chromium (Debian's), as the people who use it see it: a district
officer makes orders for two close contacts, applies the room plan, plans a transport batch
that departs and arrives; quarantine staff record a feverish daily check (the officer sees
its alert) and the test due today; release is refused while the centralised phase lasts,
and once the server's clock reaches its last day and that day's test is negative, the
person is released and the certificate opens. The second district's officer gets the
not-found page for the order.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from fangkong.core import clock
from fangkong.quarantine.models import (
    AlertKind,
    OrderStatus,
    QuarantineAlert,
    QuarantineOrder,
    TransportBatch,
)
from fangkong.quarantine.orders import today
from fangkong.registry.models import Person
from fangkong.tracing.models import Case, Contact
from tests.factories import City
from tests.quarantine.builders import make_facility, make_order, quarantine_users
from tests.web.browser import BROWSER, done, login, shoot

pytestmark = BROWSER
EXPOSED_DAYS_AGO = 4


@pytest.fixture
def people(city: City, rule_versions: None) -> dict[str, Any]:
    """The quarantine roles and a facility of district 1."""
    make_facility(unit=city.districts[0].unit, code="F1", rooms=4, family_rooms=0)
    return quarantine_users(city)


def _placed(row: Any, person: Person) -> None:
    row.district_id, row.street_id = person.district_id, person.street_id
    row.community_id, row.grid_id = person.community_id, person.grid_id


def _close_contacts(city: City) -> list[Person]:
    """A case in district 1's first grid and two close contacts from the second grid, last
    exposed ``EXPOSED_DAYS_AGO`` days ago."""
    now = clock.now()
    index, *contacts = (city.districts[0].persons[i] for i in (0, 3, 4))
    case = Case(person=index, classification="confirmed", sample_date=now.date(),
                result_at=now, confirmed_at=now, created_at=now)
    _placed(case, index)
    case.save()
    last = now - dt.timedelta(days=EXPOSED_DAYS_AGO)
    for person in contacts:
        contact = Contact(person=person, index_case=case, contact_type="close",
                          rule="household", first_exposure=last - dt.timedelta(hours=2),
                          last_exposure=last, identified_at=now)
        _placed(contact, person)
        contact.save()
    return contacts





def _order_and_move_in(page: Any, base: str, contacts: list[Person]) -> None:
    """Orders from the contacts, the room plan applied, a batch planned, departed, arrived."""
    page.goto(f"{base}/quarantine/orders/new")
    for person in contacts:
        page.check(f"#from-contacts input[aria-label='{person.name}']")
    page.click("#from-contacts button.primary")
    page.wait_for_url(f"{base}/quarantine/orders/")
    assert "2 orders made" in page.inner_text(".messages")
    page.goto(f"{base}/quarantine/assign/")
    summary = page.inner_text("#assign-summary")
    assert "2 people waiting: 2 placed by this plan, 0 left without a room" in summary
    assert page.locator("#placed tbody tr").count() == 2  # one room each
    page.click("#assign-apply button.primary")
    page.wait_for_url(f"{base}/quarantine/batches/")
    assert "2 people assigned a room; 0 still waiting" in page.inner_text(".messages")
    page.fill("#batch-form input[name=vehicle]", "陕A·D1234")
    assert page.locator("#batch-form input[name=order_ids]").count() == 2
    for box in page.locator("#batch-form input[name=order_ids]").all():
        box.check()
    page.click("#batch-form button.primary")
    page.wait_for_url(f"{base}/quarantine/batches/*/")
    page.click("form[action$='/depart/'] button")
    page.wait_for_selector("form[action$='/arrive/']")
    page.click("form[action$='/arrive/'] button")
    page.wait_for_selector("#batch-status:has-text('arrived')")
    assert page.inner_text("#riders").count("in a quarantine facility") == 2
    shoot(page, "quarantine-batch")


def _record_check(page: Any, temperature: str, *, symptom: str = "") -> None:
    page.fill("#check-form input[name=temperature]", temperature)
    if symptom:
        page.check(f"#check-form input[name=symptoms][value={symptom}]")
    page.click("#check-form button.primary")
    page.wait_for_selector(f"#checks td:has-text('{temperature}')")
    assert "Daily check recorded" in page.inner_text(".messages")


def _negative_result_due_today(page: Any) -> None:
    buttons = page.locator("#tests button[value=negative]")
    assert buttons.count() == 1  # the one test due today; later ones have no buttons yet
    buttons.click()
    page.wait_for_selector("#tests button[value=negative]", state="detached")
    assert "Test result recorded" in page.inner_text(".messages")


def test_orders_arrive_get_checked_and_are_released(city: City, people: dict[str, Any],
                                                    live_server: Any, browser: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    base = live_server.url
    contacts = _close_contacts(city)
    officer = login(browser, base, "officer1")
    _order_and_move_in(officer, base, contacts)
    order = QuarantineOrder.objects.get(person=contacts[0])
    assert order.status == OrderStatus.IN_FACILITY and order.room is not None
    assert TransportBatch.objects.get().vehicle == "陕A·D1234"

    # Today (day 4): a feverish check and the test due today.
    staff = login(browser, base, "staff1")
    staff.goto(f"{base}/quarantine/orders/{order.pk}/")
    _record_check(staff, "38.4", symptom="cough")
    assert "fever or symptoms" in staff.inner_text("#alerts")
    _negative_result_due_today(staff)
    officer.goto(f"{base}/quarantine/alerts/")
    assert officer.inner_text("#alert-kinds [data-kind=fever] b") == "1"
    row = officer.inner_text("#alerts tbody tr")
    assert "fever or symptoms" in row and contacts[0].name in row and "F1" in row
    assert QuarantineAlert.objects.get().kind == AlertKind.FEVER
    shoot(officer, "quarantine-alerts")
    officer.goto(f"{base}/quarantine/orders/{order.pk}/")
    officer.click("#release")
    officer.wait_for_selector(".messages .error")
    assert "the centralised phase lasts until" in officer.inner_text(".messages")

    # The server's clock reaches the last centralised day: its test, a check, the release.
    assert order.centralised_until is not None
    real_now, ahead = clock.now, order.centralised_until - today()
    assert ahead.days >= 1
    monkeypatch.setattr(clock, "now", lambda: real_now() + ahead)
    staff.goto(f"{base}/quarantine/orders/{order.pk}/")
    _record_check(staff, "36.6")
    _negative_result_due_today(staff)
    done(staff)
    officer.goto(f"{base}/quarantine/orders/{order.pk}/")
    officer.click("#release")
    officer.wait_for_selector(".messages .success")
    order.refresh_from_db()
    assert order.status == OrderStatus.AT_HOME and order.certificate_no
    assert "at home" in officer.inner_text("h1")
    officer.click(f"a[href$='/orders/{order.pk}/certificate']")
    officer.wait_for_selector("#certificate")
    certificate = officer.inner_text("#certificate")
    assert order.certificate_no in certificate and contacts[0].name in certificate
    assert str(order.centralised_until) in certificate
    shoot(officer, "quarantine-certificate")
    done(officer)
    connection.close()


def test_other_district_gets_not_found(city: City, people: dict[str, Any], live_server: Any,
                                       browser: Any) -> None:
    base = live_server.url
    person = city.districts[0].persons[0]
    order = make_order(person, exposure=clock.now() - dt.timedelta(days=1))
    page = login(browser, base, "officer2")
    response = page.goto(f"{base}/quarantine/orders/{order.pk}/")
    assert response.status == 404
    assert "Not found" in page.inner_text("h1") and person.name not in page.inner_text("main")
    page.goto(f"{base}/quarantine/orders/?status=all")
    assert person.name not in page.inner_text("main")
    done(page)
    connection.close()
