"""Verification per core for bench_healthcode.py: ``tokens.verify_token`` (decode, key lookup,
Ed25519, key span, expiry) against the bare ``cryptography`` Ed25519 ``verify`` of the same
bytes, in one thread of one process; then ``verify.js`` in headless Chromium against a bare
WebCrypto ``verify`` of the same bytes in the same page. No database, no network."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fangkong.healthcode import tokens

ROOT = Path(__file__).resolve().parents[1]
VERIFY_JS = ROOT / "src" / "fangkong" / "healthcode" / "static" / "healthcode" / "verify.js"
CHROMIUM = Path("/usr/bin/chromium")
RAW = serialization.Encoding.Raw


def sample_token(now: int) -> tuple[str, bytes, bytes, Ed25519PrivateKey, dict[str, Any]]:
    """A realistic code (6-character kid, 16-character pseudonym, a pop-up flag), its signed
    bytes and signature, the key, and the published keys document of that key."""
    key = Ed25519PrivateKey.generate()
    payload = tokens.TokenPayload(kid="k" + secrets.token_urlsafe(4)[:5],
                                  pseudonym=secrets.token_urlsafe(12), colour="yellow",
                                  flags=("test_missing",), issued_at=now - 60,
                                  expires_at=now + 300)
    token = tokens.sign_token(payload, key)
    _, data, signature = tokens.decode_token(token)
    public = base64.urlsafe_b64encode(key.public_key().public_bytes(
        RAW, serialization.PublicFormat.Raw)).decode().rstrip("=")
    document = {"format": tokens.PREFIX, "algorithm": tokens.ALGORITHM,
                "keys": [{"kid": payload.kid, "algorithm": tokens.ALGORITHM,
                          "public_key": public, "valid_from": None, "retired_at": None}]}
    return token, data, signature, key, document


def per_second(work: Callable[[], object], seconds: float) -> tuple[float, int]:
    """Calls per second of ``work`` over about ``seconds`` (batches of 200 between clocks)."""
    done, began = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds:
        for _ in range(200):
            work()
        done += 200
    return done / elapsed, done


def python_cases(seconds: float) -> list[dict[str, Any]]:
    now = int(time.time())
    token, data, signature, key, document = sample_token(now)
    published = tokens.public_keys_from_json(document)
    assert tokens.verify_token(token, public_keys=published, now=now).valid
    verifier = key.public_key()
    raw_public = verifier.public_bytes(RAW, serialization.PublicFormat.Raw)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    cases = [
        ("ours: verify_token (valid code)",
         lambda: tokens.verify_token(token, public_keys=published, now=now)),
        ("ours: verify_token (altered code, rejected)",
         lambda: tokens.verify_token(forged, public_keys=published, now=now)),
        ("baseline: cryptography Ed25519 verify, key loaded",
         lambda: verifier.verify(signature, data)),
        ("baseline: cryptography Ed25519 load key + verify",
         lambda: Ed25519PublicKey.from_public_bytes(raw_public).verify(signature, data)),
    ]
    rows = []
    for name, work in cases:
        rate, n = per_second(work, seconds)
        rows.append({"engine": "python", "case": name, "per_s": rate, "n": n,
                     "token_chars": len(token)})
    return rows


JS_LOOP = """async ([token, doc, now, n, bare]) => {
  let key = null, data = null, signature = null;
  if (bare) {
    const raw = Uint8Array.from(atob(doc.keys[0].public_key.replace(/-/g, '+')
        .replace(/_/g, '/') + '='), c => c.charCodeAt(0));
    key = await crypto.subtle.importKey('raw', raw, {name: 'Ed25519'}, false, ['verify']);
    data = Uint8Array.from(atob(bare[0]), c => c.charCodeAt(0));
    signature = Uint8Array.from(atob(bare[1]), c => c.charCodeAt(0));
  }
  let ok = 0;
  const began = performance.now();
  for (let i = 0; i < n; i++) {
    if (bare) { if (await crypto.subtle.verify({name: 'Ed25519'}, key, signature, data)) ok++; }
    else { if ((await FangkongCode.verify(token, {keys: doc, now: now})).valid) ok++; }
  }
  return [ok, performance.now() - began];
}"""


def browser_cases(count: int) -> list[dict[str, Any]]:
    """verify.js and bare WebCrypto, sequential awaits in one page (one renderer thread)."""
    if not CHROMIUM.exists():
        return [{"engine": "chromium", "case": "skipped: /usr/bin/chromium not installed",
                 "per_s": None, "n": 0}]
    from playwright.sync_api import sync_playwright

    now = int(time.time())
    token, data, signature, _, document = sample_token(now)
    bare = [base64.b64encode(data).decode(), base64.b64encode(signature).decode()]
    rows = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = chromium.new_page()
        page.goto(VERIFY_JS.parent.as_uri() + "/")  # a file:// page is a secure context
        page.add_script_tag(path=str(VERIFY_JS))
        for name, extra in (("ours: verify.js FangkongCode.verify", None),
                            ("baseline: WebCrypto Ed25519 verify, key imported", bare)):
            page.evaluate(JS_LOOP, [token, document, now * 1000, 50, extra])  # warm up
            ok, ms = page.evaluate(JS_LOOP, [token, document, now * 1000, count, extra])
            assert ok == count, (name, ok)
            rows.append({"engine": "chromium", "case": name, "per_s": count / (ms / 1000),
                         "n": count})
        chromium.close()
    return rows
