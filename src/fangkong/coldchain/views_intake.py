"""Cold-chain pages, intake part: a cold store's page (its places, a batch, a movement, a
handler, CSV lists) ``coldchain_record``; the batches ``coldchain_batches`` and one batch's
chain ``coldchain_batch``; handlers owing a test ``coldchain_handlers``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.coldchain import handlers, intake, queries
from fangkong.coldchain.models import HandlerRole, NatResult
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import WHEN, DomainForm


class BatchForm(DomainForm):
    code = forms.CharField(label=gettext_lazy("Batch code"), max_length=40)
    product = forms.CharField(label=gettext_lazy("Product"), max_length=100)
    origin_country = forms.CharField(label=gettext_lazy("Origin country"), max_length=60)
    port = forms.CharField(label=gettext_lazy("Port of entry"), max_length=60)
    arrived_at = forms.DateTimeField(label=gettext_lazy("Arrived at"), widget=WHEN)
    quantity_kg = forms.DecimalField(label=gettext_lazy("Quantity (kg)"), min_value=0)
    entry_place = forms.CharField(label=gettext_lazy("First store (venue code)"),
                                  max_length=32)
    nat_certificate = forms.CharField(label=gettext_lazy("Nucleic-acid certificate"),
                                      max_length=60, required=False)
    nat_result = forms.ChoiceField(label=gettext_lazy("Result"), choices=NatResult.choices)
    disinfection_certificate = forms.CharField(label=gettext_lazy("Disinfection certificate"),
                                               max_length=60, required=False)
    disinfected_on = forms.DateField(label=gettext_lazy("Disinfected on"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    supervised_checked = forms.BooleanField(
        label=gettext_lazy("Passed the supervised warehouse"), required=False)


class MovementForm(DomainForm):
    batch_code = forms.CharField(label=gettext_lazy("Batch code"), max_length=40)
    from_place = forms.CharField(label=gettext_lazy("From (venue code; empty: the port)"),
                                 max_length=32, required=False)
    to_place = forms.CharField(label=gettext_lazy("To (venue code)"), max_length=32)
    moved_at = forms.DateTimeField(label=gettext_lazy("Moved at"), widget=WHEN)
    quantity_kg = forms.DecimalField(label=gettext_lazy("Quantity (kg)"), min_value=0)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class HandlerForm(DomainForm):
    place_id = forms.IntegerField(label=gettext_lazy("Place"))
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=HandlerRole.choices)


def _record_page(request: HttpRequest, *, status: int = 200, csv_answer: Any = None,
                 **form_overrides: DomainForm) -> HttpResponse:
    actor = actor_of(request)
    context: dict[str, Any] = {
        "places": list(queries.places_for(actor)),
        "batch_form": BatchForm(),
        "movement_form": MovementForm(initial={"client_key": uuid.uuid4().hex}),
        "handler_form": HandlerForm(), "csv_answer": csv_answer}
    context.update(form_overrides)
    return render(request, "coldchain/record.html", context, status=status)


@needs(Right.COLDCHAIN_RECORD)
def record_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _record_page(request)
    actor = actor_of(request)
    which = request.POST.get("form", "")
    form_class = {"batch": BatchForm, "movement": MovementForm,
                  "handler": HandlerForm}.get(which)
    if form_class is None:
        return _record_page(request, status=400)
    actions: dict[str, Callable[..., object]] = {
        "batch": intake.do_record_batch, "movement": intake.do_record_movement,
        "handler": handlers.do_add_handler}
    action = actions[which]
    form = form_class(request.POST)
    if form.submit(action, actor=actor) is None:
        return _record_page(request, status=422, **{f"{which}_form": form})
    messages.success(request, _("Recorded."))
    return redirect("coldchain_record")


@require_POST
@needs(Right.COLDCHAIN_RECORD)
def upload(request: HttpRequest, what: str) -> HttpResponse:
    """A CSV list of batches or movements; every bad line is named, nothing stored."""
    importer = {"batches": intake.do_import_batches,
                "movements": intake.do_import_movements}.get(what)
    file = request.FILES.get("file")
    if importer is None:
        raise NotFound("list")
    try:
        if file is None:
            raise DomainError(_("choose a file"), field="file")
        answer = importer(actor=actor_of(request), data=file.read(),
                          store_good=bool(request.POST.get("store_good")))
    except intake.ListRefused as refused:
        return _record_page(request, status=422,
                            csv_answer={"refused": True, **refused.answer.as_dict()})
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _record_page(request, status=422)
    return _record_page(request, csv_answer=answer.as_dict())


@needs(Right.COLDCHAIN_VIEW)
def batches_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    rows = queries.batches_for(actor_of(request), q=q)[:200]
    return render(request, "coldchain/batches.html", {"rows": rows, "q": q})


@needs(Right.COLDCHAIN_VIEW)
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    detail = queries.batch_detail(actor_of(request), batch_id=batch_id)
    return render(request, "coldchain/batch.html", {"d": detail})


@needs(Right.COLDCHAIN_VIEW)
def handlers_page(request: HttpRequest) -> HttpResponse:
    owing = request.GET.get("all") != "1"
    rows = handlers.handlers_for(actor_of(request), owing_only=owing)
    return render(request, "coldchain/handlers.html", {"rows": rows, "owing": owing})


urlpatterns: list[URLPattern] = [
    path("coldchain/record/", record_page, name="coldchain_record"),
    path("coldchain/record/<str:what>/upload/", upload, name="coldchain_upload"),
    path("coldchain/batches/", batches_page, name="coldchain_batches"),
    path("coldchain/batches/<int:batch_id>/", batch_page, name="coldchain_batch"),
    path("coldchain/handlers/", handlers_page, name="coldchain_handlers"),
]
