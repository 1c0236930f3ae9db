"""Early-warning pages, arrivals part: the checkpoint's counter (``warning_checkpoint``), a
list upload, the arrivals of one's jurisdiction with their tests (``warning_arrivals``) and
the list of risk origins (``warning_origins``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.privacy import mask_id_number
from fangkong.core.rights import Right
from fangkong.warning import arrivals, origins
from fangkong.warning.models import ArrivalSource
from fangkong.web.access import actor_of, int_param, needs
from fangkong.web.forms import WHEN, DomainForm


class CounterForm(DomainForm):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18, required=False,
                                widget=forms.TextInput(attrs={"autofocus": True,
                                                              "autocomplete": "off"}))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    origin = forms.CharField(label=gettext_lazy("From"), max_length=100, required=False,
                             widget=forms.TextInput(attrs={"list": "origins"}))
    arrived_at = forms.DateTimeField(label=gettext_lazy("Arrived at"), widget=WHEN)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=ArrivalSource.choices)
    checkpoint = forms.CharField(label=gettext_lazy("Checkpoint"), max_length=100)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class OriginForm(DomainForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=24)
    listed_from = forms.DateField(label=gettext_lazy("Listed from"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    listed_until = forms.DateField(label=gettext_lazy("Listed until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def _may_record(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A checkpoint (``warning.checkpoint``) or a manager (``warning.manage``)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = actor_of(request)
        if not (actor.can(Right.CHECKPOINT) or actor.can(Right.WARNING_MANAGE)):
            raise HttpForbidden(Right.CHECKPOINT.value)
        return view(request, *args, **kwargs)

    wrapper.required_right = Right.CHECKPOINT  # type: ignore[attr-defined]
    return wrapper


def _counter_page(request: HttpRequest, form: CounterForm, *, status: int = 200,
                  csv_answer: dict[str, Any] | None = None) -> HttpResponse:
    """A checkpoint reads nothing back: the page shows its own count this session and what
    became of the last arrival it typed (masked), nothing from the registry."""
    today = timezone.localdate(clock.now())
    return render(request, "warning/checkpoint.html", {
        "form": form, "csv_answer": csv_answer,
        "count": request.session.get("warning_count", 0),
        "last": request.session.get("warning_last"),
        "listed": origins.origins_for(actor_of(request), on=today)}, status=status)


def _last(stored: arrivals.Stored) -> dict[str, Any]:
    row = stored.record
    return {"who": mask_id_number(row.id_number) if row.id_number else row.name[:1] + "*",
            "matched": row.person_id is not None, "listed": row.risk_origin_id is not None,
            "tests": row.tests.count(), "created": stored.created}


@_may_record
def checkpoint_page(request: HttpRequest) -> HttpResponse:
    """The counter: the ID number is scanned or typed, the rest stays for the next one."""
    session = request.session
    if request.method == "POST":
        form = CounterForm(request.POST)
        stored = form.submit(arrivals.do_record_arrival, actor=actor_of(request))
        if stored is None:
            return _counter_page(request, form, status=422)
        session["warning_checkpoint"] = stored.record.checkpoint
        session["warning_source"] = stored.record.source
        session["warning_origin"] = stored.record.origin
        session["warning_count"] = session.get("warning_count", 0) + stored.created
        session["warning_last"] = _last(stored)
        messages.success(request, _("Arrival recorded.") if stored.created
                         else _("This arrival was recorded before."))
        return redirect("warning_checkpoint")
    form = CounterForm(initial={
        "checkpoint": session.get("warning_checkpoint", ""),
        "source": session.get("warning_source", ArrivalSource.STATION),
        "origin": session.get("warning_origin", ""),
        "arrived_at": timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M")})
    return _counter_page(request, form)


@require_POST
@_may_record
def upload(request: HttpRequest) -> HttpResponse:
    """A list of arrivals (CSV); the answer names every bad line and field."""
    file = request.FILES.get("file")
    form = CounterForm(initial={"checkpoint": request.session.get("warning_checkpoint", "")})
    try:
        if file is None:
            raise DomainError(_("choose a file"), field="file")
        answer = arrivals.do_import_arrivals(actor=actor_of(request), data=file.read(),
                                             file_name=file.name or "",
                                             store_good=bool(request.POST.get("store_good")))
    except arrivals.ListRefused as refused:
        return _counter_page(request, form, status=422,
                             csv_answer={"refused": True, **refused.answer.as_dict()})
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _counter_page(request, form, status=422)
    return _counter_page(request, form, csv_answer=answer.as_dict())


@needs(Right.WARNING_VIEW)
def arrivals_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    rows = arrivals.arrivals_for(actor, grid_id=int_param(request, "grid"),
                                         listed_only=request.GET.get("listed") == "1")
    return render(request, "warning/arrivals.html", {
        "rows": arrivals.with_tests(rows[:200], today=timezone.localdate(clock.now())),
        "listed": request.GET.get("listed") == "1"})


def _origins_page(request: HttpRequest, form: OriginForm, *, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    return render(request, "warning/origins.html", {
        "rows": origins.origins_for(actor), "form": form, "today": timezone.localdate(),
        "can_manage": actor.can(Right.WARNING_MANAGE)}, status=status)


@needs(Right.WARNING_VIEW)
def origins_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _origins_page(request, OriginForm())
    actor = actor_of(request)
    actor.require(Right.WARNING_MANAGE)
    form = OriginForm(request.POST)
    if form.submit(origins.do_add_origin, actor=actor) is None:
        return _origins_page(request, form, status=422)
    messages.success(request, _("The origin is on the list."))
    return redirect("warning_origins")


@require_POST
@needs(Right.WARNING_MANAGE)
def origin_end(request: HttpRequest, origin_id: int) -> HttpResponse:
    field = forms.DateField()
    try:
        until = field.clean(request.POST.get("listed_until", ""))
        origins.do_end_origin(actor=actor_of(request), origin_id=origin_id, listed_until=until)
    except forms.ValidationError:
        messages.error(request, _("give the last day"))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The origin's last listed day is set."))
    return redirect("warning_origins")


urlpatterns: list[URLPattern] = [
    path("warning/checkpoint/", checkpoint_page, name="warning_checkpoint"),
    path("warning/checkpoint/upload/", upload, name="warning_arrivals_upload"),
    path("warning/arrivals/", arrivals_page, name="warning_arrivals"),
    path("warning/origins/", origins_page, name="warning_origins"),
    path("warning/origins/<int:origin_id>/end", origin_end, name="warning_origin_end"),
]
