"""Transport batches: a vehicle run taking assigned people to their facility. Arrival is the
moment the order's centralised phase begins in the facility (``arrived_at``, ``in_facility``).

A batch is Placed at its facility. The orders on it are those the actor sees by residence or
through the facility; an order rides in one open batch at a time. Departing or arriving twice
is answered with the batch as it is (a client may resend).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.quarantine.facilities import get_facility
from fangkong.quarantine.models import (
    BatchStatus,
    FacilityStatus,
    OrderStatus,
    QuarantineOrder,
    TransportBatch,
)

MAX_BATCH = 60  # a coach's seats


def batches_for(actor: Actor) -> QuerySet[TransportBatch]:
    return scope(TransportBatch.objects.select_related("facility"), actor).order_by(
        "-depart_at", "-id")


def get_batch(actor: Actor, batch_id: int, *, for_update: bool = False) -> TransportBatch:
    qs = TransportBatch.objects.select_for_update() if for_update else TransportBatch.objects
    return get_scoped(qs.all(), actor, what="batch", pk=batch_id)


def orders_reachable(actor: Actor) -> QuerySet[QuarantineOrder]:
    """Orders the actor sees by the person's residence or through the facility."""
    if actor.unit is None:
        return QuarantineOrder.objects.none()
    by_home = scope(QuarantineOrder.objects.all(), actor).values("pk")
    by_facility = scope(QuarantineOrder.objects.all(), actor, via="facility__").values("pk")
    return QuarantineOrder.objects.filter(Q(pk__in=by_home) | Q(pk__in=by_facility))


def waiting_for_transport(actor: Actor, facility_id: int) -> QuerySet[QuarantineOrder]:
    """Orders assigned to the facility, not yet arrived and on no open batch."""
    return (orders_reachable(actor)
            .filter(facility_id=facility_id, status=OrderStatus.AWAITING)
            .filter(Q(batch__isnull=True) | Q(batch__status=BatchStatus.ARRIVED))
            .select_related("person", "room").order_by("room__floor", "room__number", "id"))


def _next_code(facility_code: str, day: dt.date) -> str:
    stem = f"{facility_code}-{day:%m%d}-"
    n = TransportBatch.objects.filter(code__startswith=stem).count() + 1
    while TransportBatch.objects.filter(code=f"{stem}{n}").exists():
        n += 1
    return f"{stem}{n}"


def check_create_batch(*, actor: Actor, facility_id: int, order_ids: list[int],
                       vehicle: str) -> list[QuarantineOrder]:
    actor.require(Right.QUARANTINE_MANAGE)
    facility = get_facility(actor, facility_id)
    if facility.status == FacilityStatus.CLOSED:
        raise Conflict(_("the facility is closed"), field="facility_id")
    if not order_ids:
        raise DomainError(_("choose the people on this batch"), field="order_ids")
    if len(set(order_ids)) > MAX_BATCH:
        raise DomainError(_("a batch carries at most %(n)d people") % {"n": MAX_BATCH},
                          field="order_ids")
    if len(vehicle.strip()) > 32:
        raise DomainError(_("the vehicle has at most 32 characters"), field="vehicle")
    orders = list(waiting_for_transport(actor, facility_id).select_for_update(of=("self",))
                  .filter(pk__in=set(order_ids)))
    missing = sorted(set(order_ids) - {o.pk for o in orders})
    if missing:
        raise DomainError(_("orders not waiting for transport to this facility: %(ids)s")
                          % {"ids": ", ".join(map(str, missing[:10]))}, field="order_ids")
    return orders


def do_create_batch(*, actor: Actor, facility_id: int, order_ids: Iterable[int],
                    vehicle: str = "", depart_at: dt.datetime | None = None) -> TransportBatch:
    """Plan a run taking ``order_ids`` (all assigned to the facility) there."""
    ids = list(order_ids)
    with transaction.atomic():
        orders = check_create_batch(actor=actor, facility_id=facility_id, order_ids=ids,
                                    vehicle=vehicle)
        facility = get_facility(actor, facility_id)
        when = depart_at or clock.now()
        batch = TransportBatch(
            code=_next_code(facility.code, when.astimezone(dt.UTC).date()), facility=facility,
            vehicle=vehicle.strip(), depart_at=when, created_by_id=actor.user_id)
        batch.district_id, batch.street_id = facility.district_id, facility.street_id
        batch.community_id, batch.grid_id = facility.community_id, facility.grid_id
        batch.save(force_insert=True)
        QuarantineOrder.objects.filter(pk__in=[o.pk for o in orders]).update(batch=batch)
        record(actor=actor, verb="quarantine.batch.create", target=batch,
               after={**snapshot(batch), "orders": sorted(o.pk for o in orders)})
    return batch


def do_depart_batch(*, actor: Actor, batch_id: int, at: dt.datetime | None = None
                    ) -> TransportBatch:
    """The vehicle has left with its people."""
    actor.require(Right.QUARANTINE_MANAGE)
    with transaction.atomic():
        batch = get_batch(actor, batch_id, for_update=True)
        if batch.status != BatchStatus.PLANNED:
            return batch
        before = snapshot(batch)
        batch.status, batch.depart_at = BatchStatus.DEPARTED, at or clock.now()
        batch.save(update_fields=["status", "depart_at"])
        record(actor=actor, verb="quarantine.batch.depart", target=batch, before=before,
               after=snapshot(batch))
    return batch


def do_arrive_batch(*, actor: Actor, batch_id: int, at: dt.datetime | None = None
                    ) -> TransportBatch:
    """The batch reached the facility: each order on it starts its stay there."""
    actor.require(Right.QUARANTINE_MANAGE)
    with transaction.atomic():
        batch = get_batch(actor, batch_id, for_update=True)
        if batch.status == BatchStatus.ARRIVED:
            return batch
        if batch.status != BatchStatus.DEPARTED:
            raise Conflict(_("the batch has not departed yet"), field="status")
        when = at or clock.now()
        if when < batch.depart_at:
            raise DomainError(_("the arrival is before the departure"), field="at")
        before = snapshot(batch)
        batch.status, batch.arrived_at = BatchStatus.ARRIVED, when
        batch.save(update_fields=["status", "arrived_at"])
        riding = QuarantineOrder.objects.filter(batch=batch, status=OrderStatus.AWAITING)
        ids = sorted(riding.values_list("pk", flat=True))
        riding.update(status=OrderStatus.IN_FACILITY, arrived_at=when)
        record(actor=actor, verb="quarantine.batch.arrive", target=batch, before=before,
               after={**snapshot(batch), "orders": ids})
    return batch
