"""Hotline pages, tickets part: the queue (filters, overdue highlighted, time left on the SLA),
a new call (with a registry search for the caller and the place), a ticket's page (history,
links, respond / note / assign / route, the follow-up panel of ``_followup.html``), and the two
public forms: the web form (no login, throttled per address) and the resident's form behind
their signed health-code link. Thin: the rules are ``tickets``' and ``queries``'."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import client_ip, scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.healthcode.resident import mask_name, read_resident_token
from fangkong.hotline import queries, tickets
from fangkong.hotline.models import Category, Channel, Ticket, TicketStatus, Urgency
from fangkong.hotline.queries import TicketFilter
from fangkong.registry.models import Building, Person
from fangkong.registry.queries import search_persons
from fangkong.web.access import actor_of, int_param, needs
from fangkong.web.forms import DomainForm

QUEUE_ROWS = 200
BLANK: list[tuple[str, str]] = [("", "—")]


class CallForm(DomainForm):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    urgency = forms.TypedChoiceField(label=gettext_lazy("Urgency"), required=False,
                                     coerce=int, empty_value=None,
                                     choices=[("", gettext_lazy("as the category")),
                                              *Urgency.choices])
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=120)
    description = forms.CharField(label=gettext_lazy("What the caller says"), required=False,
                                  max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    caller_name = forms.CharField(label=gettext_lazy("Caller's name"), required=False,
                                  max_length=64)
    caller_phone = forms.CharField(label=gettext_lazy("Caller's phone"), required=False,
                                   max_length=20)
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    building_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    street_id = forms.TypedChoiceField(label=gettext_lazy("Street (chosen by hand)"),
                                       required=False, coerce=int, empty_value=None)
    address = forms.CharField(label=gettext_lazy("Address as told"), required=False,
                              max_length=200)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class PublicForm(DomainForm):
    street_id = forms.TypedChoiceField(label=gettext_lazy("District and street"), coerce=int)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=120)
    description = forms.CharField(label=gettext_lazy("Your message"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    caller_name = forms.CharField(label=gettext_lazy("Your name"), max_length=64)
    caller_phone = forms.CharField(label=gettext_lazy("Your phone"), max_length=20)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ResidentForm(DomainForm):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=120)
    description = forms.CharField(label=gettext_lazy("Your message"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


def street_choices(streets: list[AdminUnit]) -> list[Any]:
    """Streets grouped under their district (an optgroup each)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    lang = translation.get_language() or ""
    for street in streets:
        district = street.parent.display_name(lang) if street.parent else ""
        groups.setdefault(district, []).append((street.pk, street.display_name(lang)))
    return [*BLANK, *groups.items()]


def left(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """The next deadline of an open ticket: which one, and the minutes left or late by."""
    due = ticket.respond_by if ticket.status == TicketStatus.NEW else ticket.resolve_by
    minutes = int((due - now).total_seconds() // 60)
    return {"kind": "respond" if ticket.status == TicketStatus.NEW else "resolve",
            "minutes": abs(minutes), "span": span_text(abs(minutes)), "late": minutes < 0,
            "due": due}


def span_text(minutes: int) -> str:
    """Minutes as a person reads a deadline: minutes under two hours, then hours, then days."""
    if minutes < 120:
        return _("%(n)d min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)d h") % {"n": minutes // 60}
    return _("%(n)d days") % {"n": minutes // (24 * 60)}


# ---------------------------------------------------------------- staff pages


def _filters(request: HttpRequest) -> TicketFilter:
    get = request.GET
    return TicketFilter(status=get.get("status", ""), category=get.get("category", ""),
                        channel=get.get("channel", ""), overdue=get.get("overdue") == "1",
                        unrouted=get.get("unrouted") == "1", unit_id=int_param(request, "unit"))


@needs(Right.HOTLINE_VIEW)
def queue_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    where, error = _filters(request), ""
    try:
        rows = list(queries.tickets_for(actor, filters=where)[:QUEUE_ROWS])
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        rows, error = [], exc.message
    now = clock.now()
    items = [{"t": t, "overdue": queries.is_overdue(t, now),
              "left": left(t, now) if t.status in queries.OPEN_STATES else None} for t in rows]
    return render(request, "hotline/tickets.html", {
        "items": items, "where": where, "error": error, "counts": queries.counts_for(actor),
        "statuses": TicketStatus.choices, "categories": Category.choices,
        "channels": Channel.choices, "can_take": actor.can(Right.HOTLINE_TAKE),
        "capped": len(rows) == QUEUE_ROWS})


def _search(request: HttpRequest) -> dict[str, Any]:
    """Callers (by phone or ID number, or their last four digits) and buildings (by name or
    address) for the new call form, in the agent's scope."""
    actor, term = actor_of(request), request.GET.get("q", "").strip()[:64]
    if not term:
        return {"q": ""}
    people = search_persons(actor=actor, term=term, size=10).items
    buildings = list(scope(Building.objects.filter(address__contains=term), actor)
                     .order_by("id")[:10]) if len(term) >= 2 else []
    return {"q": term, "people": people, "buildings": buildings}


@require_http_methods(["GET", "POST"])
@needs(Right.HOTLINE_TAKE)
def new_call_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    streets = list(scope(AdminUnit.objects.filter(level=Level.STREET), actor)
                   .select_related("parent").order_by("code"))
    if request.method == "POST":
        form = CallForm(request.POST)
        form.fields["street_id"].choices = street_choices(streets)  # type: ignore[attr-defined]
        ticket = form.submit(tickets.do_take_call, actor=actor)
        if ticket is not None:
            messages.success(request, _("Ticket %(n)s opened.") % {"n": ticket.number})
            return redirect("hotline_ticket", ticket_id=ticket.pk)
        status = 422
    else:
        form = CallForm(initial={"client_key": secrets.token_hex(16),
                                 "person_id": int_param(request, "person"),
                                 "building_id": int_param(request, "building")})
        form.fields["street_id"].choices = street_choices(streets)  # type: ignore[attr-defined]
        status = 200
    return render(request, "hotline/ticket_new.html",
                  {"form": form, **_search(request), **_chosen(request, form)}, status=status)


def _chosen(request: HttpRequest, form: CallForm) -> dict[str, Any]:
    """The caller and building already chosen (shown above the form)."""
    actor = actor_of(request)
    data = form.data if form.is_bound else form.initial
    person_id, building_id = data.get("person_id"), data.get("building_id")
    found: dict[str, Any] = {}
    if person_id:
        found["person"] = scope(Person.objects.filter(pk=person_id), actor).first()
    if building_id:
        found["building"] = scope(Building.objects.filter(pk=building_id), actor).first()
    return found


@needs(Right.HOTLINE_VIEW)
def ticket_page(request: HttpRequest, ticket_id: int, revealed: str = "") -> HttpResponse:
    actor = actor_of(request)
    detail = queries.ticket_detail(actor, ticket_id=ticket_id)
    ticket = detail.ticket
    now = clock.now()
    streets = list(scope(AdminUnit.objects.filter(level=Level.STREET), actor)
                   .select_related("parent").order_by("code")) \
        if actor.can(Right.HOTLINE_TAKE) else []
    return render(request, "hotline/ticket.html", {
        "ticket": ticket, "detail": detail, "revealed": revealed,
        "left": left(ticket, now) if ticket.status in queries.OPEN_STATES else None,
        "can_handle": actor.can(Right.HOTLINE_HANDLE), "can_take": actor.can(Right.HOTLINE_TAKE),
        "handlers": queries.handlers_for(ticket) if actor.can(Right.HOTLINE_HANDLE) else [],
        "street_choices": street_choices(streets)[1:]})


def _post(request: HttpRequest, ticket_id: int, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("hotline_ticket", ticket_id=ticket_id)


@require_POST
@needs(Right.HOTLINE_HANDLE)
def respond(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _post(request, ticket_id, lambda: tickets.do_respond(
        actor=actor_of(request), ticket_id=ticket_id, note=request.POST.get("note", "")),
        _("First response recorded."))


@require_POST
@needs(Right.HOTLINE_VIEW)
def note(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _post(request, ticket_id, lambda: tickets.do_note(
        actor=actor_of(request), ticket_id=ticket_id, note=request.POST.get("note", "")),
        _("Note added."))


@require_POST
@needs(Right.HOTLINE_HANDLE)
def assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _post(request, ticket_id, lambda: tickets.do_assign(
        actor=actor_of(request), ticket_id=ticket_id,
        assignee_id=int(request.POST.get("assignee_id", "0") or 0)), _("Assigned."))


@require_POST
@needs(Right.HOTLINE_TAKE)
def route(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _post(request, ticket_id, lambda: tickets.do_route_ticket(
        actor=actor_of(request), ticket_id=ticket_id,
        street_id=int(request.POST.get("street_id", "0") or 0)), _("Ticket routed."))


@require_POST
@needs(Right.PII_VIEW)
def reveal(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The caller's full number, in this response only; the read is audited."""
    phone = queries.reveal_caller(actor_of(request), ticket_id=ticket_id)
    return ticket_page(request, ticket_id, revealed=phone)


# ---------------------------------------------------------------- public forms


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in ("zh-hans", "en") else translation.get_language() or "zh-hans"


@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest) -> HttpResponse:
    """The web form of 12345 (no login): the answer is the number to quote."""
    with translation.override(_language(request)):
        choices = street_choices(queries.streets_for_public())
        form = PublicForm(request.POST if request.method == "POST" else None,
                          initial={"client_key": secrets.token_hex(16)})
        form.fields["street_id"].choices = choices  # type: ignore[attr-defined]
        ticket = form.submit(tickets.do_open_web_ticket, ip=client_ip(request)) \
            if request.method == "POST" else None
        status = 200 if request.method == "GET" or ticket else 422
        response = render(request, "hotline/public_new.html",
                          {"form": form, "ticket": ticket, "lang": _language(request)},
                          status=status)
    return _private(response)


@require_http_methods(["GET", "POST"])
def resident_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """A resident writes to 12345 from their health-code link (the link is the credential)."""
    with translation.override(_language(request)):
        try:
            person = read_resident_token(token)
        except NotFound:
            return _private(render(request, "healthcode/resident_invalid.html", status=404))
        form = ResidentForm(request.POST if request.method == "POST" else None,
                            initial={"client_key": secrets.token_hex(16)})
        ticket = form.submit(tickets.do_open_resident_ticket, token=token,
                             ip=client_ip(request)) if request.method == "POST" else None
        mine = Ticket.objects.filter(person=person).exclude(channel=Channel.APPEAL) \
            .order_by("-created_at")[:10]
        status = 200 if request.method == "GET" or ticket else 422
        response = render(request, "hotline/resident_ticket.html", {
            "form": form, "ticket": ticket, "mine": mine, "person_name": mask_name(person.name),
            "token": token, "lang": _language(request)}, status=status)
    return _private(response)


urlpatterns: list[URLPattern] = [
    path("hotline/tickets/", queue_page, name="hotline_tickets"),
    path("hotline/tickets/new/", new_call_page, name="hotline_ticket_new"),
    path("hotline/tickets/<int:ticket_id>/", ticket_page, name="hotline_ticket"),
    path("hotline/tickets/<int:ticket_id>/respond", respond, name="hotline_ticket_respond"),
    path("hotline/tickets/<int:ticket_id>/note", note, name="hotline_ticket_note"),
    path("hotline/tickets/<int:ticket_id>/assign", assign, name="hotline_ticket_assign"),
    path("hotline/tickets/<int:ticket_id>/route", route, name="hotline_ticket_route"),
    path("hotline/tickets/<int:ticket_id>/reveal", reveal, name="hotline_ticket_reveal"),
    path("12345/", public_new, name="hotline_public_new"),
    path("c/<str:token>/hotline/", resident_ticket, name="hotline_resident_ticket"),
]
