"""A household in an area: the staff page (its requests and passes, its resident link to
copy) and the public page the link opens. The public page needs no login: the signed link is
the credential; it files requests for that household only and shows their status. A bad link
and a lifted area each get a clear page, the same whatever was wrong with a bad link."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import client_ip, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Household
from fangkong.risk import requests
from fangkong.risk.forms_life import ResidentRequestForm
from fangkong.risk.models import ExitPass
from fangkong.web.access import actor_of, needs


def _household_page(request: HttpRequest, household_id: int, link: str = "") -> HttpResponse:
    actor = actor_of(request)
    household = get_scoped(Household.objects.select_related("building"), actor,
                           what="household", pk=household_id)
    return render(request, "risk/household.html", {
        "household": household, "area": requests.active_area_of(household), "link": link,
        "rows": requests.requests_for(actor).filter(household=household)
        .order_by("-created_at")[:100],
        "passes": ExitPass.objects.filter(household=household).order_by("-issued_at")[:20],
        "members": household.members.filter(inactive_since__isnull=True).order_by("name"),
        "can_support": actor.can(Right.RISK_SUPPORT)})


@needs(Right.RISK_VIEW)
def household_page(request: HttpRequest, household_id: int) -> HttpResponse:
    return _household_page(request, household_id)


@require_POST
@needs(Right.RISK_SUPPORT)
def household_link(request: HttpRequest, household_id: int) -> HttpResponse:
    """Make the resident link (audited) and show it once, to copy into a message."""
    try:
        token = requests.do_make_household_link(actor=actor_of(request),
                                                household_id=household_id)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("risk_household", household_id)
    url = request.build_absolute_uri(reverse("risk_household_request", args=[token]))
    return _household_page(request, household_id, link=url)


# ---------------------------------------------------------------- public, the link


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in ("zh-hans", "en") else translation.get_language() or "zh-hans"


@require_http_methods(["GET", "POST"])
def resident_page(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's page: file a request, see the household's requests."""
    with translation.override(_language(request)):
        try:
            response = _resident(request, token)
        except NotFound:
            response = render(request, "risk/household_invalid.html", {"lifted": False},
                              status=404)
        except Conflict:
            response = render(request, "risk/household_invalid.html", {"lifted": True},
                              status=410)
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # the token is in the address: not to others
    response["X-Robots-Tag"] = "noindex"
    return response


def _resident(request: HttpRequest, token: str) -> HttpResponse:
    link = requests.read_household_token(token)
    status = 200
    if request.method == "POST":
        form = ResidentRequestForm(request.POST)
        if form.is_valid():
            try:
                requests.do_request_by_link(token=token, ip=client_ip(request),
                                            **form.cleaned_data)
            except (NotFound, Conflict):
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                return redirect(f"{request.path}?lang={_language(request)}&sent=1")
        status = 422
    else:
        form = ResidentRequestForm(initial={"client_key": secrets.token_hex(16)})
    return render(request, "risk/household_request.html", {
        "link": link, "form": form, "sent": request.GET.get("sent") == "1",
        "rows": requests.household_requests(link.household)[:50]}, status=status)


urlpatterns: list[URLPattern] = [
    path("risk/households/<int:household_id>/", household_page, name="risk_household"),
    path("risk/households/<int:household_id>/link/", household_link,
         name="risk_household_link"),
    path("r/h/<str:token>/", resident_page, name="risk_household_request"),
]
