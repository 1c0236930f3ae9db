"""``verify.js`` in headless Chromium (Debian's): a code issued by the server verifies in the
browser with WebCrypto Ed25519; forged, altered, expired, not-yet-valid and wrong-key codes
fail with the same reasons as the Python verifier; and with the network cut off the public
verifier page still checks codes against the keys it cached."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fangkong.healthcode import keys, tokens
from fangkong.healthcode.issue import IssuedCode, do_issue_code
from tests.factories import City
from tests.healthcode.builders_tokens import make_code
from tests.web.browser import BROWSER, browser  # noqa: F401 (the fixture)

pytestmark = BROWSER
VERIFY = "/public/healthcode/verify/?lang=en"


@pytest.fixture
def issued(city: City) -> IssuedCode:
    """A yellow code with a pop-up, signed by the active key (the rule versions seeded again:
    a live-server test flushes the tables the data migration filled)."""
    from django.apps import apps

    importlib.import_module("fangkong.healthcode.migrations.0002_policy_versions").add_versions(
        apps, None)
    keys.do_generate_key(now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    person = city.districts[0].persons[0]
    make_code(person, colour="yellow", flags=("test_missing",))
    return do_issue_code(person_id=person.pk)


@pytest.fixture
def published(issued: IssuedCode) -> dict[str, tokens.PublicKey]:
    """The keys as the server publishes them, read before the browser starts (a query inside
    Playwright's greenlet would open a second connection that outlives the test)."""
    return keys.public_keys()


def _shoot(page: Any, name: str) -> None:
    folder = os.environ.get("FANGKONG_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _open(browser: Any, base: str) -> tuple[Any, Any]:  # noqa: F811 (the fixture's name)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(base + VERIFY)
    page.wait_for_selector("#keys-state[data-source=network]")
    return context, page


def _done(context: Any, page: Any) -> None:
    """Close once nothing is in flight (the live server's threads hold connections)."""
    page.wait_for_load_state("networkidle")
    context.close()


JS_VERIFY = """([token, now]) => FangkongCode.verify(token,
    {keys: FangkongCode.cachedKeys().document, now: now === null ? undefined : now})"""


def _js(page: Any, token: str, now: dt.datetime | None = None) -> dict[str, Any]:
    at = None if now is None else now.timestamp() * 1000
    return dict(page.evaluate(JS_VERIFY, [token, at]))


def _forged(issued: IssuedCode, **changes: Any) -> str:
    """The issued payload, changed and signed by a key the server never made."""
    fields = {**issued.payload.__dict__, **changes}
    return tokens.sign_token(tokens.TokenPayload(**fields), Ed25519PrivateKey.generate())


def test_codes_verify_in_the_browser_as_on_the_server(issued: IssuedCode, live_server: Any,
                                                     browser: Any) -> None:  # noqa: F811
    context, page = _open(browser, live_server.url)
    p = issued.payload
    valid = _js(page, issued.token)
    assert valid == {"valid": True, "reason": "", "colour": "yellow", "flags": ["test_missing"],
                     "pseudonym": p.pseudonym, "kid": p.kid, "issuedAt": p.issued_at,
                     "expiresAt": p.expires_at}
    assert _js(page, _forged(issued, colour="green"))["reason"] == "bad_signature"
    assert _js(page, _forged(issued, kid="nokey1"))["reason"] == "unknown_key"
    assert _js(page, "FK1" + "A" * 40)["reason"] == "malformed"
    after = dt.datetime.fromtimestamp(p.expires_at, tz=dt.UTC)
    assert _js(page, issued.token, now=after)["reason"] == "expired"
    assert _js(page, issued.token, now=after - dt.timedelta(seconds=1))["valid"]
    early = dt.datetime.fromtimestamp(p.issued_at - tokens.CLOCK_SKEW_SECONDS - 1, tz=dt.UTC)
    assert _js(page, issued.token, now=early)["reason"] == "not_yet_valid"
    _done(context, page)


def test_every_altered_character_fails_with_the_python_reason(
        issued: IssuedCode, published: dict[str, tokens.PublicKey], live_server: Any,
        browser: Any) -> None:  # noqa: F811
    context, page = _open(browser, live_server.url)
    now = dt.datetime.now(dt.UTC)
    token, alphabet = issued.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    variants = [token[:at] + alphabet[(alphabet.index(token[at]) + 7) % 32] + token[at + 1:]
                for at in range(3, len(token), 5)]
    variants += [token[:-1], token + "A", token.lower(), token[:60]]
    js = page.evaluate("""([list, now]) => Promise.all(list.map(t => FangkongCode.verify(t,
        {keys: FangkongCode.cachedKeys().document, now: now})))""",
                       [variants, now.timestamp() * 1000])
    python = [tokens.verify_token(v, public_keys=published, now=now) for v in variants]
    assert [(r["valid"], r["reason"]) for r in js] == [(r.valid, r.reason) for r in python]
    assert sum(r.valid for r in python) == 1  # the lower-case copy only
    _done(context, page)


def test_the_verifier_page_works_offline_with_the_cached_keys(
        issued: IssuedCode, live_server: Any, browser: Any) -> None:  # noqa: F811
    context, page = _open(browser, live_server.url)
    context.set_offline(True)
    state = page.evaluate("() => FangkongCode.loadKeys('/public/healthcode/keys.json')"
                          ".then(k => k && k.source)")
    assert state == "cache"
    page.fill("#token", issued.token)
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verdict[data-colour=yellow]")
    assert "Yellow" in page.inner_text("#verdict")
    assert "test needed" in page.inner_text("#facts")
    _shoot(page, "healthcode-verify-offline")
    page.fill("#token", _forged(issued, colour="green"))
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verdict[data-reason=bad_signature]")
    assert "Forged" in page.inner_text("#verdict")
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#keys-state[data-source=network]")
    _done(context, page)
