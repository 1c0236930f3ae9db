"""The resident's side of the health code, and the staff pages around it.

Public (the signed link is the credential, no login): the resident's page ``c/<token>/``
(the code, its colour and reasons, the appeal form, the venue check-in box), its JSON
``code.json`` (the page refreshes the code with it), the check-in upload ``checkins`` (JSON,
from ``resident.js``'s queue; exempt from CSRF because no cookie authenticates it: the token
in the address does), and a venue's code page ``v/<token>/`` (what a phone camera opens).
Staff: the appeals of their jurisdiction, the venues with their printable posters."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import client_ip, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.healthcode import appeals, checkins, resident
from fangkong.healthcode.models import Appeal, AppealStatus
from fangkong.healthcode.shedding import shed_load
from fangkong.registry.models import Person, Venue
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import DomainForm


class AppealForm(DomainForm):
    message = forms.CharField(label=_("What is wrong with your code?"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AnswerForm(DomainForm):
    answer = forms.CharField(label=_("Answer"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in ("zh-hans", "en") else translation.get_language() or "zh-hans"


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # the token is in the address: not to others
    response["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------- public: the resident


def _resident_context(request: HttpRequest, token: str, person: Person,
                      form: AppealForm) -> dict[str, Any]:
    try:
        code, problem = resident.current_code(person), ""
    except NotFound:
        raise
    except DomainError as exc:
        code, problem = None, exc.message
    return {"person_name": resident.mask_name(person.name), "code": code, "problem": problem,
            "form": form, "appeals": appeals.appeals_of(person)[:10],
            "appealed": request.GET.get("appealed") == "1", "token": token,
            "lang": _language(request)}


@require_GET
def resident_page(request: HttpRequest, token: str) -> HttpResponse:
    with translation.override(_language(request)):
        try:
            person = resident.read_resident_token(token)
            form = AppealForm(initial={"client_key": secrets.token_hex(16)})
            context = _resident_context(request, token, person, form)
            response = render(request, "healthcode/resident.html", context,
                              status=503 if context["code"] is None else 200)
        except NotFound:
            response = render(request, "healthcode/resident_invalid.html", status=404)
    return _private(response)


@require_POST
def resident_appeal(request: HttpRequest, token: str) -> HttpResponse:
    """The appeal form (post, then back to the page with a notice)."""
    with translation.override(_language(request)):
        try:
            person = resident.read_resident_token(token)
        except NotFound:
            return _private(render(request, "healthcode/resident_invalid.html", status=404))
        form = AppealForm(request.POST)
        if form.submit(appeals.do_file_appeal, person=person, ip=client_ip(request)):
            return redirect(f"{request.path.removesuffix('appeal/')}?lang={_language(request)}"
                            "&appealed=1#appeals")
        response = render(request, "healthcode/resident.html",
                          _resident_context(request, token, person, form), status=422)
    return _private(response)


@require_GET
def resident_code_json(request: HttpRequest, token: str) -> HttpResponse:
    with translation.override(_language(request)):
        try:
            code = resident.current_code(resident.read_resident_token(token))
        except NotFound:
            return _private(JsonResponse({"detail": "not found"}, status=404))
        except DomainError as exc:
            return _private(JsonResponse({"detail": exc.message, "field": exc.field},
                                         status=503))
        return _private(JsonResponse(resident.code_payload(code)))


@shed_load
@csrf_exempt
@require_POST
def resident_checkins(request: HttpRequest, token: str) -> HttpResponse:
    """A batch of queued check-ins: ``{"items": [{venue_token, ts, client_key}, ...]}``."""
    with translation.override(_language(request)):
        try:
            person = resident.read_resident_token(token)
            items = json.loads(request.body or b"null")
            items = items.get("items") if isinstance(items, dict) else items
            counts = checkins.do_record_checkins(person=person, items=items,
                                                 ip=client_ip(request))
        except NotFound:
            return _private(JsonResponse({"detail": "not found"}, status=404))
        except (ValueError, UnicodeDecodeError):
            return _private(JsonResponse({"detail": str(_("the body is not JSON")),
                                          "field": "items"}, status=400))
        except DomainError as exc:
            return _private(JsonResponse({"detail": exc.message, "field": exc.field},
                                         status=422))
        return _private(JsonResponse(counts.as_dict()))


@require_GET
def venue_page(request: HttpRequest, token: str) -> HttpResponse:
    """What a phone opens from a venue's poster: the venue and how to check in."""
    with translation.override(_language(request)):
        try:
            venue = checkins.read_venue_token(token)
        except NotFound:
            return _private(render(request, "healthcode/venue_invalid.html", status=404))
        return _private(render(request, "healthcode/venue.html",
                               {"venue": venue, "venue_token": token}))


# ---------------------------------------------------------------- staff


@needs(Right.HEALTHCODE_VIEW)
def appeals_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AppealStatus.OPEN)
    status = status if status in AppealStatus.values else ""
    actor = actor_of(request)
    return render(request, "healthcode/appeals.html", {
        "rows": appeals.appeals_for(actor, status=status)[:200], "status": status,
        "statuses": AppealStatus.choices, "can_answer": actor.can(Right.HEALTHCODE_CHANGE),
        "form": AnswerForm()})


@require_POST
@needs(Right.HEALTHCODE_CHANGE)
def appeal_answer(request: HttpRequest, appeal_id: int) -> HttpResponse:
    actor = actor_of(request)
    get_scoped(Appeal.objects.all(), actor, what="appeal", pk=appeal_id)
    form = AnswerForm(request.POST)
    if form.submit(appeals.do_answer_appeal, actor=actor, appeal_id=appeal_id):
        messages.success(request, _("The answer was saved; the resident sees it on their page."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("healthcode_appeals")


@needs(Right.REGISTRY_VIEW)
def venues_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:64]
    rows = scope(Venue.objects.all(), actor_of(request)).order_by("name", "id")
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(venue_code__iexact=q)
    return render(request, "healthcode/venues.html", {"rows": rows[:100], "q": q})


@needs(Right.REGISTRY_VIEW)
def venue_poster(request: HttpRequest, venue_id: int) -> HttpResponse:
    """A printable poster: the venue's signed code as a QR image and as text."""
    import segno

    venue = get_scoped(Venue.objects.all(), actor_of(request), what="venue", pk=venue_id)
    url = request.build_absolute_uri(checkins.venue_code_url(venue))
    return render(request, "healthcode/venue_poster.html", {
        "venue": venue, "url": url, "token": checkins.venue_token(venue),
        "svg": segno.make(url, error="m").svg_inline(scale=6)})


urlpatterns: list[URLPattern] = [
    path("c/<str:token>/", resident_page, name="public_healthcode_resident"),
    path("c/<str:token>/appeal/", resident_appeal, name="public_healthcode_appeal"),
    path("c/<str:token>/code.json", resident_code_json, name="public_healthcode_code_json"),
    path("c/<str:token>/checkins", resident_checkins, name="public_healthcode_checkins"),
    path("v/<str:token>/", venue_page, name="public_healthcode_venue"),
    path("healthcode/appeals/", appeals_page, name="healthcode_appeals"),
    path("healthcode/appeals/<int:appeal_id>/answer", appeal_answer,
         name="healthcode_appeal_answer"),
    path("healthcode/venues/", venues_page, name="healthcode_venues"),
    path("healthcode/venues/<int:venue_id>/poster", venue_poster,
         name="healthcode_venue_poster"),
]
