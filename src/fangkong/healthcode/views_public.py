"""Public health-code pages (no login): the published verification keys, which every gate
caches to verify codes offline, and a verifier page where anyone checks a code in their own
browser. Neither holds anything about a person: keys are public by design, and the verifier
runs entirely in the browser."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fangkong.healthcode.keys import keys_document

KEYS_MAX_AGE = 300  # seconds a gate, browser or proxy may reuse the keys before revalidating


def _etagged(request: HttpRequest, response: HttpResponse, body: bytes) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=KEYS_MAX_AGE)
    return response


@require_GET
def public_keys_json(request: HttpRequest) -> HttpResponse:
    """The published keys (active and recently retired); the ETag ignores the document's
    ``generated_at`` so an unchanged key set revalidates as 304."""
    document = keys_document()
    stable = json.dumps(document["keys"], sort_keys=True).encode("utf-8")
    response = HttpResponse(json.dumps(document), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return _etagged(request, response, stable)


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in ("zh-hans", "en") else translation.get_language() or "zh-hans"


def verdict_words() -> dict[str, str]:
    """What the verifier page says for each colour, pop-up and reason (in the request's
    language), handed to its script as JSON."""
    return {
        "green": _("Green: pass"), "yellow": _("Yellow: restricted"), "red": _("Red: stop"),
        "risk_link": _("linked to a risk"), "pool_hold": _("pooled test on hold"),
        "test_missing": _("test needed"), "none": _("none"),
        "malformed": _("Not a health code"), "unknown_key": _("Signed by an unknown key"),
        "bad_signature": _("Forged or altered code"), "expired": _("Expired code: refresh it"),
        "not_yet_valid": _("Code not yet valid: check the clock"),
        "unsupported": _("This browser cannot check signatures"),
        "nokeys": _("No keys saved yet: connect once to fetch them."),
        "network": _("Keys fetched from the server and saved for offline use."),
        "cache": _("Offline: using the saved keys."),
    }


@require_GET
def public_verify_page(request: HttpRequest) -> HttpResponse:
    """Check a code in the browser (keys cached for offline use); nothing is sent anywhere."""
    language = _language(request)
    with translation.override(language):
        response = render(request, "healthcode/public_verify.html",
                          {"words": verdict_words()})
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


urlpatterns: list[URLPattern] = [
    path("public/healthcode/keys.json", public_keys_json, name="public_healthcode_keys"),
    path("public/healthcode/verify/", public_verify_page, name="public_healthcode_verify"),
]
