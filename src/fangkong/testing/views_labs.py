"""The labs register page: the labs in the viewer's subtree with their capacity, a form to
register one and an inline capacity edit (both need ``screening.manage``). Thin: the rules
are ``labs.do_register_lab`` / ``do_edit_lab``'s."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, units_in_scope
from fangkong.core.models import Level
from fangkong.core.rights import Right
from fangkong.testing import labs
from fangkong.testing.forms_campaign import DomainForm
from fangkong.web.access import actor_of, needs

PICKER_LIMIT = 400


class LabForm(DomainForm):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=128)
    tubes_per_hour = forms.IntegerField(label=gettext_lazy("Tubes an hour"), min_value=1,
                                        max_value=labs.MAX_RATE)
    unit_id = forms.TypedChoiceField(label=gettext_lazy("Placed at"), coerce=int,
                                     help_text=gettext_lazy("a district or a street"))


def _form(actor: Actor, data: Any = None) -> LabForm:
    form = LabForm(data)
    units = [] if actor.unit is None else (
        units_in_scope(actor).filter(level__in=[Level.DISTRICT, Level.STREET])
        .order_by("code")[:PICKER_LIMIT])
    form.fields["unit_id"].choices = [  # type: ignore[attr-defined]
        (u.pk, ("" if u.level == Level.DISTRICT else "· ") + u.name) for u in units]
    return form


def _page(request: HttpRequest, form: LabForm | None = None, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    rows = labs.labs_in_scope(actor)
    return render(request, "testing/labs.html", {
        "labs": rows, "total": rows.aggregate(n=Sum("tubes_per_hour"))["n"] or 0,
        "form": form or _form(actor), "can_manage": actor.can(Right.SCREENING_MANAGE)},
        status=status)


@needs(Right.SCREENING_VIEW)
def labs_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@needs(Right.SCREENING_MANAGE)
def lab_add(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = _form(actor, request.POST)
    if form.is_valid():
        try:
            lab = labs.do_register_lab(actor=actor, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Lab %(code)s registered.") % {"code": lab.code})
            return redirect("screening_labs")
    return _page(request, form, status=422)


@require_POST
@needs(Right.SCREENING_MANAGE)
def lab_edit(request: HttpRequest, lab_id: int) -> HttpResponse:
    raw = request.POST.get("tubes_per_hour", "").strip()
    try:
        lab = labs.do_edit_lab(actor=actor_of(request), lab_id=lab_id,
                               tubes_per_hour=int(raw) if raw.isdigit() else 0)
    except (NotFound, PermissionDenied):
        raise  # 404 / 403 from the access wrapper
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, status=422)
    messages.success(request, _("Lab %(code)s now tests %(n)d tubes an hour.")
                     % {"code": lab.code, "n": lab.tubes_per_hour})
    return redirect("screening_labs")


urlpatterns: list[URLPattern] = [
    path("screening/labs/", labs_page, name="screening_labs"),
    path("screening/labs/add/", lab_add, name="screening_lab_add"),
    path("screening/labs/<int:lab_id>/edit/", lab_edit, name="screening_lab_edit"),
]
