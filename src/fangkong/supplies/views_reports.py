"""Supplies pages, intake part: an outlet's day in one form (the six goods' stock and prices)
and a district's CSV upload for many outlets. Thin: the rules are ``reports``' and
``uploads``'."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.healthcode.reports import CsvRefused
from fangkong.supplies import reports, uploads
from fangkong.supplies.logic import GOODS, UNITS
from fangkong.supplies.models import Good
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import DomainForm


class DayForm(DomainForm):
    """One outlet's day: a stock and a price per good; a good left blank is not reported."""

    venue_id = forms.TypedChoiceField(label=gettext_lazy("Outlet"), coerce=int,
                                      required=False, empty_value=None)
    day = forms.DateField(label=gettext_lazy("Day"),
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=48)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for good in GOODS:
            self.fields[f"{good}_stock"] = forms.DecimalField(
                label=gettext_lazy("stock (%(unit)s)") % {"unit": UNITS[good]},
                required=False, min_value=0, decimal_places=1, max_digits=12)
            self.fields[f"{good}_price"] = forms.DecimalField(
                label=gettext_lazy("price (yuan/%(unit)s)") % {"unit": UNITS[good]},
                required=False, min_value=0, decimal_places=2, max_digits=8)

    def rows(self) -> list[tuple[Any, Any, Any, str]]:
        return [(label, self[f"{good}_stock"], self[f"{good}_price"], good)
                for good, label in Good.choices]

    def report(self, **extra: Any) -> dict[str, str] | None:
        """Submit the goods given (stock and price both, or neither)."""
        if not self.is_valid():
            return None
        goods: dict[str, dict[str, Any]] = {}
        for good in GOODS:
            stock, price = (self.cleaned_data.get(f"{good}_stock"),
                            self.cleaned_data.get(f"{good}_price"))
            if stock is None and price is None:
                continue
            goods[good] = {"stock": stock, "price": price}
        try:
            return reports.do_report_day(
                client_key=self.cleaned_data["client_key"], goods=goods,
                day=self.cleaned_data["day"], venue_id=self.cleaned_data["venue_id"], **extra)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            self.add_domain_error(exc)
            return None


def _day_page(request: HttpRequest, *, form: DayForm | None = None,
              status: int = 200) -> HttpResponse:
    choices = [(v.pk, v.name) for v in reports.outlets_of(actor_of(request))]
    if form is None:
        # A fresh key per rendered form: a double click or a resent form is stored once.
        form = DayForm(initial={"client_key": f"web-{uuid.uuid4().hex}",
                                "day": timezone.localdate(clock.now())})
    form.fields["venue_id"].choices = choices  # type: ignore[attr-defined]
    return render(request, "supplies/report.html", {"form": form, "outlets": choices},
                  status=status)


@needs(Right.SUPPLIES_REPORT)
def report_page(request: HttpRequest) -> HttpResponse:
    return _day_page(request)


@require_POST
@needs(Right.SUPPLIES_REPORT)
def report_day(request: HttpRequest) -> HttpResponse:
    form = DayForm(request.POST)
    form.fields["venue_id"].choices = [  # type: ignore[attr-defined]
        (v.pk, v.name) for v in reports.outlets_of(actor_of(request))]
    answer = form.report(actor=actor_of(request))
    if answer is None:
        return _day_page(request, form=form, status=422)
    if all(status == "unchanged" for status in answer.values()):
        messages.info(request, _("This day was reported before."))
    else:
        messages.success(request, _("Stock and prices of %(n)d goods recorded.")
                         % {"n": len(answer)})
    return redirect("supplies_report")


def _upload_page(request: HttpRequest, *, answer: dict[str, Any] | None = None,
                 status: int = 200) -> HttpResponse:
    return render(request, "supplies/upload.html", {"csv_answer": answer,
                                                    "columns": uploads.CSV_COLUMNS},
                  status=status)


@needs(Right.SUPPLIES_MANAGE)
def upload_page(request: HttpRequest) -> HttpResponse:
    return _upload_page(request)


@require_POST
@needs(Right.SUPPLIES_MANAGE)
def upload_csv(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(_("choose a CSV file"), field="file")
        answer = uploads.do_import_csv(actor=actor_of(request), data=upload.read(),
                                       store_good=request.POST.get("store_good") == "on")
    except CsvRefused as refused:
        return _upload_page(request, answer={"refused": True, **refused.answer.as_dict()},
                            status=422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _upload_page(request, status=422)
    return _upload_page(request, answer=answer.as_dict())


urlpatterns: list[URLPattern] = [
    path("supplies/report/", report_page, name="supplies_report"),
    path("supplies/report/day/", report_day, name="supplies_report_day"),
    path("supplies/upload/", upload_page, name="supplies_upload"),
    path("supplies/upload/csv/", upload_csv, name="supplies_upload_csv"),
]
