"""Assignment and transport pages: awaiting orders → the plan → apply; batches planned,
departed and arrived. Thin: the rules are ``assignment``'s and ``transport``'s."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.quarantine import assignment, facilities, transport
from fangkong.quarantine.forms_facility import BatchForm
from fangkong.quarantine.logic_rooms import Plan
from fangkong.quarantine.models import FacilityStatus, QuarantineOrder, Room
from fangkong.testing.actions_sampling import mask_name
from fangkong.web.access import actor_of, int_param, needs

SHOWN = 500  # rows of a plan shown on the page (the apply covers all)
REASONS = {
    "no_rooms": gettext_lazy("no ready room offered"),
    "too_large": gettext_lazy("no room holds this group"),
    "no_accessible": gettext_lazy("no accessible room large enough"),
    "ran_out": gettext_lazy("rooms ran out"),
}
KINDS = {
    "single": gettext_lazy("alone"),
    "child_carer": gettext_lazy("child with carer"),
    "care_carer": gettext_lazy("cared for, with carer"),
    "children": gettext_lazy("children without an adult"),
}


def _plan_rows(plan: Plan) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The plan with masked names and room numbers for the page."""
    placements, unplaced = plan.placements[:SHOWN], plan.unplaced[:SHOWN]
    keys = {k for p in placements for k in p.group.keys} | {
        k for u in unplaced for k in u.group.keys}
    names = dict(QuarantineOrder.objects.filter(pk__in=keys).values_list("pk", "person__name"))
    rooms = Room.objects.select_related("facility").in_bulk([p.room.key for p in placements])

    def people(keys: tuple[int, ...]) -> str:
        return "、".join(mask_name(names.get(k, "")) for k in keys)

    placed: list[dict[str, object]] = [{"people": people(p.group.keys), "kind": KINDS[p.group.kind],
               "room": rooms[p.room.key]} for p in placements]
    left: list[dict[str, object]] = [{"people": people(u.group.keys), "kind": KINDS[u.group.kind],
             "reason": REASONS[u.reason]} for u in unplaced]
    return placed, left


@needs(Right.QUARANTINE_VIEW)
def assign_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    standby = request.GET.get("standby") == "1"
    plan = assignment.preview_assignment(actor=actor, include_standby=standby)
    placed, left = _plan_rows(plan)
    return render(request, "quarantine/assign.html", {
        "waiting": assignment.awaiting_orders(actor).count(), "plan": plan, "placed": placed,
        "left": left, "standby": standby, "can_manage": actor.can(Right.QUARANTINE_MANAGE)})


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def assign_apply(request: HttpRequest) -> HttpResponse:
    standby = request.POST.get("standby") == "1"
    result = assignment.do_assign_orders(actor=actor_of(request), include_standby=standby)
    messages.success(request, _("%(n)d people assigned a room; %(m)d still waiting.")
                     % {"n": len(result.assigned), "m": result.plan.people_unplaced})
    return redirect("quarantine_batches")


def _batch_form(actor: Actor, facility_id: int | None, data: object = None) -> BatchForm:
    choices = [(f.pk, f"{f.code} {f.name}") for f in facilities.facilities_for(actor)
               .exclude(status=FacilityStatus.CLOSED)]
    if facility_id is None and choices:
        facility_id = choices[0][0]
    waiting = [] if facility_id is None else transport.waiting_for_transport(actor, facility_id)
    orders = [(o.pk, f"{o.room.number if o.room else '—'} · {mask_name(o.person.name)}")
              for o in waiting]
    return BatchForm(data, facilities=choices, orders=orders,
                     initial={"facility_id": facility_id})


def _batches(request: HttpRequest, form: BatchForm | None = None,
             status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    facility_id = int_param(request, "facility")
    return render(request, "quarantine/batches.html", {
        "batches": transport.batches_for(actor)[:200],
        "form": form or _batch_form(actor, facility_id),
        "can_manage": actor.can(Right.QUARANTINE_MANAGE)}, status=status)


@needs(Right.QUARANTINE_VIEW)
def batches_page(request: HttpRequest) -> HttpResponse:
    return _batches(request)


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def batch_add(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    raw = request.POST.get("facility_id", "")
    form = _batch_form(actor, int(raw) if raw.isdigit() else None, request.POST)
    batch = form.submit(transport.do_create_batch, actor=actor)
    if batch is None:
        return _batches(request, form, status=422)
    messages.success(request, _("Batch %(code)s planned.") % {"code": batch.code})
    return redirect("quarantine_batch", batch.pk)


@needs(Right.QUARANTINE_VIEW)
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = actor_of(request)
    batch = transport.get_batch(actor, batch_id)
    riders = [(o, mask_name(o.person.name)) for o in batch.orders.select_related(
        "person", "room").order_by("room__floor", "room__number", "id")]
    return render(request, "quarantine/batch.html", {
        "batch": batch, "riders": riders, "can_manage": actor.can(Right.QUARANTINE_MANAGE)})


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def batch_move(request: HttpRequest, batch_id: int, step: str) -> HttpResponse:
    move = transport.do_depart_batch if step == "depart" else transport.do_arrive_batch
    try:
        batch = move(actor=actor_of(request), batch_id=batch_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("quarantine_batch", batch_id)
    messages.success(request, _("Batch %(code)s: %(status)s.")
                     % {"code": batch.code, "status": batch.get_status_display()})
    return redirect("quarantine_batch", batch_id)


urlpatterns: list[URLPattern] = [
    path("quarantine/assign/", assign_page, name="quarantine_assign"),
    path("quarantine/assign/apply/", assign_apply, name="quarantine_assign_apply"),
    path("quarantine/batches/", batches_page, name="quarantine_batches"),
    path("quarantine/batches/add/", batch_add, name="quarantine_batch_add"),
    path("quarantine/batches/<int:batch_id>/", batch_page, name="quarantine_batch"),
    path("quarantine/batches/<int:batch_id>/depart/", batch_move, {"step": "depart"},
         name="quarantine_batch_depart"),
    path("quarantine/batches/<int:batch_id>/arrive/", batch_move, {"step": "arrive"},
         name="quarantine_batch_arrive"),
]
