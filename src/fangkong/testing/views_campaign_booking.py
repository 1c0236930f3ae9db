"""Bookings: the staff page (find a resident, book on their behalf or hand them a signed
booking link, cancel) and the public page the link opens. The public page needs no login:
the signed link is the credential; it shows the resident's masked name, the slots of their
community and their booking, and answers a bad link with the same 404 whatever was wrong."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import client_ip
from fangkong.core.rights import Right
from fangkong.testing import channels, queries, queries_campaign
from fangkong.testing.actions_booking import (
    do_book,
    do_book_by_link,
    do_cancel_booking,
    do_cancel_by_link,
    do_make_link,
    read_token,
)
from fangkong.web.access import actor_of, int_param, needs


def _int(value: str | None) -> int:
    """A posted id; anything but digits is 0, which no row has (a clean 404/422, not 500)."""
    return int(value) if value and value.isdigit() else 0


def mask_name(name: str) -> str:
    """``张伟`` → ``张*``: enough for residents to know the link is theirs."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _bookings_page(request: HttpRequest, campaign_id: int, *, link: str = "",
                   status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    campaign = queries.get_campaign(actor, campaign_id)
    q = (request.POST.get("q") or request.GET.get("q", "")).strip()[:64]
    found = queries_campaign.persons_for_booking(actor, campaign, q)
    day = timezone.localdate(max(campaign.starts_at, clock.now()))
    rows = [{"person": p, "booking": queries_campaign.booking_of(campaign, p),
             "green": channels.green_reasons(p, on=day),
             "slots": queries_campaign.bookable_slots(campaign, p)} for p in found]
    return render(request, "testing/bookings.html", {
        "campaign": campaign, "q": q, "rows": rows, "link": link,
        "bookings": queries_campaign.bookings_for(actor, campaign),
        "full": actor.can(Right.PII_VIEW),
        "can_manage": actor.can(Right.SCREENING_MANAGE)}, status=status)


@needs(Right.SCREENING_VIEW)
def bookings_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _bookings_page(request, campaign_id)


def _back(campaign_id: int, q: str) -> HttpResponse:
    url = reverse("screening_bookings", args=[campaign_id])
    return redirect(f"{url}?q={q}" if q else url)


@require_POST
@needs(Right.SCREENING_MANAGE)
def booking_link(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Make a resident's link and show it once, to copy into a message to them."""
    person_id = _int(request.POST.get("person_id"))
    try:
        token = do_make_link(actor=actor_of(request), campaign_id=campaign_id,
                             person_id=person_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(campaign_id, request.POST.get("q", ""))
    url = request.build_absolute_uri(reverse("screening_public_booking", args=[token]))
    return _bookings_page(request, campaign_id, link=url)


@require_POST
@needs(Right.SCREENING_MANAGE)
def book(request: HttpRequest, campaign_id: int) -> HttpResponse:
    values = {k: _int(request.POST.get(k)) for k in ("person_id", "slot_id")}
    try:
        booking = do_book(actor=actor_of(request), campaign_id=campaign_id, **values)
    except NotFound:
        raise
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s booked for %(when)s at %(site)s.") % {
            "name": booking.person.name, "site": booking.slot.site.name,
            "when": timezone.localtime(booking.slot.starts_at).strftime("%m-%d %H:%M")})
    return _back(campaign_id, request.POST.get("q", ""))


@require_POST
@needs(Right.SCREENING_MANAGE)
def booking_cancel(request: HttpRequest, campaign_id: int, booking_id: int) -> HttpResponse:
    queries.get_campaign(actor_of(request), campaign_id)
    do_cancel_booking(actor=actor_of(request), booking_id=booking_id)
    messages.success(request, _("Booking cancelled; the place is free again."))
    return _back(campaign_id, request.POST.get("q", ""))


# ---------------------------------------------------------------- public, the link


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in ("zh-hans", "en") else translation.get_language() or "zh-hans"


@require_http_methods(["GET", "POST"])
def public_booking(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's page: pick a slot, see the booking, cancel it before it begins."""
    with translation.override(_language(request)):
        try:
            response = _public(request, token)
        except NotFound:
            response = render(request, "testing/public_booking_invalid.html", status=404)
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # the token is in the address: not to others
    response["X-Robots-Tag"] = "noindex"
    return response


def _public(request: HttpRequest, token: str) -> HttpResponse:
    campaign, person = read_token(token)
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                do_cancel_by_link(token=token, ip=client_ip(request))
            else:
                do_book_by_link(token=token, slot_id=_int(request.POST.get("slot_id")),
                                ip=client_ip(request))
        except Conflict as exc:
            error, status = exc.message, 409
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error, status = exc.message, 422
        else:
            return redirect(f"{request.path}?lang={_language(request)}")
    day = timezone.localdate(max(campaign.starts_at, clock.now()))
    slots = queries_campaign.bookable_slots(campaign, person)
    sites: dict[int, dict[str, Any]] = {}
    for slot in slots:
        sites.setdefault(slot.site_id, {"site": slot.site, "slots": []})["slots"].append(slot)
    return render(request, "testing/public_booking.html", {
        "campaign": campaign, "name": mask_name(person.name),
        "green": channels.green_reasons(person, on=day),
        "booking": queries_campaign.booking_of(campaign, person),
        "sites": list(sites.values()), "error": error, "chosen": int_param(request, "slot"),
        "now": timezone.localtime(clock.now())}, status=status)


urlpatterns: list[URLPattern] = [
    path("screening/campaigns/<int:campaign_id>/bookings/", bookings_page,
         name="screening_bookings"),
    path("screening/campaigns/<int:campaign_id>/bookings/link", booking_link,
         name="screening_booking_link"),
    path("screening/campaigns/<int:campaign_id>/bookings/new", book, name="screening_book"),
    path("screening/campaigns/<int:campaign_id>/bookings/<int:booking_id>/cancel",
         booking_cancel, name="screening_booking_cancel"),
    path("screening/book/<str:token>/", public_booking, name="screening_public_booking"),
]
