"""Room assignment: awaiting centralised orders the actor may see, ready rooms of the
facilities they may see, and the exact plan of ``logic_rooms.assign`` between them.

The preview and the apply compute the same plan; the apply recomputes it on locked rows, so two
officers applying at once never put two groups in one room. A room in a standby facility is
used only when asked for, and using it puts the facility in service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from fangkong.core import clock
from fangkong.core.audit import audit_row, record, record_many
from fangkong.core.bulk import update_rows
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import AuditLog
from fangkong.core.rights import Right
from fangkong.quarantine.logic_rooms import Arrival, Plan, RoomSlot, assign, group_arrivals
from fangkong.quarantine.models import (
    Facility,
    FacilityStatus,
    OrderKind,
    OrderStatus,
    QuarantineOrder,
    Room,
    RoomState,
)


@dataclass
class AssignmentResult:
    plan: Plan
    assigned: list[int] = field(default_factory=list)  # order ids
    activated: list[int] = field(default_factory=list)  # facility ids put in service


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def awaiting_orders(actor: Actor, order_ids: Iterable[int] | None = None
                    ) -> QuerySet[QuarantineOrder]:
    """Centralised orders in the actor's scope still waiting for a room."""
    qs = scope(QuarantineOrder.objects.filter(
        kind=OrderKind.CENTRALISED, status=OrderStatus.AWAITING, room__isnull=True), actor)
    if order_ids is not None:
        qs = qs.filter(pk__in=list(order_ids))
    return qs.select_related("person").order_by("id")


def offered_rooms(actor: Actor, facility_ids: Iterable[int] | None = None, *,
                  include_standby: bool = False) -> QuerySet[Room]:
    """Ready rooms of the facilities in use (and on standby, if asked) the actor may see."""
    statuses = [FacilityStatus.ACTIVE] + ([FacilityStatus.STANDBY] if include_standby else [])
    qs = scope(Room.objects.filter(state=RoomState.READY, facility__status__in=statuses),
               actor, via="facility__")
    if facility_ids is not None:
        qs = qs.filter(facility_id__in=list(facility_ids))
    return qs.select_related("facility").order_by("facility_id", "floor", "number")


def arrival_of(order: QuarantineOrder, today: dt.date) -> Arrival:
    person = order.person
    return Arrival(key=order.pk, household=person.household_id,
                   age=age_on(person.birth_date, today),
                   needs_care=person.over80_alone or person.disabled,
                   needs_accessible=person.disabled, home_district=order.district_id)


def slot_of(room: Room) -> RoomSlot:
    return RoomSlot(key=room.pk, facility=room.facility_id, capacity=room.capacity,
                    accessible=room.accessible,
                    active=room.facility.status == FacilityStatus.ACTIVE,
                    district=room.facility.district_id)


def _plan(orders: Iterable[QuarantineOrder], rooms: Iterable[Room]) -> Plan:
    today = clock.city_today()
    groups = group_arrivals(arrival_of(o, today) for o in orders)
    return assign(groups, [slot_of(r) for r in rooms])


def preview_assignment(*, actor: Actor, order_ids: Iterable[int] | None = None,
                       facility_ids: Iterable[int] | None = None,
                       include_standby: bool = False) -> Plan:
    """The plan ``do_assign_orders`` would apply now (nothing is written)."""
    actor.require(Right.QUARANTINE_VIEW)
    return _plan(awaiting_orders(actor, order_ids),
                 offered_rooms(actor, facility_ids, include_standby=include_standby))


def do_assign_orders(*, actor: Actor, order_ids: Iterable[int] | None = None,
                     facility_ids: Iterable[int] | None = None,
                     include_standby: bool = False) -> AssignmentResult:
    """Give rooms to the awaiting orders: sets the order's facility and room, the room
    occupied; one audit row per order. Orders assigned meanwhile are skipped, not doubled."""
    actor.require(Right.QUARANTINE_MANAGE)
    ids = None if order_ids is None else list(order_ids)
    with transaction.atomic():
        orders = list(awaiting_orders(actor, ids).select_for_update(of=("self",)))
        rooms = list(offered_rooms(actor, facility_ids, include_standby=include_standby)
                     .select_for_update(of=("self",)))
        plan = _plan(orders, rooms)
        result = AssignmentResult(plan=plan)
        _apply(actor, plan, {o.pk: o for o in orders}, {r.pk: r for r in rooms}, result)
    return result


def _apply(actor: Actor, plan: Plan, orders: dict[int, QuarantineOrder],
           rooms: dict[int, Room], result: AssignmentResult) -> None:
    now = clock.now()
    changed_orders: list[QuarantineOrder] = []
    changed_rooms: list[Room] = []
    facilities: dict[int, Facility] = {}
    audit: list[AuditLog] = []
    for placement in plan.placements:
        room = rooms[placement.room.key]
        room.state, room.state_since = RoomState.OCCUPIED, now
        changed_rooms.append(room)
        facilities[room.facility_id] = room.facility
        for key in placement.group.keys:
            order = orders[key]
            order.facility_id, order.room_id = room.facility_id, room.pk
            changed_orders.append(order)
            result.assigned.append(order.pk)
            audit.append(audit_row(
                actor=actor, verb="quarantine.order.assign", target=order,
                before={"facility": None, "room": None},
                after={"facility": room.facility_id, "room": room.pk,
                       "room_number": room.number, "group": list(placement.group.keys)}))
    update_rows(model=Room, fields=["state", "state_since"], objs=changed_rooms)
    update_rows(model=QuarantineOrder, fields=["facility", "room"], objs=changed_orders)
    record_many(audit)
    for facility in facilities.values():
        if facility.status == FacilityStatus.STANDBY:
            Facility.objects.filter(pk=facility.pk).update(status=FacilityStatus.ACTIVE)
            record(actor=actor, verb="quarantine.facility.status", target=facility,
                   before={"status": FacilityStatus.STANDBY},
                   after={"status": FacilityStatus.ACTIVE, "by": "assignment"})
            result.activated.append(facility.pk)
