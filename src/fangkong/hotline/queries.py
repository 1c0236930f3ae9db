"""Reads of tickets, always through ``core.jurisdiction.scope``: a street sees its tickets, the
district and the city above see theirs, a ticket Placed nowhere (unrouted) only the city. A
ticket outside the actor's scope answers NotFound, the same as a missing one.

Callers' phones are shown masked; a holder of ``pii.view`` asks for the full number of one
ticket at a time (``reveal_caller``), and each such read is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope, within
from fangkong.core.models import AdminUnit, Level, Profile
from fangkong.core.privacy import mask_phone, reveal
from fangkong.core.rights import Right, rights_for
from fangkong.hotline.models import Category, Channel, Ticket, TicketEvent, TicketStatus

OPEN_STATES = (TicketStatus.NEW, TicketStatus.IN_PROGRESS)


@dataclass(frozen=True)
class TicketFilter:
    status: str = ""
    category: str = ""
    channel: str = ""
    overdue: bool = False
    unrouted: bool = False
    unit_id: int | None = None

    def check(self) -> None:
        for name, value, allowed in (("status", self.status, TicketStatus.values),
                                     ("category", self.category, Category.values),
                                     ("channel", self.channel, Channel.values)):
            if value and value not in allowed:
                raise DomainError(_("unknown %(field)s %(value)s")
                                  % {"field": name, "value": value}, field=name)


def overdue_q(now: dt.datetime) -> Q:
    """Open and past a deadline it has not met: no first response by ``respond_by``, or not
    resolved by ``resolve_by``."""
    late_response = Q(status=TicketStatus.NEW, respond_by__lt=now)
    late_resolution = Q(status__in=OPEN_STATES, resolve_by__lt=now)
    return late_response | late_resolution


def tickets_for(actor: Actor, *, filters: TicketFilter | None = None) -> QuerySet[Ticket]:
    """The queue in the actor's scope, most urgent first: the nearest deadline leads."""
    actor.require(Right.HOTLINE_VIEW)
    filters = filters or TicketFilter()
    filters.check()
    rows = scope(Ticket.objects.select_related("street", "district", "grid"), actor)
    if filters.unit_id is not None:
        unit = get_scoped(AdminUnit.objects.all(), actor, what="unit", pk=filters.unit_id)
        rows = within(rows, unit)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.overdue:
        rows = rows.filter(overdue_q(clock.now()))
    if filters.unrouted:
        rows = rows.filter(routed=False)
    return rows.order_by("resolve_by", "id")


def counts_for(actor: Actor, *, unit_id: int | None = None) -> dict[str, int]:
    """Per status, plus open tickets overdue now and unrouted ones, in one query."""
    rows = tickets_for(actor, filters=TicketFilter(unit_id=unit_id))
    now = clock.now()
    found = rows.order_by().aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(now)),
        unrouted=Count("pk", filter=Q(routed=False, status__in=OPEN_STATES)),
        **{status: Count("pk", filter=Q(status=status)) for status in TicketStatus.values})
    return {key: int(value or 0) for key, value in found.items()}


@dataclass
class TicketDetail:
    ticket: Ticket
    events: list[TicketEvent]
    phone: str  # masked
    overdue: bool
    can_reveal: bool
    extra: dict[str, object] = field(default_factory=dict)


def is_overdue(ticket: Ticket, now: dt.datetime) -> bool:
    if ticket.status == TicketStatus.NEW and ticket.respond_by < now:
        return True
    return ticket.status in OPEN_STATES and ticket.resolve_by < now


def get_ticket(actor: Actor, *, ticket_id: int) -> Ticket:
    actor.require(Right.HOTLINE_VIEW)
    return get_scoped(Ticket.objects.select_related(
        "person", "building", "street", "district", "community", "grid", "assignee",
        "supply_request", "appeal"), actor, what="ticket", pk=ticket_id)


def ticket_detail(actor: Actor, *, ticket_id: int) -> TicketDetail:
    """One ticket in scope with its history, the caller's phone masked."""
    ticket = get_ticket(actor, ticket_id=ticket_id)
    events = list(ticket.events.select_related("actor"))
    return TicketDetail(ticket=ticket, events=events, phone=masked_phone(ticket),
                        overdue=is_overdue(ticket, clock.now()),
                        can_reveal=actor.can(Right.PII_VIEW))


def masked_phone(ticket: Ticket) -> str:
    return mask_phone(ticket.caller_phone) if ticket.caller_phone else ""


def reveal_caller(actor: Actor, *, ticket_id: int) -> str:
    """The caller's full phone number, to call back (needs pii.view; audited)."""
    actor.require(Right.PII_VIEW)
    ticket = get_ticket(actor, ticket_id=ticket_id)
    return reveal(actor=actor, target=ticket,
                  fields={"caller_phone": ticket.caller_phone})["caller_phone"]


def handlers_for(ticket: Ticket) -> list[tuple[int, str]]:
    """Users a ticket can be assigned to: bound to its street or a unit below it."""
    if ticket.street is None:
        return []
    units = within(AdminUnit.objects.all(), ticket.street).values("pk")
    rows = (Profile.objects.filter(unit__in=units, user__is_active=True)
            .select_related("user").order_by("user__username"))
    return [(p.user_id, p.user.get_username()) for p in rows
            if Right.HOTLINE_HANDLE in rights_for(list(p.roles))]


def streets_for_public() -> list[AdminUnit]:
    """The streets the public web form offers, with their districts (names are public)."""
    return list(AdminUnit.objects.filter(level=Level.STREET).select_related("parent")
                .order_by("parent__code", "code"))
