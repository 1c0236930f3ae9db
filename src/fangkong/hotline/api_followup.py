"""Hotline API, followup part: resolve, callback, callbacks due, answer templates of the
policy in force (filled with today's rules) and the rates per unit. Thin handlers over
``followup``, ``answers`` and ``rates``."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core import clock
from fangkong.core.rights import Right
from fangkong.hotline import answers, followup, rates
from fangkong.hotline.models import Ticket

router = Router()


class FollowupRead(Schema):
    id: int
    number: str
    status: str
    answer: str
    resolved_at: dt.datetime | None
    resolve_by: dt.datetime
    callback_at: dt.datetime | None
    callback_reached: bool | None
    satisfaction: int | None
    closed_at: dt.datetime | None
    escalation_level: int

    @staticmethod
    def of(t: Ticket) -> "FollowupRead":
        return FollowupRead(
            id=t.pk, number=t.number, status=t.status, answer=t.answer,
            resolved_at=t.resolved_at, resolve_by=t.resolve_by, callback_at=t.callback_at,
            callback_reached=t.callback_reached, satisfaction=t.satisfaction,
            closed_at=t.closed_at, escalation_level=t.escalation_level)


class ResolveBody(Schema):
    answer: str = ""
    template: str = ""


class CallbackBody(Schema):
    reached: bool
    satisfaction: int | None = None
    note: str = ""


class DueRead(Schema):
    id: int
    number: str
    subject: str
    resolved_at: dt.datetime | None
    due: dt.datetime
    overdue: bool


class TemplateRead(Schema):
    key: str
    category: str
    title: str
    text: str
    policy: str


class RateRead(Schema):
    unit_id: int | None
    unit: str
    tickets: int
    responded_in_time: float | None
    resolved_in_time: float | None
    resolved: float | None
    satisfaction: float | None
    mean_score: float | None


@router.post("/tickets/{ticket_id}/resolve", response=FollowupRead)
@requires(Right.HOTLINE_HANDLE)
def resolve(request: HttpRequest, ticket_id: int, body: ResolveBody) -> FollowupRead:
    """Answer the ticket (the text, or a template filled with today's rules)."""
    return FollowupRead.of(followup.do_resolve_ticket(
        actor=request_actor(request), ticket_id=ticket_id, answer=body.answer,
        template_key=body.template))


@router.post("/tickets/{ticket_id}/callback", response=FollowupRead)
@requires(Right.HOTLINE_TAKE)
def callback(request: HttpRequest, ticket_id: int, body: CallbackBody) -> FollowupRead:
    """Record a callback: satisfied closes, dissatisfied reopens, unreached twice closes."""
    return FollowupRead.of(followup.do_callback(
        actor=request_actor(request), ticket_id=ticket_id, reached=body.reached,
        satisfaction=body.satisfaction, note=body.note))


@router.get("/callbacks", response=list[DueRead])
@requires(Right.HOTLINE_VIEW)
def callbacks(request: HttpRequest, overdue: bool = False) -> list[DueRead]:
    """Resolved tickets waiting for their callback, oldest first (200 at most)."""
    rows = followup.callbacks_due(actor=request_actor(request), now=clock.now(),
                                  overdue_only=overdue)
    return [DueRead(id=r.ticket.pk, number=r.ticket.number, subject=r.ticket.subject,
                    resolved_at=r.ticket.resolved_at, due=r.due, overdue=r.overdue)
            for r in rows]


@router.get("/answer-templates", response=list[TemplateRead])
@requires(Right.HOTLINE_VIEW)
def answer_templates(request: HttpRequest, category: str = "",
                     on: dt.date | None = None) -> list[TemplateRead]:
    """The templates of the policy in force on ``on`` (default today), filled with the rules
    of that day in the request's language."""
    day = on or clock.city_today()
    language = get_language() or ""
    keys = answers.templates_in_force(on=day, category=category).values_list("key", flat=True)
    return [TemplateRead(**vars(answers.filled_answer(key=k, on=day, language=language)))
            for k in keys]


@router.get("/rates", response=list[RateRead])
@requires(Right.HOTLINE_VIEW)
def rates_per_unit(request: HttpRequest, since: dt.date, until: dt.date,
                   unit_id: int | None = None) -> list[RateRead]:
    """Per unit one level below the caller's (or ``unit_id``'s): the period's rates."""
    table = rates.rates_table(actor=request_actor(request), since=since, until=until,
                              unit_id=unit_id)
    language = get_language() or ""
    return [RateRead(unit_id=r.unit.pk if r.unit else None,
                     unit=r.unit.display_name(language) if r.unit else "",
                     **vars(r.rates)) for r in table.rows]
