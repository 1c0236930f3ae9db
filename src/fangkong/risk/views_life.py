"""Pages of life in an area: the request board (file, assign, complete, cancel) and the
special-groups roster. Thin: the rules are ``requests``' and ``roster``'s. The household pages,
the resident's link and the passes have their own modules; their routes are joined here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import Actor, units_in_scope
from fangkong.core.rights import Right, rights_for
from fangkong.risk import requests, roster, views_household, views_passes
from fangkong.risk.forms_life import CareForm, RequestForm
from fangkong.risk.models import RequestKind, RequestStatus
from fangkong.risk.queries import area_for, areas_for
from fangkong.web.access import actor_of, int_param, needs

PICKER_LIMIT = 400
BOARD_LIMIT = 300


def household_choices(actor: Actor) -> list[tuple[int, str]]:
    return [(h.pk, h.address) for h in requests.households_in_areas(actor)[:PICKER_LIMIT]]


def _filters(request: HttpRequest) -> requests.BoardFilter:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    return requests.BoardFilter(
        area_id=int_param(request, "area"),
        status=status if status in RequestStatus.values else "",
        kind=kind if kind in RequestKind.values else "",
        overdue=request.GET.get("overdue") == "1", mine=request.GET.get("mine") == "1")


def _helpers(actor: Actor) -> list[tuple[int, str]]:
    """Whom the actor may hand a request to: themselves, or (staff) the users of their
    subtree; the action checks each assignee's right and scope again."""
    if not requests.may_dispatch(actor) or actor.unit is None:
        return [(actor.user_id, _("me"))] if actor.user_id else []
    users = get_user_model().objects.filter(
        is_active=True, profile__unit__in=units_in_scope(actor)).select_related("profile")
    able = [u for u in users.order_by("username")[:PICKER_LIMIT]
            if Right.RISK_SUPPORT in rights_for(list(u.profile.roles))]
    return [(u.pk, u.get_username()) for u in able]


def _board(request: HttpRequest, form: RequestForm | None = None,
           status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    filters = _filters(request)
    return render(request, "risk/requests.html", {
        "rows": requests.board(actor, filters)[:BOARD_LIMIT], "f": filters,
        "counts": requests.counts(actor, area_id=filters.area_id),
        "areas": areas_for(actor)[:PICKER_LIMIT], "kinds": RequestKind.choices,
        "statuses": RequestStatus.choices, "now": clock.now(),
        "form": form or RequestForm(households=household_choices(actor)),
        "helpers": _helpers(actor), "can_support": actor.can(Right.RISK_SUPPORT)},
        status=status)


@needs(Right.RISK_VIEW)
def board_page(request: HttpRequest) -> HttpResponse:
    return _board(request)


@require_POST
@needs(Right.RISK_SUPPORT)
def request_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = RequestForm(request.POST, households=household_choices(actor))
    req = form.submit(requests.do_create_request, actor=actor)
    if req is None:
        return _board(request, form, status=422)
    messages.success(request, _("Request %(id)d filed for %(address)s.")
                     % {"id": req.pk, "address": req.household.address})
    return redirect("risk_requests")


def _posted_int(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else 0


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/risk/") else reverse("risk_requests"))


@require_POST
@needs(Right.RISK_SUPPORT)
def request_step(request: HttpRequest, request_id: int, step: str) -> HttpResponse:
    """Assign, complete or cancel one request, then back to where the worker was."""
    actor, text = actor_of(request), request.POST.get("text", "")
    try:
        if step == "assign":
            requests.do_assign_request(actor=actor, request_id=request_id,
                                       assignee_id=_posted_int(request, "assignee_id"))
        elif step == "complete":
            requests.do_complete_request(actor=actor, request_id=request_id, outcome=text)
        else:
            requests.do_cancel_request(actor=actor, request_id=request_id, reason=text)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request %(id)d updated.") % {"id": request_id})
    return _back(request)


def _roster(request: HttpRequest, area_id: int, form: CareForm | None = None,
            status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    area = area_for(actor, area_id)
    rows = roster.roster(actor, area)
    return render(request, "risk/roster.html", {
        "area": area, "rows": rows, "form": form, "today": clock.city_today(),
        "unchecked": sum(1 for r in rows if r.check is None),
        "blank": CareForm(), "can_support": actor.can(Right.RISK_SUPPORT)}, status=status)


@needs(Right.RISK_VIEW)
def roster_page(request: HttpRequest, area_id: int) -> HttpResponse:
    return _roster(request, area_id)


@require_POST
@needs(Right.RISK_SUPPORT)
def roster_check(request: HttpRequest, area_id: int) -> HttpResponse:
    form = CareForm(request.POST)
    if form.is_valid():
        try:
            check = roster.do_record_care_check(actor=actor_of(request), area_id=area_id,
                                                **form.action_values())
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return _roster(request, area_id, form, status=422)
        messages.success(request, _("Check of %(name)s recorded.")
                         % {"name": check.person.name})
        return redirect("risk_roster", area_id)
    messages.error(request, _("Please correct the fields marked below."))
    return _roster(request, area_id, form, status=422)


urlpatterns: list[URLPattern] = [
    path("risk/requests/", board_page, name="risk_requests"),
    path("risk/requests/new/", request_create, name="risk_request_create"),
    *[path(f"risk/requests/<int:request_id>/{step}/", request_step, {"step": step},
           name=f"risk_request_{step}") for step in ("assign", "complete", "cancel")],
    path("risk/areas/<int:area_id>/roster/", roster_page, name="risk_roster"),
    path("risk/areas/<int:area_id>/roster/check/", roster_check, name="risk_roster_check"),
    *views_household.urlpatterns,
    *views_passes.urlpatterns,
]
