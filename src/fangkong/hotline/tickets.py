"""Opening a ticket (all four channels), routing one by hand, the street's first response
and notes. Every write is one transaction with its audit row and the ticket's events inside.

A ticket's number is ``12345-YYYYMMDD-NNNNNN``, counted per day in the city's zone: the next
number is read and inserted in a savepoint; a concurrent opening that took the same number
makes the insert fail on the unique column (PostgreSQL waits for the other transaction, SQLite
serialises writers) and the number is read again. A ``client_key`` (unique per channel) makes a
resent web or resident form, or the same appeal, store one ticket."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.healthcode.models import Appeal
from fangkong.hotline import routing
from fangkong.hotline.logic import deadlines
from fangkong.hotline.models import (
    Category,
    Channel,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)
from fangkong.hotline.policy import hotline_policy_in_force, rules_of
from fangkong.registry.models import Building, Person

SUBJECT_MAX, TEXT_MAX, NAME_MAX, ADDRESS_MAX, KEY_MAX = 120, 4000, 64, 200, 64
NUMBER_TRIES = 50
OPEN_VERB = "hotline.ticket.open"


@dataclass(frozen=True)
class Intake:
    """What a ticket is opened with, whichever the channel."""

    channel: str
    category: str
    subject: str
    description: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    urgency: int | None = None
    person: Person | None = None
    building: Building | None = None
    street: AdminUnit | None = None
    address: str = ""
    client_key: str = ""
    appeal: Appeal | None = None


def clean_phone(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit() or ch == "+")


def check_open_ticket(*, intake: Intake) -> None:
    """Bad input, each error naming its field; nothing is stored."""
    if intake.channel not in Channel.values:
        raise DomainError(_("unknown channel"), field="channel")
    if intake.category not in Category.values:
        raise DomainError(_("choose a category"), field="category")
    if intake.urgency is not None and intake.urgency not in (0, 1, 2):
        raise DomainError(_("choose an urgency"), field="urgency")
    if not intake.subject.strip():
        raise DomainError(_("write what the call is about"), field="subject")
    for field, value, most in (("subject", intake.subject, SUBJECT_MAX),
                               ("description", intake.description, TEXT_MAX),
                               ("caller_name", intake.caller_name, NAME_MAX),
                               ("address", intake.address, ADDRESS_MAX),
                               ("client_key", intake.client_key, KEY_MAX)):
        if len(value) > most:
            raise DomainError(_("at most %(n)d characters") % {"n": most}, field=field)
    phone = intake.caller_phone
    if phone and not 5 <= len(phone) <= 20:
        raise DomainError(_("a phone number has 5 to 20 digits"), field="caller_phone")
    if intake.channel in (Channel.WEB, Channel.PHONE) and not (phone or intake.person):
        raise DomainError(_("a phone number to call back is required"), field="caller_phone")


def next_number(day: dt.date) -> str:
    prefix = f"12345-{day:%Y%m%d}-"
    last = (Ticket.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) if last else 0) + 1:06d}"


def _same_key(intake: Intake) -> Ticket | None:
    if not intake.client_key:
        return None
    return Ticket.objects.filter(channel=intake.channel, client_key=intake.client_key).first()


def _insert(ticket: Ticket, intake: Intake) -> Ticket | None:
    """Insert with the next free number; None when a concurrent resend stored it first."""
    day = timezone.localdate(ticket.created_at)
    for _attempt in range(NUMBER_TRIES):
        ticket.number = next_number(day)
        try:
            with transaction.atomic():
                ticket.save(force_insert=True)
            return ticket
        except IntegrityError:
            ticket.pk = None
            if _same_key(intake) is not None:
                return None
    raise Conflict(_("no free ticket number, try again"), field="number")


def _new_ticket(*, actor: Actor, intake: Intake, route: routing.Route) -> Ticket:
    now = clock.now()
    policy = hotline_policy_in_force(on=timezone.localdate(now))
    rules = rules_of(policy)
    urgency = rules.categories[intake.category].urgency if intake.urgency is None \
        else intake.urgency
    due = deadlines(rules, category=intake.category, urgency=urgency, opened=now)
    ticket = Ticket(
        channel=intake.channel, category=intake.category, urgency=urgency,
        subject=intake.subject.strip(), description=intake.description.strip(),
        caller_name=intake.caller_name.strip(), caller_phone=intake.caller_phone,
        person=intake.person, building=intake.building, address=intake.address.strip(),
        routed=route.routed, policy_name=policy.name, client_key=intake.client_key,
        created_at=now, created_by_id=actor.user_id, respond_by=due.respond_by,
        resolve_by=due.resolve_by, appeal=intake.appeal)
    route.apply(ticket)
    return ticket


def event(*, ticket: Ticket, actor: Actor, kind: str, note: str = "",
          data: dict[str, object] | None = None) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, at=clock.now(), kind=kind,
                                      actor_id=actor.user_id,
                                      actor_name=actor.username or "system", note=note,
                                      data=data or {})


def do_open_ticket(*, actor: Actor, intake: Intake) -> Ticket:
    """Open a ticket routed from the registry; the same client key again returns the first
    one. Events ``created`` and, when it could be placed, ``routed``."""
    check_open_ticket(intake=intake)
    route = routing.route_of(building=intake.building, street=intake.street,
                             person=intake.person)
    with transaction.atomic():
        if (earlier := _same_key(intake)) is not None:
            return earlier
        ticket = _insert(_new_ticket(actor=actor, intake=intake, route=route), intake)
        if ticket is None:
            found = _same_key(intake)
            assert found is not None
            return found
        event(ticket=ticket, actor=actor, kind=TicketEventKind.CREATED,
              data={"channel": ticket.channel, "policy": ticket.policy_name})
        if route.routed:
            event(ticket=ticket, actor=actor, kind=TicketEventKind.ROUTED,
                  data={"via": route.via, "unit": _unit_of(ticket)})
        routing.link_supply_request(ticket=ticket, actor=actor)
        record(actor=actor, verb=OPEN_VERB, target=ticket, after=snapshot(ticket))
    return ticket


def _unit_of(ticket: Ticket) -> int | None:
    return ticket.grid_id or ticket.community_id or ticket.street_id or ticket.district_id


def check_route(*, ticket: Ticket) -> None:
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise Conflict(_("a resolved ticket is not routed again"), field="status")


def do_route_ticket(*, actor: Actor, ticket_id: int, street_id: int) -> Ticket:
    """An agent places a ticket at a street (or a finer unit) by hand: the "to route" queue,
    or a ticket sent to the wrong street. Audited, event ``routed``."""
    actor.require(Right.HOTLINE_TAKE)
    with transaction.atomic():
        ticket = get_scoped(Ticket.objects.select_for_update(), actor, what="ticket",
                            pk=ticket_id)
        unit = get_scoped(AdminUnit.objects.all(), actor, what="street", pk=street_id)
        check_route(ticket=ticket)
        route = routing.street_route(unit)
        before = snapshot(ticket)
        route.apply(ticket)
        ticket.routed = True
        ticket.save(update_fields=["district", "street", "community", "grid", "routed"])
        event(ticket=ticket, actor=actor, kind=TicketEventKind.ROUTED,
              data={"via": "hand", "unit": unit.pk, "from": before["street"]})
        record(actor=actor, verb="hotline.ticket.route", target=ticket, before=before,
               after=snapshot(ticket))
    return ticket


def do_open_appeal_ticket(*, appeal_id: int) -> Ticket:
    """The ticket of a health-code appeal: category code, the person, routed by residence."""
    appeal = Appeal.objects.select_related("person__household__building").get(pk=appeal_id)
    person = appeal.person
    from fangkong.hotline.appeals import APPEAL_KEY

    intake = Intake(channel=Channel.APPEAL, category=Category.CODE,
                    subject=_("Appeal against a %(colour)s code") % {"colour": appeal.colour},
                    description=appeal.message[:TEXT_MAX], caller_name=person.name,
                    caller_phone=person.phone, person=person, appeal=appeal,
                    client_key=APPEAL_KEY.format(pk=appeal.pk))
    system = Actor(user_id=None, username=f"appeal:{appeal.pk}", unit=None)
    return do_open_ticket(actor=system, intake=intake)
