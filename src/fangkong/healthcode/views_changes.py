"""Pages of manual changes, abuse alerts and reports. Thin: the rules are ``changes``,
``abuse`` and ``reports``'s. A change asked here is decided on the approvals page with the
other two-person requests; its alerts are listed beside it here and on the alerts page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.healthcode import abuse, changes, reports
from fangkong.healthcode.models import Colour, DrugClass
from fangkong.registry.models import Venue, VenueType
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import WHEN, DomainForm

LIST_LIMIT = 200


class ChangeForm(DomainForm):
    person = forms.CharField(label=gettext_lazy("Person"), max_length=18,
                             help_text=gettext_lazy("person number or full ID number"))
    colour = forms.ChoiceField(label=gettext_lazy("Colour"), choices=Colour.choices)
    days = forms.IntegerField(label=gettext_lazy("Days"), min_value=1, initial=3)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=changes.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=gettext_lazy("the facts behind the change; the "
                                                    "approver reads it"))


def _changes_page(request: HttpRequest, form: ChangeForm | None = None,
                  status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    pending = list(changes.pending_changes(actor)[:LIST_LIMIT])
    warned = abuse.alerts_of_approvals([a.pk for a in pending])
    rows = [(a, [abuse.describe(x) for x in warned.get(a.pk, [])]) for a in pending]
    return render(request, "healthcode/changes.html", {
        "pending": rows, "overrides": changes.overrides_in_scope(actor)[:LIST_LIMIT],
        "form": form or ChangeForm(), "max_days": changes.max_days(),
        "can_change": actor.can(Right.HEALTHCODE_CHANGE)}, status=status)


@needs(Right.HEALTHCODE_VIEW)
def changes_page(request: HttpRequest) -> HttpResponse:
    return _changes_page(request)


def _ask(actor: Actor, *, person: str, **values: Any) -> Any:
    return changes.do_request_change(actor=actor, person_id=changes.find_person(actor, person).pk,
                                     **values)


@require_POST
@needs(Right.HEALTHCODE_CHANGE)
def change_request(request: HttpRequest) -> HttpResponse:
    form = ChangeForm(request.POST)
    approval = form.submit(_ask, actor=actor_of(request))
    if approval is None:
        return _changes_page(request, form, status=422)
    messages.success(request, _("Change asked: a second person decides it on the approvals "
                                "page."))
    if approval.payload.get("alerts"):
        messages.warning(request, _("This change raised an abuse alert; the approver sees it."))
    return redirect("healthcode_changes")


@require_POST
@needs(Right.HEALTHCODE_CHANGE)
def change_revoke(request: HttpRequest, override_id: int) -> HttpResponse:
    try:
        changes.do_request_revoke(actor=actor_of(request), override_id=override_id,
                                  reason=request.POST.get("reason", ""))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _changes_page(request, status=422)
    messages.success(request, _("Revocation asked: a second person decides it."))
    return redirect("healthcode_changes")


@needs(Right.HEALTHCODE_VIEW)
def abuse_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    show_resolved = request.GET.get("show") == "all"
    rows = [(a, abuse.describe(a)) for a in
            abuse.alerts_in_scope(actor, open_only=not show_resolved)[:LIST_LIMIT]]
    return render(request, "healthcode/abuse.html", {
        "rows": rows, "show_resolved": show_resolved,
        "can_resolve": actor.can(Right.APPROVAL_DECIDE)})


@require_POST
@needs(Right.APPROVAL_DECIDE)
def abuse_resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        abuse.do_resolve_alert(actor=actor_of(request), alert_id=alert_id,
                               note=request.POST.get("note", ""))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Alert resolved."))
    return redirect("healthcode_abuse")


class PurchaseForm(DomainForm):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    drug_class = forms.ChoiceField(label=gettext_lazy("Drug class"), choices=DrugClass.choices)
    bought_at = forms.DateTimeField(label=gettext_lazy("Sold at"), widget=WHEN)
    venue_id = forms.TypedChoiceField(label=gettext_lazy("Pharmacy"), coerce=int,
                                      required=False, empty_value=None)


class ArrivalForm(DomainForm):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    arrived_at = forms.DateTimeField(label=gettext_lazy("Arrived at"), widget=WHEN)
    origin = forms.CharField(label=gettext_lazy("From"), max_length=reports.ORIGIN_MAX,
                             required=False)
    from_risk_area = forms.BooleanField(label=gettext_lazy("From a risk area"),
                                        required=False)


def _pharmacies(actor: Actor) -> list[tuple[Any, str]]:
    venues = scope(Venue.objects.filter(type=VenueType.PHARMACY), actor).order_by("name")
    return [("", "—"), *((v.pk, v.name) for v in venues[:LIST_LIMIT])]


def _reports_page(request: HttpRequest, *, purchase: PurchaseForm | None = None,
                  arrival: ArrivalForm | None = None, csv_answer: dict[str, Any] | None = None,
                  status: int = 200) -> HttpResponse:
    purchase = purchase or PurchaseForm()
    purchase.fields["venue_id"].choices = _pharmacies(  # type: ignore[attr-defined]
        actor_of(request))
    return render(request, "healthcode/reports.html", {
        "purchase": purchase, "arrival": arrival or ArrivalForm(),
        "pharmacies": purchase.fields["venue_id"].choices,  # type: ignore[attr-defined]
        "csv_answer": csv_answer}, status=status)


@needs(Right.HEALTHCODE_REPORT)
def reports_page(request: HttpRequest) -> HttpResponse:
    return _reports_page(request)


@require_POST
@needs(Right.HEALTHCODE_REPORT)
def report_purchase(request: HttpRequest) -> HttpResponse:
    form = PurchaseForm(request.POST)
    form.fields["venue_id"].choices = _pharmacies(actor_of(request))  # type: ignore[attr-defined]
    stored = form.submit(reports.do_report_purchase, actor=actor_of(request))
    if stored is None:
        return _reports_page(request, purchase=form, status=422)
    messages.success(request, _("Sale recorded.") if stored.created
                     else _("This sale was recorded before."))
    return redirect("healthcode_reports")


@require_POST
@needs(Right.HEALTHCODE_REPORT)
def report_arrival(request: HttpRequest) -> HttpResponse:
    form = ArrivalForm(request.POST)
    stored = form.submit(reports.do_report_arrival, actor=actor_of(request))
    if stored is None:
        return _reports_page(request, arrival=form, status=422)
    messages.success(request, _("Arrival recorded.") if stored.created
                     else _("This arrival was recorded before."))
    return redirect("healthcode_reports")


@require_POST
@needs(Right.HEALTHCODE_REPORT)
def report_csv(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    raw_venue = request.POST.get("venue_id", "")
    try:
        if upload is None:
            raise DomainError(_("choose a CSV file"), field="file")
        answer = reports.do_import_purchases(
            actor=actor_of(request), data=upload.read(),
            venue_id=int(raw_venue) if raw_venue.isdigit() else None,
            store_good=request.POST.get("store_good") == "on").as_dict()
    except reports.CsvRefused as refused:
        return _reports_page(request, csv_answer={"refused": True, **refused.answer.as_dict()},
                             status=422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _reports_page(request, status=422)
    return _reports_page(request, csv_answer=answer)


urlpatterns: list[URLPattern] = [
    path("healthcode/changes/", changes_page, name="healthcode_changes"),
    path("healthcode/changes/request/", change_request, name="healthcode_change_request"),
    path("healthcode/changes/overrides/<int:override_id>/revoke/", change_revoke,
         name="healthcode_change_revoke"),
    path("healthcode/abuse/", abuse_page, name="healthcode_abuse"),
    path("healthcode/abuse/<int:alert_id>/resolve/", abuse_resolve,
         name="healthcode_abuse_resolve"),
    path("healthcode/reports/", reports_page, name="healthcode_reports"),
    path("healthcode/reports/purchase/", report_purchase, name="healthcode_report_purchase"),
    path("healthcode/reports/arrival/", report_arrival, name="healthcode_report_arrival"),
    path("healthcode/reports/csv/", report_csv, name="healthcode_report_csv"),
]
