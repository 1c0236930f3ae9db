"""Early-warning pages, self-report part: the resident's own report through their signed
link, ``c/<token>/report/`` (``warning_self_report``; public, no login: the token is the
credential, as on the code page) — travel, symptoms or contact with a case."""

from __future__ import annotations

import secrets

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import client_ip
from fangkong.healthcode import resident
from fangkong.registry.models import Person
from fangkong.warning import selfreport
from fangkong.warning.models import SelfReportKind
from fangkong.web.forms import DomainForm

DAY = forms.DateInput(attrs={"type": "date"})


class SelfReportForm(DomainForm):
    kind = forms.ChoiceField(label=_("What do you report?"), choices=SelfReportKind.choices,
                             widget=forms.RadioSelect)
    origin = forms.CharField(label=_("Travelled from (city or area)"), max_length=100,
                             required=False)
    arrived_on = forms.DateField(label=_("Arrived back on"), required=False, widget=DAY)
    symptoms = forms.MultipleChoiceField(label=_("Symptoms"), required=False,
                                         choices=list(selfreport.SYMPTOMS.items()),
                                         widget=forms.CheckboxSelectMultiple)
    since = forms.DateField(label=_("Since"), required=False, widget=DAY)
    contact_on = forms.DateField(label=_("Contact on"), required=False, widget=DAY)
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    who = forms.CharField(label=_("Who (if you know)"), max_length=100, required=False)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in ("zh-hans", "en") else translation.get_language() or "zh-hans"


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # the token is in the address
    response["X-Robots-Tag"] = "noindex"
    return response


def _page(request: HttpRequest, token: str, person: Person, form: SelfReportForm,
          *, status: int = 200) -> HttpResponse:
    return render(request, "warning/selfreport.html", {
        "form": form, "token": token, "person_name": resident.mask_name(person.name),
        "sent": request.GET.get("sent") == "1", "lang": _language(request)}, status=status)


def self_report(request: HttpRequest, token: str) -> HttpResponse:
    with translation.override(_language(request)):
        try:
            person = resident.read_resident_token(token)
        except NotFound:
            return _private(render(request, "healthcode/resident_invalid.html", status=404))
        if request.method != "POST":
            form = SelfReportForm(initial={"client_key": secrets.token_hex(16)})
            return _private(_page(request, token, person, form))
        form = SelfReportForm(request.POST)
        if form.submit(selfreport.do_self_report, person=person, ip=client_ip(request)):
            return _private(redirect(f"{request.path}?lang={_language(request)}&sent=1"))
        return _private(_page(request, token, person, form, status=422))


urlpatterns: list[URLPattern] = [
    path("c/<str:token>/report/", self_report, name="warning_self_report"),
]
