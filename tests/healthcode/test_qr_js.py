"""``qr.js`` (the resident's phone draws the QR code of its token) against segno, module for
module, in Debian's Chromium: real signed tokens of every colour, flag set and pseudonym
length, and text of every version 1-40 in both modes it uses. Equal matrices mean whatever
read the server's drawing (the gate's camera, a door scanner) reads the phone's."""

from __future__ import annotations

import os
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from segno import consts

from fangkong.healthcode import tokens
from fangkong.healthcode.logic import COLOURS, POPUPS
from tests.web.browser import CHROMIUM

QR_JS = Path(__file__).resolve().parents[2] / "src/fangkong/healthcode/static/healthcode/qr.js"
ALNUM = string.digits + string.ascii_uppercase + " $%*+-./:"
SIGNER = Ed25519PrivateKey.generate()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                       reason="Debian chromium not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    """One blank page with qr.js loaded (no server: the encoder is pure)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        tab = chromium.new_page()
        tab.set_content("<!doctype html><title>qr</title>")
        tab.add_script_tag(content=QR_JS.read_text())
        yield tab
        chromium.close()


def drawn(page: Any, texts: list[str]) -> list[list[list[int]]]:
    return list(page.evaluate("(texts) => texts.map((t) => QRCode.matrix(t))", texts))


def reference(text: str) -> list[list[int]]:
    """segno with the encoder's fixed choices (what ``resident.qr_svg`` draws too)."""
    mode = "alphanumeric" if all(c in ALNUM for c in text) else "byte"
    code = segno.make(text, error="m", boost_error=False, micro=False, mode=mode)
    return [list(row) for row in code.matrix]


payloads = st.builds(
    tokens.TokenPayload,
    kid=st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12),
    pseudonym=st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1,
                      max_size=40),
    colour=st.sampled_from(COLOURS), flags=st.sets(st.sampled_from(POPUPS)).map(tuple),
    issued_at=st.integers(min_value=0, max_value=2**31), expires_at=st.just(2**32 - 1))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(payloads, min_size=1, max_size=5))
def test_tokens_draw_as_segno_draws_them(page: Any, batch: list[tokens.TokenPayload]) -> None:
    texts = [tokens.sign_token(p, SIGNER) for p in batch]
    assert drawn(page, texts) == [reference(t) for t in texts]


def fullest(version: int) -> int:
    """The most alphanumeric characters a version holds at level M (segno's capacity)."""
    capacity: dict[int, dict[int, int]] = consts.SYMBOL_CAPACITY  # type: ignore[assignment]
    bits = capacity[version][consts.ERROR_LEVEL_M] - 4
    bits -= 9 if version < 10 else 11 if version < 27 else 13
    return bits // 11 * 2 + (bits % 11 >= 6)


def test_every_version_and_both_modes(page: Any) -> None:
    texts = [ALNUM[v % 45] * fullest(v) for v in range(1, 41)]  # each version, full
    texts += [ALNUM[v] * (fullest(v) + 1) for v in (1, 9, 26)]  # one more: the next one
    texts += ["hello world", "健康码 ok", "x" * 2331, "https://example.org/v/AB12/"]
    versions = []
    for text, matrix in zip(texts, drawn(page, texts), strict=True):
        assert matrix == reference(text), text[:20]
        versions.append((len(matrix) - 17) // 4)
    assert versions[:43] == [*range(1, 41), 2, 10, 27]


def test_the_svg_is_the_matrix(page: Any) -> None:
    token = tokens.sign_token(tokens.TokenPayload(
        kid="k1", pseudonym="p" * 16, colour="red", flags=("pool_hold",), issued_at=1,
        expires_at=2), SIGNER)
    svg = page.evaluate("(t) => QRCode.svg(t, 4)", token)
    dark = sum(map(sum, reference(token)))
    assert svg.startswith("<svg") and svg.count("h4v4h-4z") == dark
    with pytest.raises(Exception, match="too long"):
        page.evaluate("() => QRCode.matrix('a'.repeat(3000))")
