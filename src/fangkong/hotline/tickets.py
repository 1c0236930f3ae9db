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
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, actor_for, get_scoped, scope
from fangkong.core.models import AdminUnit, AuditLog
from fangkong.core.rights import Right
from fangkong.healthcode.models import Appeal
from fangkong.healthcode.resident import link_actor as resident_actor
from fangkong.healthcode.resident import read_resident_token
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
WEB_ACTOR = "web-form"
MAX_OPEN_PER_PERSON = 3


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


def format_next(day: dt.date, last: str | None) -> str:
    """The number after the day's ``last`` (zero-padded: text order is number order)."""
    return f"12345-{day:%Y%m%d}-{(int(last.rsplit('-', 1)[1]) if last else 0) + 1:06d}"


def next_number(day: dt.date) -> str:
    last = (Ticket.objects.filter(number__startswith=f"12345-{day:%Y%m%d}-")
            .order_by("-number").values_list("number", flat=True).first())
    return format_next(day, last)


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
                    subject=_("Appeal against a %(colour)s code")
                    % {"colour": appeal.get_colour_display()},
                    description=appeal.message[:TEXT_MAX], caller_name=person.name,
                    caller_phone=person.phone, person=person, appeal=appeal,
                    client_key=APPEAL_KEY.format(pk=appeal.pk))
    system = Actor(user_id=None, username=f"appeal:{appeal.pk}", unit=None)
    return do_open_ticket(actor=system, intake=intake)


# ---------------------------------------------------------------- the channels


def _scoped_or_none(model: type[Person] | type[Building] | type[AdminUnit], actor: Actor,
                    pk: int | None, what: str) -> Any:
    return None if pk is None else get_scoped(model.objects.all(), actor, what=what, pk=pk)


def do_take_call(*, actor: Actor, category: str, subject: str, description: str = "",
                 caller_name: str = "", caller_phone: str = "", urgency: int | None = None,
                 person_id: int | None = None, building_id: int | None = None,
                 street_id: int | None = None, address: str = "",
                 client_key: str = "", channel: str = Channel.PHONE) -> Ticket:
    """An agent records a call (or keys in a web message): the caller found in the registry,
    the place as a building, a street chosen by hand, or a free address."""
    actor.require(Right.HOTLINE_TAKE)
    if channel not in (Channel.PHONE, Channel.WEB):
        raise DomainError(_("agents record phone calls and web messages"), field="channel")
    person = _scoped_or_none(Person, actor, person_id, "person")
    intake = Intake(
        channel=channel, category=category, subject=subject, description=description,
        caller_name=caller_name or (person.name if person else ""),
        caller_phone=clean_phone(caller_phone) or (person.phone if person else ""),
        urgency=urgency, person=person,
        building=_scoped_or_none(Building, actor, building_id, "building"),
        street=_scoped_or_none(AdminUnit, actor, street_id, "street"),
        address=address, client_key=client_key.strip())
    return do_open_ticket(actor=actor, intake=intake)


def web_actor(ip: str | None) -> Actor:
    return Actor(user_id=None, username=WEB_ACTOR, unit=None, ip=ip)


def check_web_rate(*, ip: str | None) -> None:
    """A public form without login: at most ``HOTLINE_WEB_PER_HOUR`` tickets an hour from
    one address (counted on the audit rows, which carry the address)."""
    limit = int(getattr(settings, "HOTLINE_WEB_PER_HOUR", 5))
    since = clock.now() - dt.timedelta(hours=1)
    sent = AuditLog.objects.filter(verb=OPEN_VERB, actor_name=WEB_ACTOR, ip=ip,
                                   at__gte=since).count()
    if sent >= limit:
        raise Conflict(_("too many messages from your address: try again in an hour, or call "
                         "12345"), field="subject")


def do_open_web_ticket(*, street_id: int | None, category: str, subject: str,
                       description: str, caller_name: str, caller_phone: str,
                       client_key: str, ip: str | None) -> Ticket:
    """The public web form: no login, routed to the street chosen (the district alone
    does not route), throttled per address; a resent form returns the first ticket."""
    client_key = client_key.strip()
    if not 8 <= len(client_key) <= KEY_MAX:
        raise DomainError(_("a client key of 8 to 64 characters is required"),
                          field="client_key")
    earlier = Ticket.objects.filter(channel=Channel.WEB, client_key=client_key).first()
    if earlier is not None:
        return earlier
    check_web_rate(ip=ip)
    street = None if street_id is None else AdminUnit.objects.filter(pk=street_id).first()
    if street_id is not None and street is None:
        raise DomainError(_("choose a street"), field="street_id")
    intake = Intake(channel=Channel.WEB, category=category, subject=subject,
                    description=description, caller_name=caller_name,
                    caller_phone=clean_phone(caller_phone), street=street,
                    client_key=client_key)
    return do_open_ticket(actor=web_actor(ip), intake=intake)


def do_open_resident_ticket(*, token: str, category: str, subject: str, description: str,
                            client_key: str, ip: str | None = None) -> Ticket:
    """A resident writes from their health-code link: the person is known, the ticket goes to
    their residence; at most ``MAX_OPEN_PER_PERSON`` open at once (a leaked link cannot flood
    the street)."""
    person = read_resident_token(token)
    client_key = client_key.strip()
    if not 8 <= len(client_key) <= KEY_MAX:
        raise DomainError(_("a client key of 8 to 64 characters is required"),
                          field="client_key")
    earlier = Ticket.objects.filter(channel=Channel.RESIDENT, client_key=client_key,
                                    person=person).first()
    if earlier is not None:
        return earlier
    open_now = Ticket.objects.filter(person=person, channel=Channel.RESIDENT, status__in=(
        TicketStatus.NEW, TicketStatus.IN_PROGRESS)).count()
    if open_now >= MAX_OPEN_PER_PERSON:
        raise Conflict(_("you already have %(n)d open tickets: wait for an answer, or call "
                         "12345") % {"n": MAX_OPEN_PER_PERSON}, field="subject")
    intake = Intake(channel=Channel.RESIDENT, category=category, subject=subject,
                    description=description, caller_name=person.name,
                    caller_phone=person.phone, person=person, client_key=client_key)
    return do_open_ticket(actor=resident_actor(person, ip=ip), intake=intake)


# ---------------------------------------------------------------- the street's work


def _handled(actor: Actor, ticket_id: int) -> Ticket:
    actor.require(Right.HOTLINE_HANDLE)
    return get_scoped(Ticket.objects.select_for_update(), actor, what="ticket", pk=ticket_id)


def check_note(*, note: str) -> None:
    if not note:
        raise DomainError(_("write a note"), field="note")
    if len(note) > TEXT_MAX:
        raise DomainError(_("at most %(n)d characters") % {"n": TEXT_MAX}, field="note")


def do_respond(*, actor: Actor, ticket_id: int, note: str) -> Ticket:
    """The street's first response (what it is doing about it): new → in progress."""
    note = note.strip()
    check_note(note=note)
    with transaction.atomic():
        ticket = _handled(actor, ticket_id)
        if ticket.status != TicketStatus.NEW:
            raise Conflict(_("this ticket has already been responded to"), field="status")
        before = snapshot(ticket)
        ticket.status, ticket.first_response_at = TicketStatus.IN_PROGRESS, clock.now()
        ticket.save(update_fields=["status", "first_response_at"])
        event(ticket=ticket, actor=actor, kind=TicketEventKind.RESPONDED, note=note)
        record(actor=actor, verb="hotline.ticket.respond", target=ticket, before=before,
               after=snapshot(ticket))
    return ticket


def do_note(*, actor: Actor, ticket_id: int, note: str) -> TicketEvent:
    """A note on an open ticket by its street (hotline.handle) or an agent (hotline.take)."""
    note = note.strip()
    check_note(note=note)
    if not (actor.can(Right.HOTLINE_HANDLE) or actor.can(Right.HOTLINE_TAKE)):
        actor.require(Right.HOTLINE_HANDLE)
    with transaction.atomic():
        ticket = get_scoped(Ticket.objects.select_for_update(), actor, what="ticket",
                            pk=ticket_id)
        if ticket.status == TicketStatus.CLOSED:
            raise Conflict(_("this ticket is closed"), field="status")
        row = event(ticket=ticket, actor=actor, kind=TicketEventKind.NOTE, note=note)
        record(actor=actor, verb="hotline.ticket.note", target=ticket, after={"note": note})
    return row


def do_assign(*, actor: Actor, ticket_id: int, assignee_id: int) -> Ticket:
    """Hand the ticket to a user of the unit who handles tickets and can see this one."""
    with transaction.atomic():
        ticket = _handled(actor, ticket_id)
        user = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        helper = actor_for(user) if user is not None else None
        if helper is None or not helper.can(Right.HOTLINE_HANDLE) or not scope(
                Ticket.objects.filter(pk=ticket.pk), helper).exists():
            raise DomainError(_("choose someone who handles this ticket's street"),
                              field="assignee_id")
        before = snapshot(ticket)
        ticket.assignee_id = assignee_id
        ticket.save(update_fields=["assignee"])
        event(ticket=ticket, actor=actor, kind=TicketEventKind.NOTE,
              note=_("assigned to %(name)s") % {"name": helper.username},
              data={"assignee": assignee_id})
        record(actor=actor, verb="hotline.ticket.assign", target=ticket, before=before,
               after=snapshot(ticket))
    return ticket
