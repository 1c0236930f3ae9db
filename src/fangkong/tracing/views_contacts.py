"""The contacts work list of the actor's grid or area, and its per-row actions (assign to me,
notified, located, transferred). With htmx a row action answers the row alone, redrawn, with
any refusal written in it; without JavaScript the plain form posts and is sent back to the
list with a message."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.tracing import queries
from fangkong.tracing.actions_contacts import do_advance_contact, do_assign_contact
from fangkong.tracing.forms import AdvanceForm, ContactFilter
from fangkong.tracing.views import PAGE_SIZE, page_of
from fangkong.web.access import actor_of, int_param, needs


@needs(Right.TRACING_VIEW)
def contacts_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    where = ContactFilter(request.GET)
    status, kind = where.value("status") or "", where.value("type") or ""
    overdue = bool(where.value("overdue"))
    rows = queries.contacts_for(actor=actor, status=status, contact_type=kind, overdue=overdue,
                                after=int_param(request, "after"), limit=PAGE_SIZE + 1)
    return render(request, "tracing/contacts.html", {
        "page": page_of(rows), "filter": where, "status": status, "contact_type": kind,
        "overdue": overdue, "can_manage": actor.can(Right.CONTACT_MANAGE),
        "next_url": request.get_full_path()})


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _answer(request: HttpRequest, contact_id: int, *, done: str, error: str = ""
            ) -> HttpResponse:
    """The redrawn row (htmx), or back to the list the form was posted from."""
    if _is_htmx(request):
        actor = actor_of(request)
        contact = queries.get_contact(actor=actor, contact_id=contact_id)
        return render(request, "tracing/_contact_row.html", {
            "c": contact, "row_error": error, "can_manage": actor.can(Right.CONTACT_MANAGE),
            "next_url": _next(request)})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_next(request) or "tracing_contacts")


def _next(request: HttpRequest) -> str:
    """The list page the form came from, when it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@require_POST
@needs(Right.CONTACT_MANAGE)
def contact_assign(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        do_assign_contact(actor=actor, contact_id=contact_id, owner_id=actor.user_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _answer(request, contact_id, done="", error=exc.message)
    return _answer(request, contact_id, done=_("Contact assigned to you."))


@require_POST
@needs(Right.CONTACT_MANAGE)
def contact_advance(request: HttpRequest, contact_id: int) -> HttpResponse:
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        return _answer(request, contact_id, done="", error=_field_errors(form))
    data = form.cleaned_data
    try:
        do_advance_contact(actor=actor_of(request), contact_id=contact_id,
                           to_status=data["to_status"], disposition=data["disposition"],
                           destination=data["destination"])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.add_domain_error(exc)
        return _answer(request, contact_id, done="", error=_field_errors(form))
    return _answer(request, contact_id, done=_("Contact updated."))


def _field_errors(form: AdvanceForm) -> str:
    """'Field: message' for each error, so the row says what was wrong."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts += [f"{label}: {e}" if label else str(e) for e in errors]
    return " ".join(parts)
