"""Hotline pages, followup part: resolve and call back (the panel on a ticket's page posts
here), the answer-template picker (HTMX fragments), the callbacks due, and the rates per unit.
Thin: the rules are ``followup``, ``answers`` and ``rates``'s."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.hotline import answers, followup, rates
from fangkong.hotline.models import Category
from fangkong.web.access import actor_of, int_param, needs

DEFAULT_DAYS = 7


def _back(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """To the page the form was on (the ticket's), else the ticket page, else the callbacks."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    try:
        return redirect(reverse("hotline_ticket", args=[ticket_id]))
    except NoReverseMatch:
        return redirect("hotline_callbacks")


def _act(request: HttpRequest, ticket_id: int, action: Any, done: str) -> HttpResponse:
    """Run an action; its refusal comes back as a message on the page it came from."""
    try:
        action()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(request, ticket_id)


@require_POST
@needs(Right.HOTLINE_HANDLE)
def resolve(request: HttpRequest, ticket_id: int) -> HttpResponse:
    post = request.POST
    return _act(request, ticket_id, lambda: followup.do_resolve_ticket(
        actor=actor_of(request), ticket_id=ticket_id, answer=post.get("answer", ""),
        template_key=post.get("template", "").strip()), _("Ticket resolved; a callback is due."))


def _satisfaction(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


@require_POST
@needs(Right.HOTLINE_TAKE)
def callback(request: HttpRequest, ticket_id: int) -> HttpResponse:
    post = request.POST
    reached = post.get("reached") == "yes"
    return _act(request, ticket_id, lambda: followup.do_callback(
        actor=actor_of(request), ticket_id=ticket_id, reached=reached,
        satisfaction=_satisfaction(post.get("satisfaction", "")) if reached else None,
        note=post.get("note", "")), _("Callback recorded."))


@require_GET
@needs(Right.HOTLINE_HANDLE)
def answer_picker(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The templates of the policy in force, the ticket's category first (HTMX fragment)."""
    ticket = followup.get_ticket(actor=actor_of(request), ticket_id=ticket_id)
    en = (get_language() or "").startswith("en")
    found = answers.templates_in_force(on=clock.city_today()).select_related("policy")
    rows = sorted(found, key=lambda t: (t.category != ticket.category, t.category, t.key))
    return render(request, "hotline/followup_picker.html", {
        "ticket": ticket, "templates": [
            {"key": t.key, "title": (t.title_en or t.title) if en else t.title,
             "category": Category(t.category).label, "policy": t.policy.name} for t in rows]})


@require_GET
@needs(Right.HOTLINE_HANDLE)
def answer_text(request: HttpRequest) -> HttpResponse:
    """The chosen template filled with today's rules, as the answer box (HTMX fragment)."""
    key = request.GET.get("template", "")
    text, error = "", ""
    if key:
        try:
            text = answers.filled_answer(key=key, on=clock.city_today(),
                                         language=get_language() or "").text
        except DomainError as exc:
            error = exc.message
    return render(request, "hotline/followup_answer.html",
                  {"text": text, "error": error, "key": key})


@needs(Right.HOTLINE_VIEW)
def callbacks_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    overdue = request.GET.get("show") == "overdue"
    rows = followup.callbacks_due(actor=actor, now=clock.now(), overdue_only=overdue)
    return render(request, "hotline/followup_callbacks.html", {
        "rows": rows, "overdue_only": overdue, "can_take": actor.can(Right.HOTLINE_TAKE)})


def _day(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@needs(Right.HOTLINE_VIEW)
def rates_page(request: HttpRequest) -> HttpResponse:
    today = clock.city_today()
    until = _day(request.GET.get("until", ""), today)
    since = _day(request.GET.get("since", ""), until - dt.timedelta(days=DEFAULT_DAYS - 1))
    key = request.GET.get("sort", "name")
    key = key if key in rates.SORT_KEYS else "name"
    descending = request.GET.get("dir") == "desc"
    try:
        table = rates.rates_table(actor=actor_of(request), since=since, until=until,
                                  unit_id=int_param(request, "unit"))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("hotline_rates")
    rows = rates.sort_rows(table.rows, key=key, descending=descending)
    return render(request, "hotline/rates.html", {
        "table": table, "rows": rows, "sort": key, "descending": descending,
        "columns": rates.SORT_KEYS, "chart": _chart(rows)})


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _chart(rows: list[rates.RateRow]) -> dict[str, Any]:
    language = get_language() or ""
    return {
        "units": [r.unit.display_name(language) if r.unit else _("not routed") for r in rows],
        "series": [
            {"name": _("responded in time"), "values": [_pct(r.rates.responded_in_time)
                                                        for r in rows]},
            {"name": _("resolved in time"), "values": [_pct(r.rates.resolved_in_time)
                                                       for r in rows]},
            {"name": _("satisfied"), "values": [_pct(r.rates.satisfaction) for r in rows]},
        ],
    }


urlpatterns: list[URLPattern] = [
    path("hotline/tickets/<int:ticket_id>/resolve", resolve, name="hotline_ticket_resolve"),
    path("hotline/tickets/<int:ticket_id>/callback", callback, name="hotline_ticket_callback"),
    path("hotline/tickets/<int:ticket_id>/answers", answer_picker, name="hotline_answer_picker"),
    path("hotline/answers/fill", answer_text, name="hotline_answer_text"),
    path("hotline/callbacks/", callbacks_page, name="hotline_callbacks"),
    path("hotline/rates/", rates_page, name="hotline_rates"),
]
