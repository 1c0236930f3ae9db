"""A door's phone in headless Chromium (Debian's): the gate page verifies codes on the device
and shows PASS / CHECK / STOP with the reason (never who it is); forged, expired and
wrong-key codes stop; a fever stops. Then the network is cut: the page reloads from its
service worker, scans go on and queue; back online the server is shedding load (503), the
scans stay queued, and are uploaded once it has room: stored once, admitted ones checked in.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep a picture of the phone's page."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.signals import request_started
from django.db import connection

from fangkong.core import clock
from fangkong.healthcode.keys import do_generate_key
from fangkong.healthcode.models import Checkin, GateScan, PersonCode
from fangkong.healthcode.shedding import GUARD
from fangkong.healthcode.tokens import TokenPayload, epoch, sign_token
from tests.factories import PASSWORD, City
from tests.healthcode.builders_gate import gate_users, make_code, signed_token
from tests.web.browser import BROWSER

pytestmark = BROWSER


def _scan(page: Any, token: str, temperature: str = "") -> tuple[str, str, str]:
    said = page.get_attribute("#verdict", "data-said") or "0"
    if temperature:
        page.fill("#temperature", temperature)
    page.fill("#token", token)
    page.press("#token", "Enter")
    page.wait_for_function(f"() => document.querySelector('#verdict').dataset.said !== '{said}'")
    return (str(page.get_attribute("#verdict", "data-result")),
            str(page.get_attribute("#verdict", "data-reason")),
            str(page.inner_text("#verdict")))


def _queued(page: Any, count: int) -> None:
    page.wait_for_selector(f"#queued[data-count='{count}']", timeout=20000)


def _wrong_key_token(code: PersonCode) -> str:
    issued = epoch(clock.now())
    payload = TokenPayload(kid="nokey1", pseudonym=code.pseudonym, colour="green", flags=(),
                           issued_at=issued, expires_at=issued + 1800)
    return sign_token(payload, Ed25519PrivateKey.generate())


def _forged(token: str) -> str:
    """One character of the signature changed (still canonical base32)."""
    at = len(token) - 10
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]


@pytest.fixture
def codes(city: City) -> dict[str, Any]:
    key = do_generate_key(now=clock.now() - dt.timedelta(hours=3))
    a, b, c, d = city.districts[0].persons[:4]
    made = {"green": make_code(a), "yellow": make_code(b, colour="yellow"),
            "red": make_code(c, colour="red"),
            "popup": make_code(d, flags=["test_missing"])}
    tokens = {name: signed_token(code, key) for name, code in made.items()}
    tokens["expired"] = signed_token(made["green"], key,
                                     now=clock.now() - dt.timedelta(hours=2))
    tokens["forged"] = _forged(tokens["green"])
    tokens["wrong_key"] = _wrong_key_token(made["green"])
    return {"codes": made, "tokens": tokens, "people": (a, b, c, d)}


def _open_gate(page: Any, base: str, venue_id: int) -> None:
    page.goto(f"{base}/login/?next=/healthcode/gate/")
    page.fill("input[name=username]", "door1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/healthcode/gate/")
    page.wait_for_selector("#gate[data-offline-ready='1']", timeout=20000)
    page.wait_for_function("() => document.querySelector('#keys').textContent.includes('Keys: 1,')")
    assert page.inner_text("#net") == "Online"
    page.select_option("#venue", str(venue_id))


@pytest.mark.usefixtures("rule_versions")
def test_gate_verifies_offline_queues_and_uploads_through_shedding(
        city: City, codes: dict[str, Any], live_server: Any, browser: Any,
        settings: Any) -> None:
    settings.HEALTHCODE_RETRY_AFTER_S = 1
    gate_users(city)
    venue = city.districts[0].venues[0]
    tokens = codes["tokens"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    _open_gate(page, live_server.url, venue.pk)

    # Online: every kind of code, decided on the phone.
    assert _scan(page, tokens["green"])[:2] == ("pass", "green")
    _queued(page, 0)
    assert GateScan.objects.filter(result="pass").count() == 1
    assert Checkin.objects.filter(person=codes["people"][0], source="gate").count() == 1
    result, reason, words = _scan(page, tokens["red"])
    assert (result, reason) == ("stop", "red") and "STOP" in words and "Red code" in words
    result, reason, words = _scan(page, tokens["yellow"])
    assert (result, reason) == ("stop", "restricted") and "CHECK" in words
    assert _scan(page, tokens["popup"])[1] == "popup"
    assert _scan(page, tokens["forged"])[1] == "bad_signature"
    assert _scan(page, tokens["expired"])[1] == "expired"
    assert _scan(page, tokens["wrong_key"])[1] == "unknown_key"
    assert _scan(page, "HELLO")[1] == "malformed"
    result, reason, words = _scan(page, tokens["green"], temperature="38.2")
    assert (result, reason) == ("stop", "fever") and "38.2" in words and "37.3" in words
    _queued(page, 0)
    assert GateScan.objects.count() == 9 and Checkin.objects.count() == 1
    content = page.content()
    assert not any(p.name in content or (p.id_number or "-") in content
                   for p in codes["people"])  # the door never learns who it is

    # Offline: the page reloads from the service worker and goes on deciding and queueing.
    reached: list[str] = []

    def note(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        reached.append(str(environ.get("PATH_INFO")))

    context.set_offline(True)
    request_started.connect(note)
    page.reload()
    page.wait_for_selector("#venue")
    page.wait_for_function("() => document.querySelector('#net').textContent === 'Offline'")
    assert page.input_value("#venue") == str(venue.pk)  # chosen once, remembered
    page.check("#admits-yellow")
    assert _scan(page, tokens["yellow"])[:2] == ("pass", "restricted_admitted")
    assert _scan(page, tokens["green"])[:2] == ("pass", "green")
    assert _scan(page, tokens["red"])[:2] == ("stop", "red")
    _queued(page, 3)
    request_started.disconnect(note)
    assert reached == [] and GateScan.objects.count() == 9  # the server heard nothing

    # Back online while the server sheds load: the scans stay queued, then go once.
    GUARD.in_flight = 10**6
    try:
        context.set_offline(False)
        page.wait_for_selector("#message:not([hidden])", timeout=20000)
        assert "busy" in page.inner_text("#message")
        _queued(page, 3)
    finally:
        GUARD.in_flight = 0
    _queued(page, 0)
    assert GateScan.objects.count() == 12
    assert Checkin.objects.filter(source="gate").count() == 3  # green twice, yellow admitted
    assert GUARD.shed_total >= 1
    if os.environ.get("FANGKONG_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["FANGKONG_SCREENSHOTS"]) / "gate.png"),
                        full_page=True)
    # Nothing is left to send (the queue is empty); "networkidle" never comes after an offline
    # reload (a request the service worker failed offline stays open for Playwright).
    context.close()
    connection.close()
