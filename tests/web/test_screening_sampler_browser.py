"""A sampler's phone in headless Chromium (Debian's): pick the site, open a tube, scan
residents, seal and upload; a resident scanned twice and one sampled elsewhere are refused at
the table; then offline: scan (a visitor too) and seal, come back online, the batch uploads,
its first answer is lost on the way back, the phone sends it again, and the database holds
it once. A person sampled by another device meanwhile comes back in the list to fix.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep a picture of the phone's page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from fangkong.core import clock
from fangkong.core.jurisdiction import actor_for
from fangkong.registry.models import Person
from fangkong.testing.actions_sampling import Batch, Event
from fangkong.testing.ingest import store_batch
from fangkong.testing.models import Sample, ScanBatch, Tube
from tests.factories import PASSWORD, City, id_number
from tests.testing.builders import Round, make_round
from tests.web.browser import BROWSER

pytestmark = BROWSER


@pytest.fixture
def rnd(city: City) -> Round:
    return make_round(city)




def _sampled_elsewhere(rnd: Round, person: Person, key: str) -> None:
    """Another device at the neighbouring site swabs ``person``."""
    tube = rnd.tubes[rnd.sites[1].pk][0]
    event = Event(type="scan", tube=tube.code, at=clock.now(), id_number=person.id_number or "")
    store_batch(actor=actor_for(rnd.users["sampler1"]),
                batch=Batch(client_key=key, campaign_id=rnd.campaign.pk,
                            site_id=rnd.sites[1].pk, events=[event]))


def _scan(page: Any, number: str) -> str:
    said = page.get_attribute("#answer", "data-said") or "0"
    page.fill("#id_number", number)
    page.press("#id_number", "Enter")
    page.wait_for_function(f"() => document.querySelector('#answer').dataset.said !== '{said}'")
    return str(page.inner_text("#answer"))


def _open(page: Any, code: str) -> None:
    page.fill("#tube", code)
    page.press("#tube", "Enter")
    page.wait_for_selector("#current:not([hidden])")


def test_sampler_scans_seals_and_uploads_offline_once(rnd: Round, live_server: Any,
                                                      browser: Any) -> None:
    base = live_server.url
    site = rnd.sites[0]
    a, b, c = rnd.city.districts[0].persons[:3]
    d, e, f = rnd.city.districts[0].persons[3:6]
    visitor = id_number(321, area="110105", birth="19920214")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{base}/login/?next=/screening/sampler/")
    page.fill("input[name=username]", "sampler1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/screening/sampler/")
    assert page.inner_text("#net") == "Online"
    page.select_option("#site", str(site.pk))
    page.wait_for_selector("#tube-card[data-tubes='5']")

    # Online: unknown tube, two residents, the first again (refused on the phone), seal.
    page.fill("#tube", "NOT-A-TUBE")
    page.press("#tube", "Enter")
    page.wait_for_selector("#answer.bad")
    assert "NOT-A-TUBE" in page.inner_text("#answer")
    first = rnd.tubes[site.pk][0]
    _open(page, first.code)
    assert "*" in _scan(page, a.id_number or "")
    _scan(page, b.id_number or "")
    assert page.inner_text("#counter") == "2/10"
    twice = _scan(page, a.id_number or "")
    assert "already scanned on this phone" in twice and page.inner_text("#counter") == "2/10"
    assert page.get_attribute("#answer", "class") == "answer bad"
    page.click("#seal")
    page.wait_for_function(
        "() => document.querySelector('#queue').textContent.includes('uploaded')")
    assert {s.person_id for s in Sample.objects.filter(tube=first)} == {a.pk, b.pk}
    assert Tube.objects.get(pk=first.pk).status == "sealed"

    # A resident sampled at another table is refused at this one (live lookup).
    _sampled_elsewhere(rnd, c, "other-device-0001")
    second = rnd.tubes[site.pk][1]
    _open(page, second.code)
    refused = _scan(page, c.id_number or "")
    assert "already sampled in this round" in refused and c.name not in refused
    assert page.inner_text("#counter") == "0/10"

    # Offline: two residents and a visitor; meanwhile another device swabs one of them.
    context.set_offline(True)
    page.wait_for_function("() => document.querySelector('#net').textContent.startsWith('Offline')")
    assert "offline" in _scan(page, d.id_number or "")
    _scan(page, e.id_number or "")
    page.click("#visitor summary")
    page.fill("#visitor_name", "过路客")
    page.fill("#visitor_phone", "13900001111")
    _scan(page, visitor)
    _scan(page, f.id_number or "")
    assert page.inner_text("#counter") == "4/10"
    page.click("#seal")
    page.wait_for_function("() => document.querySelector('#queue').textContent.includes('waiting')")
    assert not Sample.objects.filter(tube=second).exists()
    _sampled_elsewhere(rnd, f, "other-device-0002")

    # Back online: the first answer is lost on its way back; the phone sends the batch again.
    lost: list[int] = []

    def lose_first_answer(route: Any) -> None:
        if not lost:
            # The server stores it (no keep-alive: its thread must not outlive the test)...
            lost.append(route.fetch(headers={**route.request.headers,
                                             "connection": "close"}).status)
            route.abort()  # ...and the phone never hears
        else:
            route.continue_()

    page.route("**/sampling/batches", lose_first_answer)
    context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelector('#queue').textContent.includes('uploaded')",
        timeout=20000)
    assert lost == [200]
    assert "already been stored" in page.inner_text("#log")  # the resend's answer
    mine = ScanBatch.objects.filter(site=site, sampler=rnd.users["sampler1"])
    assert mine.count() == 2
    stored = {s.person_id for s in Sample.objects.filter(tube=second)}
    guest = Person.objects.get(id_number=visitor)
    assert stored == {d.pk, e.pk, guest.pk} and guest.temporary
    assert Tube.objects.get(pk=second.pk).members == 3
    if os.environ.get("FANGKONG_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["FANGKONG_SCREENSHOTS"]) / "sampler.png"),
                        full_page=True)
    fix = page.locator("#fix li[data-code='already_sampled']")
    assert fix.count() == 1 and second.code in fix.inner_text()
    fix.locator("button").click()
    assert page.locator("#fix li[data-code='already_sampled']").count() == 0
    page.wait_for_load_state("networkidle")  # no request left running into the teardown
    context.close()
    connection.close()  # ORM calls made while Playwright runs may hold their own connection


def test_sampler_page_needs_the_right_and_speaks_chinese(rnd: Round, live_server: Any,
                                                         browser: Any) -> None:
    base = live_server.url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/?next=/screening/sampler/")
    page.fill("input[name=username]", "grid1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state()
    assert "/screening/sampler/" in page.url
    assert page.locator("#sampler").count() == 0  # 403: a grid worker does not sample
    context.close()
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/?next=/screening/sampler/")
    page.fill("input[name=username]", "sampler2")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/screening/sampler/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    options = page.locator("#site option").all_inner_texts()
    assert any("S21" in o for o in options) and not any("S11" in o for o in options)
    page.wait_for_load_state("networkidle")
    context.close()
