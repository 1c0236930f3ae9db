"""Vaccination pages, doses part: a site records a dose (the person found by ID number) and
uploads the vaccination system's CSV (``vaccination_record``). A vaccinator reads nothing
back from the registry: the page shows the dose just stored with the number masked."""

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

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.privacy import mask_id_number
from fangkong.core.rights import Right
from fangkong.vaccination import doses
from fangkong.vaccination.models import Product
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import DomainForm


class DoseForm(DomainForm):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18,
                                widget=forms.TextInput(attrs={"autofocus": True,
                                                              "autocomplete": "off"}))
    product = forms.ChoiceField(label=gettext_lazy("Vaccine"))
    dose_number = forms.IntegerField(label=gettext_lazy("Dose number"), min_value=1,
                                     max_value=doses.MAX_DOSE_NUMBER)
    given_on = forms.DateField(label=gettext_lazy("Given on"),
                               widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.CharField(label=gettext_lazy("Site code"), max_length=64, required=False)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [  # type: ignore[attr-defined]
            (p.code, f"{p.display_name(language)} · {p.primary_doses}")
            for p in Product.objects.order_by("code")]


def _page(request: HttpRequest, form: DoseForm, *, status: int = 200,
          answer: dict[str, Any] | None = None) -> HttpResponse:
    return render(request, "vaccination/record.html", {
        "form": form, "answer": answer, "last": request.session.get("vaccination_last"),
        "columns": doses.CSV_COLUMNS}, status=status)


@needs(Right.VACCINATION_RECORD)
def record_page(request: HttpRequest) -> HttpResponse:
    language = getattr(request, "LANGUAGE_CODE", "")
    session = request.session
    if request.method != "POST":
        return _page(request, DoseForm(language=language, initial={
            "given_on": clock.city_today(), "site": session.get("vaccination_site", "")}))
    form = DoseForm(request.POST, language=language)
    stored = form.submit(doses.do_record_dose, actor=actor_of(request))
    if stored is None:
        return _page(request, form, status=422)
    dose = stored.dose
    session["vaccination_site"] = dose.site
    session["vaccination_last"] = {
        "who": mask_id_number(dose.person.id_number or ""),
        "product": dose.product.display_name(language), "dose_number": dose.dose_number,
        "given_on": dose.given_on.isoformat(), "counts_as": dose.get_counts_as_display()}
    messages.success(request, _("Dose recorded."))
    return redirect("vaccination_record")


@require_POST
@needs(Right.VACCINATION_RECORD)
def upload(request: HttpRequest) -> HttpResponse:
    """The vaccination system's CSV; the answer names every bad line and field."""
    form = DoseForm(language=getattr(request, "LANGUAGE_CODE", ""),
                    initial={"given_on": clock.city_today()})
    file = request.FILES.get("file")
    try:
        if file is None:
            raise DomainError(_("choose a file"), field="file")
        answer = doses.do_import_doses(actor=actor_of(request), data=file.read(),
                                       store_good=bool(request.POST.get("store_good")))
    except doses.BatchRefused as refused:
        return _page(request, form, status=422,
                     answer={"refused": True, **refused.answer.as_dict()})
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, form, status=422)
    return _page(request, form, answer=answer.as_dict())


urlpatterns: list[URLPattern] = [
    path("vaccination/record/", record_page, name="vaccination_record"),
    path("vaccination/record/upload/", upload, name="vaccination_upload"),
]
