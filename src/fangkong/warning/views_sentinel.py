"""Early-warning pages, sentinel part: the fever clinic's counter (one visit, or a day as
CSV) and the untested pharmacy buyers of the viewer's grids. Thin: the rules are
``clinic``'s and ``untested``'s."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.healthcode.reports import CsvRefused
from fangkong.registry.models import Person
from fangkong.warning import clinic, untested
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import WHEN, DomainForm


class VisitForm(DomainForm):
    clinic_id = forms.TypedChoiceField(label=gettext_lazy("Clinic"), coerce=int, required=False,
                                       empty_value=None)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18, required=False,
                                help_text=gettext_lazy("read off the card"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64, required=False,
                           help_text=gettext_lazy("only when not in the registry"))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False,
                            help_text=gettext_lazy("only when not in the registry"))
    visited_at = forms.DateTimeField(label=gettext_lazy("Seen at"), widget=WHEN)
    temperature = forms.DecimalField(label=gettext_lazy("Temperature (℃)"), max_digits=3,
                                     decimal_places=1, required=False)
    sampled = forms.BooleanField(label=gettext_lazy("Sample taken"), required=False)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=clinic.KEY_MAX)


def _choices(actor: Actor) -> list[tuple[Any, str]]:
    return [(v.pk, v.name) for v in clinic.clinics_of(actor)]


def _clinic_page(request: HttpRequest, *, form: VisitForm | None = None,
                 csv_answer: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    choices = _choices(actor_of(request))
    if form is None:
        # A fresh key per rendered form: a double click or a resent form is stored once.
        form = VisitForm(initial={"client_key": f"web-{uuid.uuid4().hex}",
                                  "visited_at": clock.now()})
    form.fields["clinic_id"].choices = choices  # type: ignore[attr-defined]
    return render(request, "warning/clinic.html", {
        "form": form, "clinics": choices, "csv_answer": csv_answer,
        "fever": clinic.fever_line(on=clock.now())}, status=status)


@needs(Right.CLINIC_REPORT)
def clinic_page(request: HttpRequest) -> HttpResponse:
    return _clinic_page(request)


@require_POST
@needs(Right.CLINIC_REPORT)
def clinic_visit(request: HttpRequest) -> HttpResponse:
    form = VisitForm(request.POST)
    form.fields["clinic_id"].choices = _choices(actor_of(request))  # type: ignore[attr-defined]
    stored = form.submit(clinic.do_report_visit, actor=actor_of(request))
    if stored is None:
        return _clinic_page(request, form=form, status=422)
    if not stored.created:
        messages.info(request, _("This visit was recorded before."))
    elif stored.visit.person_id is None:
        messages.success(request, _("Visit recorded (not in the registry: kept by name and "
                                    "phone at the clinic)."))
    else:
        messages.success(request, _("Visit recorded for the resident."))
    return redirect("warning_clinic")


@require_POST
@needs(Right.CLINIC_REPORT)
def clinic_csv(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    raw = request.POST.get("clinic_id", "")
    try:
        if upload is None:
            raise DomainError(_("choose a CSV file"), field="file")
        answer = clinic.do_import_visits(
            actor=actor_of(request), data=upload.read(),
            clinic_id=int(raw) if raw.isdigit() else None,
            store_good=request.POST.get("store_good") == "on").as_dict()
    except CsvRefused as refused:
        return _clinic_page(request, csv_answer={"refused": True, **refused.answer.as_dict()},
                            status=422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _clinic_page(request, status=422)
    return _clinic_page(request, csv_answer=answer)


@needs(Right.WARNING_VIEW)
def untested_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    raw = request.GET.get("grid", "")
    buyers = untested.untested_buyers(actor, grid_id=int(raw) if raw.isdigit() else None)
    people = Person.objects.in_bulk([b.person_id for b in buyers[:500]])
    return render(request, "warning/untested.html", {
        "rows": [(b, people.get(b.person_id)) for b in buyers[:500]], "total": len(buyers),
        "on": untested.sentinel_on(), "now": clock.now(), "grid": raw})


urlpatterns: list[URLPattern] = [
    path("warning/clinic/", clinic_page, name="warning_clinic"),
    path("warning/clinic/visit/", clinic_visit, name="warning_clinic_visit"),
    path("warning/clinic/csv/", clinic_csv, name="warning_clinic_csv"),
    path("warning/buyers/", untested_page, name="warning_untested"),
]
