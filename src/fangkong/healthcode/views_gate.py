"""The door device's page (a phone or a kiosk): pick the venue once, then scan code after code.

Everything a scan needs happens on the device: ``verify.js`` checks the signature and expiry
against the cached public keys, ``gate.js`` shows PASS / CHECK / STOP with the reason (never
who the person is), queues the event in localStorage and uploads batches when the network is
there. ``gate-sw.js`` (served here, so its scope is the page) keeps the page and its assets so a
reload works with no network. The fever threshold is the quarantine rules' (dated data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fangkong.core import clock
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.healthcode.gate import REASONS
from fangkong.quarantine.policy import quarantine_rules
from fangkong.registry.models import Venue
from fangkong.web.access import actor_of, needs

VENUE_LIMIT = 2000  # a door user sits at a grid or community; a district's list is long
SW_STATIC = "healthcode/gate-sw.js"


def venues_for(actor: Actor) -> list[dict[str, Any]]:
    rows = scope(Venue.objects.all(), actor).order_by("name", "pk")
    return [{"id": v.pk, "name": v.name, "code": v.venue_code, "type": v.get_type_display()}
            for v in rows.only("pk", "name", "venue_code", "type")[:VENUE_LIMIT]]


def _fever_threshold() -> float | None:
    try:
        return float(quarantine_rules(on=clock.city_today()).fever_c)
    except DomainError:
        return None  # no quarantine version configured: temperatures are recorded only


def _strings() -> dict[str, str]:
    return {
        "online": _("Online"), "offline": _("Offline"), "queued": _("Waiting to upload: %(n)s"),
        "all_sent": _("All scans uploaded"), "uploading": _("Uploading…"),
        "pass": _("PASS"), "stop": _("STOP"), "check": _("CHECK"),
        "keys_none": _("No keys yet: connect once to load them"),
        "keys_loaded": _("Keys: %(n)s, fetched %(at)s"),
        "keys_cached": _("Keys: %(n)s (cached), fetched %(at)s"),
        "fever": _("Fever: %(t)s °C (at or above %(limit)s °C)"),
        "temperature": _("Temperature %(t)s °C"),
        "valid_until": _("Code valid until %(at)s"),
        "busy": _("The server is busy; the scans stay queued and will be sent again."),
        "login": _("Log in again to upload the queued scans."),
        "refused": _("Refused by the server: %(n)s"),
        "choose_venue": _("Choose the venue first."),
        "offline_ready": _("Ready to work offline"),
        "bad_temperature": _("Type the temperature in °C, e.g. 36.6"),
        "flag.risk_link": _("linked to a risk (companion)"),
        "flag.pool_hold": _("positive pool awaiting retest"),
        "flag.test_missing": _("negative test missing"),
    }


def _config(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    page = reverse("healthcode_gate")
    assets = [page, static("fangkong/fangkong.css"), static("vendor/htmx/htmx.min.js"),
              static("healthcode/gate.css"), static("healthcode/gate.js"),
              static("healthcode/verify.js")]
    return {
        "user": actor.user_id, "venues": venues_for(actor), "fever_c": _fever_threshold(),
        "api": reverse("api:healthcode_gate_scans"), "keys": reverse("public_healthcode_keys"),
        "sw": reverse("healthcode_gate_sw"), "scope": page, "assets": assets,
        "login": reverse("login") + "?next=" + page, "csrf": get_token(request),
        "reasons": {code: str(words) for code, words in REASONS.items()},
        "strings": _strings(),
    }


@require_GET
@needs(Right.HEALTHCODE_GATE)
def gate_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    response = render(request, "healthcode/gate.html", {"config": _config(request, actor)})
    response["Cache-Control"] = "no-cache"  # the service worker keeps the offline copy
    return response


@require_GET
@needs(Right.HEALTHCODE_GATE)
def gate_service_worker(request: HttpRequest) -> HttpResponse:
    """The worker's script from this path, so the browser lets it control the gate page."""
    found = finders.find(SW_STATIC)
    if not found:
        raise Http404(SW_STATIC)
    response = HttpResponse(Path(str(found)).read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns: list[URLPattern] = [
    path("healthcode/gate/", gate_page, name="healthcode_gate"),
    path("healthcode/gate/sw.js", gate_service_worker, name="healthcode_gate_sw"),
]
