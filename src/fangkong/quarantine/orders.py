"""Quarantine orders: made from tracing contacts or for one person, with their dates and test
schedule planned from the policy version in force today (``logic.plan_order``), and cancelled.

Reads go through :func:`orders_for`: an order is seen by the workers of its residence (the
grid follows the person home) and by the staff of the facility that holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.quarantine.logic import plan_order
from fangkong.quarantine.models import (
    OPEN_STATUSES,
    OrderKind,
    OrderReason,
    OrderStatus,
    QuarantineOrder,
    Room,
    RoomState,
    ScheduledTest,
)
from fangkong.quarantine.policy import quarantine_policy_in_force, rules_of
from fangkong.registry.models import Person
from fangkong.risk.models import RiskArea
from fangkong.tracing.models import Case, Contact, ContactType

NOTE_MAX = 2000
CONTACT_BATCH = 500
REASON_OF_CONTACT = {ContactType.CLOSE: OrderReason.CLOSE,
                     ContactType.SECONDARY: OrderReason.SECONDARY}


def today() -> dt.date:
    """The city's date of ``clock.now()`` (tests move the clock)."""
    return timezone.localdate(clock.now())


def orders_for(actor: Actor) -> QuerySet[QuarantineOrder]:
    """The orders the actor may see: by the person's residence, or by the facility."""
    base = QuarantineOrder.objects.all()
    return scope(base, actor) | scope(base, actor, via="facility__")


def get_order(*, actor: Actor, order_id: int, lock: bool = False) -> QuarantineOrder:
    """One order visible to the actor (404 when missing or out of scope alike)."""
    qs = orders_for(actor).filter(pk=order_id)
    found = (QuarantineOrder.objects.select_for_update().filter(pk__in=qs.values("pk")).first()
             if lock else qs.select_related("person", "facility", "room", "policy").first())
    if found is None:
        raise NotFound("quarantine order")
    return found


def open_orders_of_person(person: Person | int) -> QuerySet[QuarantineOrder]:
    """The person's open orders (at most one): awaiting transfer, in a facility or at home."""
    pk = person if isinstance(person, int) else person.pk
    return QuarantineOrder.objects.filter(person_id=pk, status__in=OPEN_STATUSES)


@dataclass
class Refusal:
    contact_id: int
    person_id: int | None
    reason: str


@dataclass
class OrdersResult:
    created: list[QuarantineOrder] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _refusal_for(person: Person) -> str | None:
    if Case.objects.filter(person=person).exists():
        return _("this person is already a case")
    if open_orders_of_person(person).exists():
        return _("this person already has an open quarantine order")
    return None


def check_create_order(*, actor: Actor, person_id: int, reason: str,
                       exposure_at: dt.datetime | None, note: str,
                       risk_area_id: int | None) -> Person:
    actor.require(Right.QUARANTINE_MANAGE)
    if reason not in OrderReason.values or reason == OrderReason.OTHER:
        raise DomainError(_("the reason must be one of %(choices)s") % {
            "choices": ", ".join(r for r in OrderReason.values if r != OrderReason.OTHER)},
            field="reason")
    if exposure_at is not None and exposure_at.tzinfo is None:
        raise DomainError(_("the last exposure needs a time zone offset"), field="exposure_at")
    if exposure_at is not None and exposure_at > clock.now():
        raise DomainError(_("the last exposure is in the future"), field="exposure_at")
    if len(note) > NOTE_MAX:
        raise DomainError(_("the note has at most %(n)d characters") % {"n": NOTE_MAX},
                          field="note")
    if risk_area_id is not None and not scope(RiskArea.objects.filter(pk=risk_area_id),
                                              actor).exists():
        raise DomainError(_("no such risk area in your jurisdiction"), field="risk_area_id")
    person = get_scoped(Person.objects.all(), actor, what="person", pk=person_id)
    refusal = _refusal_for(person)
    if refusal:
        raise Conflict(refusal, field="person_id")
    return person


def _make_order(*, actor: Actor, person: Person, reason: str, exposure_at: dt.datetime | None,
                note: str = "", contact: Contact | None = None,
                risk_area_id: int | None = None) -> QuarantineOrder:
    """Plan and save one order with its scheduled tests (the caller holds the transaction)."""
    day = today()
    version = quarantine_policy_in_force(on=day)
    rule = rules_of(version).rule_for(reason)
    if rule is None:
        raise DomainError(_("%(version)s does not quarantine this reason")
                          % {"version": version.name}, field="reason")
    exposure_day = None if exposure_at is None else timezone.localdate(exposure_at)
    plan = plan_order(rule=rule, exposure_day=exposure_day, today=day)
    if plan.ends_on < day:
        raise DomainError(_("the quarantine of this exposure would already be over"),
                          field="exposure_at")
    order = QuarantineOrder(
        person=person, kind=plan.kind, reason=reason, contact=contact,
        risk_area_id=risk_area_id, policy=version, exposure_at=exposure_at,
        starts_on=plan.starts_on, centralised_until=plan.centralised_until,
        ends_on=plan.ends_on, note=note.strip(), created_at=clock.now(),
        created_by_id=actor.user_id,
        status=(OrderStatus.AWAITING if plan.kind == OrderKind.CENTRALISED
                else OrderStatus.AT_HOME))
    order.district_id, order.street_id = person.district_id, person.street_id
    order.community_id, order.grid_id = person.community_id, person.grid_id
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError as exc:  # another order for the person was opened a moment ago
        raise Conflict(_("this person already has an open quarantine order"),
                       field="person_id") from exc
    ScheduledTest.objects.bulk_create([
        ScheduledTest(order=order, phase=t.phase, day_no=t.day_no, due_on=t.due_on)
        for t in plan.tests])
    record(actor=actor, verb="quarantine.order.create", target=order,
           after={**snapshot(order), "tests": [(t.phase, t.day_no, str(t.due_on))
                                               for t in plan.tests]})
    return order


def do_create_order(*, actor: Actor, person_id: int, reason: str,
                    exposure_at: dt.datetime | None = None, note: str = "",
                    risk_area_id: int | None = None) -> QuarantineOrder:
    """One order for one person (a traveller, someone from a high-risk area, a contact
    found by hand); its dates come from the version in force today."""
    with transaction.atomic():
        person = check_create_order(actor=actor, person_id=person_id, reason=reason,
                                    exposure_at=exposure_at, note=note,
                                    risk_area_id=risk_area_id)
        return _make_order(actor=actor, person=person, reason=reason, exposure_at=exposure_at,
                           note=note, risk_area_id=risk_area_id)


def do_orders_from_contacts(*, actor: Actor, contact_ids: list[int]) -> OrdersResult:
    """Orders for tracing contacts in the actor's scope: close and secondary contacts get
    the order of their reason (exposure = their last exposure); companions, cases, people
    with an open order and reasons the version does not quarantine are refused, each with
    its reason. One transaction per contact, so one refusal does not undo the others."""
    actor.require(Right.QUARANTINE_MANAGE)
    if not contact_ids:
        raise DomainError(_("choose at least one contact"), field="contact_ids")
    if len(contact_ids) > CONTACT_BATCH:
        raise DomainError(_("at most %(n)d contacts at a time") % {"n": CONTACT_BATCH},
                          field="contact_ids")
    found = scope(Contact.objects.select_related("person"), actor).in_bulk(set(contact_ids))
    result = OrdersResult()
    for contact_id in dict.fromkeys(contact_ids):
        contact = found.get(contact_id)
        if contact is None:
            result.refused.append(Refusal(contact_id, None, _("contact not found")))
            continue
        try:
            result.created.append(_order_from_contact(actor, contact))
        except DomainError as exc:
            result.refused.append(Refusal(contact_id, contact.person_id, exc.message))
    return result


def _order_from_contact(actor: Actor, contact: Contact) -> QuarantineOrder:
    reason = REASON_OF_CONTACT.get(ContactType(contact.contact_type))
    if reason is None:
        raise DomainError(_("a spatio-temporal companion is screened and monitored, not "
                            "quarantined: confirm them as a close contact first"))
    with transaction.atomic():
        refusal = _refusal_for(contact.person)
        if refusal:
            raise Conflict(refusal)
        return _make_order(actor=actor, person=contact.person, reason=reason,
                           exposure_at=contact.last_exposure, contact=contact)


def do_cancel_order(*, actor: Actor, order_id: int, reason: str) -> QuarantineOrder:
    """Cancel an open order made in error (the reason is kept); a room it held is freed."""
    actor.require(Right.QUARANTINE_MANAGE)
    reason = reason.strip()
    if not reason or len(reason) > NOTE_MAX:
        raise DomainError(_("give the reason for cancelling (at most %(n)d characters)")
                          % {"n": NOTE_MAX}, field="reason")
    with transaction.atomic():
        order = get_order(actor=actor, order_id=order_id, lock=True)
        if order.status not in OPEN_STATUSES:
            raise Conflict(_("only an open order can be cancelled"), field="status")
        before = snapshot(order)
        order.status = OrderStatus.CANCELLED
        order.note = f"{order.note}\n{reason}".strip()
        order.save(update_fields=["status", "note"])
        free_room(order)
        record(actor=actor, verb="quarantine.order.cancel", target=order, before=before,
               after={**snapshot(order), "reason": reason})
    return order


def free_room(order: QuarantineOrder, *, disinfect: bool | None = None) -> None:
    """The order's room once nobody else of it stays: cleaned if the person had arrived
    (or ``disinfect``), ready again if they never came (the caller holds the transaction)."""
    if order.room_id is None or QuarantineOrder.objects.filter(
            room_id=order.room_id, status__in=[OrderStatus.AWAITING, OrderStatus.IN_FACILITY]
    ).exclude(pk=order.pk).exists():
        return
    dirty = bool(order.arrived_at) if disinfect is None else disinfect
    state = RoomState.DISINFECTING if dirty else RoomState.READY
    Room.objects.filter(pk=order.room_id).update(state=state, state_since=clock.now())
