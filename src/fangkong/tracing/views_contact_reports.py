"""The tracers' list of possible contacts told by hand (self-reports, hotline, staff) living
in their area, each with a confirm form (pick an index case of the area: a select of recent
cases, narrowed by a search) and a dismiss form. Plain forms, back to the list with a
message; a refusal is written on the list with the field it names."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.tracing import queries
from fangkong.tracing.contact_reports import (
    do_confirm_contact_report,
    do_dismiss_contact_report,
    reports_for,
)
from fangkong.tracing.forms import DATETIME_WIDGET, DomainForm
from fangkong.tracing.models import ReportStatus
from fangkong.tracing.views import PAGE_SIZE, page_of
from fangkong.web.access import actor_of, int_param, needs

CASE_CHOICES = 100  # recent cases offered in the confirm form's select


class ConfirmForm(DomainForm):
    case = forms.IntegerField(label=gettext_lazy("Index case"), min_value=1)
    first_exposure = forms.DateTimeField(label=gettext_lazy("First exposure"), required=False,
                                         widget=DATETIME_WIDGET)
    last_exposure = forms.DateTimeField(label=gettext_lazy("Last exposure"), required=False,
                                        widget=DATETIME_WIDGET)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


class DismissForm(DomainForm):
    note = forms.CharField(label=gettext_lazy("Why"), max_length=500)


@needs(Right.TRACING_INVESTIGATE)
def contact_reports_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", ReportStatus.NEW)
    status = status if status in ReportStatus.values else ""
    case_q = request.GET.get("case_q", "").strip()[:60]
    rows = reports_for(actor=actor, status=status, after=int_param(request, "after"),
                       limit=PAGE_SIZE + 1)
    cases = queries.cases_for(actor=actor, q=case_q, limit=CASE_CHOICES)
    return render(request, "tracing/contact_reports.html", {
        "page": page_of(rows), "status": status, "statuses": ReportStatus.choices,
        "cases": cases, "case_q": case_q})


def _back(request: HttpRequest, *, done: str = "", error: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("tracing_contact_reports")


def _errors(form: DomainForm) -> str:
    """'Field: message' for each error, so the list says what was wrong."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts += [f"{label}: {e}" if label else str(e) for e in errors]
    return " ".join(parts)


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def contact_report_confirm(request: HttpRequest, report_id: int) -> HttpResponse:
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _back(request, error=_errors(form))
    data = form.cleaned_data
    try:
        report = do_confirm_contact_report(
            actor=actor_of(request), report_id=report_id, case_id=data["case"],
            first_exposure=data["first_exposure"], last_exposure=data["last_exposure"],
            note=data["note"])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.add_domain_error(exc)
        return _back(request, error=_errors(form))
    return _back(request, done=_("Confirmed: close contact of case #%(case)s.")
                 % {"case": report.index_case_id})


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def contact_report_dismiss(request: HttpRequest, report_id: int) -> HttpResponse:
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _back(request, error=_errors(form))
    try:
        do_dismiss_contact_report(actor=actor_of(request), report_id=report_id,
                                  note=form.cleaned_data["note"])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.add_domain_error(exc)
        return _back(request, error=_errors(form))
    return _back(request, done=_("Report dismissed."))


urlpatterns = [
    path("tracing/contact-reports/", contact_reports_page, name="tracing_contact_reports"),
    path("tracing/contact-reports/<int:report_id>/confirm", contact_report_confirm,
         name="tracing_contact_report_confirm"),
    path("tracing/contact-reports/<int:report_id>/dismiss", contact_report_dismiss,
         name="tracing_contact_report_dismiss"),
]
