"""Hotline API, tickets part: the queue, one ticket with its history, opening a ticket (a
phone call, or a web message keyed in by an agent or the city portal's account), the street's
response, notes, routing by hand, and the caller's full phone (audited). Thin handlers over
``tickets`` and ``queries``; phones are masked unless revealed."""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core import clock
from fangkong.core.rights import Right
from fangkong.hotline import queries, tickets
from fangkong.hotline.models import Channel, Ticket, TicketEvent

router = Router()
PAGE = 200


def _writes_notes(func: Callable[..., Any]) -> Callable[..., Any]:
    """The street (hotline.handle) or an agent (hotline.take) writes notes: hotline.view alone
    does not, so the right is checked here, before the body is read, and declared as handle."""

    @functools.wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        actor = request_actor(request)
        if not actor.can(Right.HOTLINE_TAKE):
            actor.require(Right.HOTLINE_HANDLE)
        return func(request, *args, **kwargs)

    wrapper.required_right = Right.HOTLINE_HANDLE  # type: ignore[attr-defined]
    return wrapper


class TicketEventRead(Schema):
    at: dt.datetime
    kind: str
    actor: str
    note: str

    @staticmethod
    def of(row: TicketEvent) -> "TicketEventRead":
        return TicketEventRead(at=row.at, kind=row.kind, actor=row.actor_name, note=row.note)


class TicketRead(Schema):
    id: int
    number: str
    channel: str
    category: str
    urgency: int
    status: str
    subject: str
    caller_name: str
    caller_phone: str  # masked
    person_id: int | None
    routed: bool
    district_id: int | None
    street_id: int | None
    grid_id: int | None
    policy: str
    created_at: dt.datetime
    respond_by: dt.datetime
    resolve_by: dt.datetime
    first_response_at: dt.datetime | None
    overdue: bool
    supply_request_id: int | None
    appeal_id: int | None
    events: list[TicketEventRead] = []

    @staticmethod
    def of(t: Ticket, *, events: list[TicketEvent] | None = None) -> "TicketRead":
        return TicketRead(
            id=t.pk, number=t.number, channel=t.channel, category=t.category,
            urgency=t.urgency, status=t.status, subject=t.subject, caller_name=t.caller_name,
            caller_phone=queries.masked_phone(t), person_id=t.person_id, routed=t.routed,
            district_id=t.district_id, street_id=t.street_id, grid_id=t.grid_id,
            policy=t.policy_name, created_at=t.created_at, respond_by=t.respond_by,
            resolve_by=t.resolve_by, first_response_at=t.first_response_at,
            overdue=queries.is_overdue(t, clock.now()), supply_request_id=t.supply_request_id,
            appeal_id=t.appeal_id, events=[TicketEventRead.of(e) for e in events or []])


class TicketQuery(Schema):
    status: str = ""
    category: str = ""
    channel: str = ""
    overdue: bool = False
    unrouted: bool = False
    unit_id: int | None = None


class TicketCreate(Schema):
    channel: str = Channel.PHONE
    category: str
    subject: str
    description: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    urgency: int | None = None
    person_id: int | None = None
    building_id: int | None = None
    street_id: int | None = None
    address: str = ""
    client_key: str = ""


class NoteIn(Schema):
    note: str


class RouteIn(Schema):
    street_id: int


class PhoneRead(Schema):
    caller_phone: str


@router.get("/tickets", response=list[TicketRead])
@requires(Right.HOTLINE_VIEW)
def list_tickets(request: HttpRequest, filters: Query[TicketQuery]) -> list[TicketRead]:
    """The queue in the caller's jurisdiction, nearest deadline first (at most 200)."""
    where = queries.TicketFilter(**filters.dict())
    rows = queries.tickets_for(request_actor(request), filters=where)[:PAGE]
    return [TicketRead.of(t) for t in rows]


@router.get("/tickets/counts", response=dict[str, int])
@requires(Right.HOTLINE_VIEW)
def ticket_counts(request: HttpRequest, unit_id: int | None = None) -> dict[str, int]:
    return queries.counts_for(request_actor(request), unit_id=unit_id)


@router.get("/tickets/{ticket_id}", response=TicketRead)
@requires(Right.HOTLINE_VIEW)
def get_ticket(request: HttpRequest, ticket_id: int) -> TicketRead:
    detail = queries.ticket_detail(request_actor(request), ticket_id=ticket_id)
    return TicketRead.of(detail.ticket, events=detail.events)


@router.post("/tickets", response={201: TicketRead})
@requires(Right.HOTLINE_TAKE)
def create_ticket(request: HttpRequest, body: TicketCreate) -> Status[TicketRead]:
    """Open a ticket from a call or a web message; the same client key returns the first."""
    ticket = tickets.do_take_call(actor=request_actor(request), **body.dict())
    return Status(201, TicketRead.of(ticket))


@router.post("/tickets/{ticket_id}/respond", response=TicketRead)
@requires(Right.HOTLINE_HANDLE)
def respond(request: HttpRequest, ticket_id: int, body: NoteIn) -> TicketRead:
    return TicketRead.of(tickets.do_respond(actor=request_actor(request), ticket_id=ticket_id,
                                            note=body.note))


@router.post("/tickets/{ticket_id}/notes", response={201: TicketEventRead})
@_writes_notes
def add_note(request: HttpRequest, ticket_id: int, body: NoteIn) -> Status[TicketEventRead]:
    """A note by the street (hotline.handle) or an agent (hotline.take)."""
    row = tickets.do_note(actor=request_actor(request), ticket_id=ticket_id, note=body.note)
    return Status(201, TicketEventRead.of(row))


@router.post("/tickets/{ticket_id}/route", response=TicketRead)
@requires(Right.HOTLINE_TAKE)
def route(request: HttpRequest, ticket_id: int, body: RouteIn) -> TicketRead:
    return TicketRead.of(tickets.do_route_ticket(actor=request_actor(request),
                                                 ticket_id=ticket_id, street_id=body.street_id))


@router.post("/tickets/{ticket_id}/reveal", response=PhoneRead)
@requires(Right.PII_VIEW)
def reveal(request: HttpRequest, ticket_id: int) -> PhoneRead:
    """The caller's full phone number, to call back (audited)."""
    return PhoneRead(caller_phone=queries.reveal_caller(request_actor(request),
                                                        ticket_id=ticket_id))
