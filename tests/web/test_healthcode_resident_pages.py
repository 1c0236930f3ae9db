"""The resident's pages (signed link, no login) and the staff pages around them: the code
page and its JSON, the appeal form, the check-in upload (JSON, shed under overload), the
venue page; appeals and venue posters for staff, 404 from the other district. In headless
Chromium: the page keeps showing the code offline, marks it expired, refreshes it when the
network returns, and a check-in typed offline waits on the phone and is uploaded once."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any

import pytest
from django.test import Client

from fangkong.healthcode import resident, shedding
from fangkong.healthcode.checkins import venue_code_url, venue_token
from fangkong.healthcode.keys import ensure_active_key
from fangkong.healthcode.models import Appeal, Checkin
from tests.factories import City, small_city
from tests.healthcode.builders_resident import item, make_override
from tests.web.browser import BROWSER


def _page(person: Any) -> str:
    return resident.resident_link(person)


def test_the_resident_page_shows_colour_reasons_and_code(city: City) -> None:
    ensure_active_key()
    person = city.districts[0].persons[0]
    make_override(person, colour="red")
    response = Client().get(_page(person) + "?lang=en")
    text = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert 'class="hc-code colour-red"' in text and "<svg" in text
    assert "Your colour was set by hand" in text and "It ends on" in text
    assert person.name not in text and person.name[0] + "*" in text
    data = Client().get(_page(person) + "code.json?lang=en").json()
    assert data["colour"] == "red" and data["token"].startswith("FK1")
    assert data["issued_at"] < data["refresh_at"] < data["expires_at"]


def test_a_bad_link_and_a_missing_key_answer_clearly(city: City) -> None:
    person = city.districts[0].persons[0]
    assert Client().get(_page(person)[:-3] + "x/?lang=en").status_code == 404
    assert Client().get(_page(person) + "code.json").status_code == 503  # no key yet
    page = Client().get(_page(person) + "?lang=en")
    assert page.status_code == 503 and "cannot be shown right now" in page.content.decode()


def test_an_appeal_from_the_page_is_stored_once(city: City) -> None:
    ensure_active_key()
    person = city.districts[0].persons[0]
    form = {"message": "I was never at that market", "client_key": "c" * 32}
    first = Client().post(_page(person) + "appeal/?lang=en", form)
    assert first.status_code == 302 and "appealed=1" in first["Location"]
    Client().post(_page(person) + "appeal/?lang=en", form)
    assert Appeal.objects.filter(person=person).count() == 1
    shown = Client().get(first["Location"]).content.decode()
    assert "I was never at that market" in shown and 'id="appeal-sent"' in shown
    empty = Client().post(_page(person) + "appeal/?lang=en", {**form, "message": ""})
    assert empty.status_code == 422 and Appeal.objects.count() == 1


def _upload(person: Any, body: Any) -> Any:
    return Client(enforce_csrf_checks=True).post(
        _page(person) + "checkins", data=json.dumps(body), content_type="application/json")


def test_check_ins_upload_as_json_once(city: City) -> None:
    person, venue = city.districts[0].persons[0], city.districts[1].venues[0]
    items = [item(venue), item(venue, token="3:forged")]
    answer = _upload(person, {"items": items})
    assert answer.status_code == 200
    assert answer.json()["stored"] == 1 and answer.json()["errors"][0]["index"] == 1
    assert _upload(person, {"items": items}).json()["duplicate"] == 1
    assert Checkin.objects.count() == 1
    assert _upload(person, {"items": []}).status_code == 422
    bad = Client().post(_page(person) + "checkins", data="{", content_type="application/json")
    assert bad.status_code == 400
    assert Client().post("/c/nope/checkins", data="{}",
                         content_type="application/json").status_code == 404


def test_an_overloaded_process_sheds_check_ins_with_503(city: City,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    person, venue = city.districts[0].persons[0], city.districts[0].venues[0]
    monkeypatch.setattr(shedding.GUARD, "try_enter", lambda: False)
    answer = _upload(person, {"items": [item(venue)]})
    assert answer.status_code == 503 and answer["Retry-After"]
    assert not Checkin.objects.exists()


def test_the_venue_page_and_a_forged_code(city: City) -> None:
    venue = city.districts[0].venues[0]
    page = Client().get(venue_code_url(venue) + "?lang=en")
    assert page.status_code == 200 and venue.name in page.content.decode()
    other = city.districts[1].venues[0]
    forged = f"/v/{other.pk}:{venue_token(venue).split(':', 1)[1]}/"
    assert Client().get(forged).status_code == 404


def test_appeals_page_in_scope_and_answer(city: City, officer1: Client,
                                          officer2: Client) -> None:
    ensure_active_key()
    person = city.districts[0].persons[0]
    Client().post(_page(person) + "appeal/", {"message": "wrong", "client_key": "k" * 16})
    appeal = Appeal.objects.get()
    listed = officer1.get("/healthcode/appeals/").content.decode()
    assert f'id="appeal-{appeal.pk}"' in listed
    assert f'id="appeal-{appeal.pk}"' not in officer2.get("/healthcode/appeals/").content.decode()
    url = f"/healthcode/appeals/{appeal.pk}/answer"
    assert officer2.post(url, {"answer": "no"}).status_code == 404
    assert officer1.post(url, {"answer": "Checked, fixed."}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.answer == "Checked, fixed." and appeal.status == "answered"


def test_venue_list_and_poster_in_scope(city: City, officer1: Client,
                                        officer2: Client) -> None:
    venue = city.districts[0].venues[0]
    poster = officer1.get(f"/healthcode/venues/{venue.pk}/poster").content.decode()
    assert "<svg" in poster and venue_token(venue) in poster
    assert officer2.get(f"/healthcode/venues/{venue.pk}/poster").status_code == 404
    assert venue.name in officer1.get("/healthcode/venues/").content.decode()
    assert venue.name not in officer2.get("/healthcode/venues/").content.decode()


# ---------------------------------------------------------------- in the browser


def browser_test(func: Any) -> Any:
    for mark in reversed(BROWSER):
        func = mark(func)
    return func


@pytest.fixture
def live_city(transactional_db: None, rule_versions: None) -> City:
    importlib.import_module("fangkong.healthcode.migrations.0002_policy_versions") \
        .add_versions(importlib.import_module("django.apps").apps, None)
    built = small_city()
    ensure_active_key()
    return built


@browser_test
def test_offline_the_code_stays_and_check_ins_wait(live_city: City, live_server: Any,
                                                   browser: Any) -> None:
    person, venue = live_city.districts[0].persons[0], live_city.districts[0].venues[0]
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + _page(person) + "?lang=en")
    first = page.locator("#hc-qr").get_attribute("data-token")
    assert page.locator("#hc-code").get_attribute("class") == "hc-code colour-green"
    context.set_offline(True)
    page.evaluate("""() => { const c = document.getElementById('hc-code');
        c.dataset.refreshAt = c.dataset.expiresAt = new Date(Date.now() - 1000).toISOString(); }""")
    page.locator("#hc-code.expired").wait_for()
    assert page.locator("#hc-qr svg").count() == 1  # still shown, only marked expired
    page.fill("#venue-code", live_server.url + venue_code_url(venue))
    page.click("#venue-form button")
    page.wait_for_function("() => document.getElementById('checkin-queue').dataset.count === '1'")
    assert not Checkin.objects.exists()
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.getElementById('checkin-queue').dataset.count === '0'")
    page.wait_for_function(
        "() => !document.getElementById('hc-code').classList.contains('expired')")
    # the server hands the same token out again while more than half its life is left
    assert page.locator("#hc-qr").get_attribute("data-token") == first
    assert page.evaluate("new Date(document.getElementById('hc-code').dataset.expiresAt)"
                         " > new Date()")
    row = Checkin.objects.get()
    assert (row.person_id, row.venue_id) == (person.pk, venue.pk)
    assert abs(row.ts - row.received_at) < dt.timedelta(minutes=1)
    page.reload()
    page.wait_for_timeout(300)
    assert Checkin.objects.count() == 1 and "recorded" not in page.locator(
        "#checkin-log").inner_text()
    context.close()


@browser_test
def test_a_poster_opened_by_the_camera_checks_in_through_the_residents_page(
        live_city: City, live_server: Any, browser: Any) -> None:
    person, venue = live_city.districts[0].persons[1], live_city.districts[1].venues[0]
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + _page(person) + "?lang=en")  # remembered on this phone
    page.goto(live_server.url + venue_code_url(venue))
    page.wait_for_url(lambda url: _page(person) in url)
    page.wait_for_function("() => document.getElementById('checkin-queue').dataset.count === '0'")
    page.locator("#checkin-log li").first.wait_for()
    assert Checkin.objects.get().venue_id == venue.pk
    assert "venue=" not in page.url
    context.close()
