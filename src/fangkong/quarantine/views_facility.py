"""Facility pages: the list with rooms by state and people in (and a register form), and one
facility's floor plan with its room states, rooms to add, duty roster and status buttons.
Thin: the rules are ``facilities``'."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.quarantine import facilities, views_assign
from fangkong.quarantine.forms_facility import FacilityForm, RoomsForm, ShiftForm
from fangkong.quarantine.models import (
    Facility,
    FacilityStatus,
    OrderStatus,
    QuarantineOrder,
    RoomState,
)
from fangkong.testing.actions_sampling import mask_name
from fangkong.web.access import actor_of, needs


def _list_page(request: HttpRequest, form: FacilityForm | None = None,
               status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    qs = facilities.facilities_for(actor)
    counts = facilities.occupancy(qs)
    rows = [(f, counts[f.pk]) for f in qs]
    totals = {k: sum(getattr(c, k) for _f, c in rows) for k in (
        "ready", "occupied", "disinfecting", "out", "beds_ready", "people_in",
        "people_expected")}
    return render(request, "quarantine/facilities.html", {
        "rows": rows, "totals": totals, "can_manage": actor.can(Right.QUARANTINE_MANAGE),
        "form": form or FacilityForm(actor=actor)}, status=status)


@needs(Right.QUARANTINE_VIEW)
def facilities_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def facility_add(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = FacilityForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            f = facilities.do_register_facility(actor=actor, **form.action_values())
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Facility %(code)s registered, on standby.")
                             % {"code": f.code})
            return redirect("quarantine_facility", f.pk)
    return _list_page(request, form, status=422)


def _occupants(facility: Facility) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for room_id, name in (QuarantineOrder.objects.filter(
            facility=facility, room__isnull=False,
            status__in=[OrderStatus.AWAITING, OrderStatus.IN_FACILITY])
            .order_by("id").values_list("room_id", "person__name")):
        names[room_id].append(mask_name(name))
    return names


def _detail(request: HttpRequest, facility_id: int, forms: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    facility = facilities.get_facility(actor, facility_id)
    names = _occupants(facility)
    rooms = [(r, names.get(r.pk, [])) for r in facility.rooms.order_by("-floor", "number")]
    floors = [(floor, list(items)) for floor, items in groupby(rooms, key=lambda x: x[0].floor)]
    context = {
        "facility": facility, "floors": floors,
        "counts": facilities.occupancy(Facility.objects.filter(pk=facility.pk))[facility.pk],
        "shifts": facilities.shifts_of(facility, since=clock.now()),
        "statuses": FacilityStatus.choices, "states": RoomState,
        "can_manage": actor.can(Right.QUARANTINE_MANAGE),
        "rooms_form": RoomsForm(), "shift_form": ShiftForm(), **(forms or {})}
    return render(request, "quarantine/facility.html", context, status=status)


@needs(Right.QUARANTINE_VIEW)
def facility_page(request: HttpRequest, facility_id: int) -> HttpResponse:
    return _detail(request, facility_id)


def _act(request: HttpRequest, facility_id: int, run: Any, done: str) -> HttpResponse:
    """Run one action of the facility page; a refusal is shown on the page (422)."""
    try:
        run()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, facility_id, status=422)
    messages.success(request, done)
    return redirect("quarantine_facility", facility_id)


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def facility_status(request: HttpRequest, facility_id: int) -> HttpResponse:
    value = request.POST.get("status", "")
    return _act(request, facility_id, lambda: facilities.do_set_facility_status(
        actor=actor_of(request), facility_id=facility_id, status=value),
        _("Facility status changed."))


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def room_state(request: HttpRequest, facility_id: int, room_id: int) -> HttpResponse:
    actor = actor_of(request)
    if not facilities.rooms_for(actor).filter(pk=room_id, facility_id=facility_id).exists():
        raise NotFound("room")
    value = request.POST.get("state", "")
    return _act(request, facility_id, lambda: facilities.do_set_room_state(
        actor=actor, room_id=room_id, state=value), _("Room state changed."))


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def rooms_add(request: HttpRequest, facility_id: int) -> HttpResponse:
    form = RoomsForm(request.POST)
    added = form.submit(facilities.do_add_rooms, actor=actor_of(request),
                        facility_id=facility_id)
    if added is None:
        return _detail(request, facility_id, {"rooms_form": form}, status=422)
    messages.success(request, _("%(n)d rooms added.") % {"n": len(added)})
    return redirect("quarantine_facility", facility_id)


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def shift_add(request: HttpRequest, facility_id: int) -> HttpResponse:
    form = ShiftForm(request.POST)
    if form.submit(facilities.do_add_shift, actor=actor_of(request),
                   facility_id=facility_id) is None:
        return _detail(request, facility_id, {"shift_form": form}, status=422)
    messages.success(request, _("Shift added to the roster."))
    return redirect("quarantine_facility", facility_id)


urlpatterns: list[URLPattern] = [
    path("quarantine/facilities/", facilities_page, name="quarantine_facilities"),
    path("quarantine/facilities/add/", facility_add, name="quarantine_facility_add"),
    path("quarantine/facilities/<int:facility_id>/", facility_page, name="quarantine_facility"),
    path("quarantine/facilities/<int:facility_id>/status/", facility_status,
         name="quarantine_facility_status"),
    path("quarantine/facilities/<int:facility_id>/rooms/", rooms_add,
         name="quarantine_rooms_add"),
    path("quarantine/facilities/<int:facility_id>/rooms/<int:room_id>/state/", room_state,
         name="quarantine_room_state"),
    path("quarantine/facilities/<int:facility_id>/shifts/", shift_add,
         name="quarantine_shift_add"),
    *views_assign.urlpatterns,
]
