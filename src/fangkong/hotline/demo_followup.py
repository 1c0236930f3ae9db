"""The hotline's followup in the demo city, after ``demo_tickets``: the streets without a demo
login first respond to most of their new tickets, then the streets answer most of the tickets
(with the template of the category where there is one, filled with the rules of that day; a
fifth of them late), ``hotline1`` calls callers back (most
satisfied, some not, which reopens the ticket, some unreached), and the escalation job runs
at the end so overdue tickets show at the district or the city. Every step goes through its
action at its moment in the story (``at`` moves the clock). ``street1`` answers its own
street; the other streets' staff have no demo login, so each acts as ``street-<code>``, a
street-level actor without an account (the audit shows that name). Told once: any resolved
event means the story was told."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.utils import translation

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.hotline import answers, followup, tickets
from fangkong.hotline.models import Ticket, TicketEvent, TicketEventKind, TicketStatus
from fangkong.testing.demo_steps import at

RESOLVED_SHARE, LATE_SHARE, CALLED_SHARE = 0.85, 0.2, 0.8
RESPONDED_SHARE = 0.85  # of the routed tickets the other streets had not answered yet
TYPED = "已与来电人沟通，问题已按政策处理完毕。"
RESPONSE = "已收到，街道正在联系来电人核实处理。"


def _login(name: str) -> Actor | None:
    user = User.objects.filter(username=name).first()
    return actor_for(user) if user is not None else None


def _street_actor(street_id: int | None, own: Actor | None) -> Actor | None:
    if street_id is None:
        return None
    if own is not None and own.unit is not None and own.unit.pk == street_id:
        return own
    unit = AdminUnit.objects.get(pk=street_id)
    return Actor(user_id=None, username=f"street-{unit.code}", unit=unit,
                 rights=frozenset({Right.HOTLINE_VIEW, Right.HOTLINE_HANDLE}))


def _resolve(ticket: Ticket, actor: Actor, rnd: random.Random, now: dt.datetime) -> bool:
    window = ticket.resolve_by - ticket.created_at
    when = ticket.created_at + window * (rnd.uniform(1.1, 1.6) if rnd.random() < LATE_SHARE
                                         else rnd.uniform(0.3, 0.9))
    when = max(when, (ticket.first_response_at or ticket.created_at) + dt.timedelta(minutes=5))
    if when > now - dt.timedelta(minutes=10):
        return False
    with at(when):
        day = clock.city_today()
        template = answers.templates_in_force(on=day, category=ticket.category).first()
        followup.do_resolve_ticket(actor=actor, ticket_id=ticket.pk,
                                   answer="" if template else TYPED,
                                   template_key=template.key if template else "")
    return True


def _respond(ticket: Ticket, actor: Actor, rnd: random.Random, now: dt.datetime) -> None:
    """A street's first response: mostly inside its deadline, a fifth of them late."""
    window = ticket.respond_by - ticket.created_at
    when = ticket.created_at + window * (rnd.uniform(1.1, 2.0) if rnd.random() < LATE_SHARE
                                         else rnd.uniform(0.2, 0.9))
    if when < now - dt.timedelta(minutes=10):
        with at(when):
            tickets.do_respond(actor=actor, ticket_id=ticket.pk, note=RESPONSE)


def _answer_new_tickets(own: Actor | None, rnd: random.Random, now: dt.datetime) -> None:
    """The streets without a demo login answer most of their new tickets (``street1``'s own
    were answered in ``demo_tickets``; unrouted ones wait for the city to route them)."""
    waiting = Ticket.objects.filter(status=TicketStatus.NEW, routed=True).order_by("pk")
    for ticket in list(waiting):
        actor = _street_actor(ticket.street_id, own)
        if actor is not None and actor is not own and rnd.random() < RESPONDED_SHARE:
            _respond(ticket, actor, rnd, now)


def _call_back(ticket: Ticket, agent: Actor, rnd: random.Random, now: dt.datetime) -> None:
    when = (ticket.resolved_at or now) + dt.timedelta(minutes=rnd.randint(30, 20 * 60))
    if when > now:
        return
    roll = rnd.random()
    with at(when):
        if roll < 0.7:
            followup.do_callback(actor=agent, ticket_id=ticket.pk, reached=True,
                                 satisfaction=rnd.choice([4, 5, 5]), note="来电人表示满意")
        elif roll < 0.85:
            followup.do_callback(actor=agent, ticket_id=ticket.pk, reached=True,
                                 satisfaction=rnd.choice([1, 2, 3]), note="来电人表示问题未解决")
        else:
            followup.do_callback(actor=agent, ticket_id=ticket.pk, reached=False,
                                 note="无人接听")
    if roll >= 0.85 and rnd.random() < 0.5 and when + dt.timedelta(hours=2) < now:
        with at(when + dt.timedelta(hours=2)):
            followup.do_callback(actor=agent, ticket_id=ticket.pk, reached=False,
                                 note="再次拨打无人接听")


def seed_followup(*, seed: int = 2022) -> dict[str, int]:
    """Answer, call back and escalate the demo's tickets (once); the counts it holds."""
    agent, own = _login("hotline1"), _login("street1")
    told = TicketEvent.objects.filter(kind=TicketEventKind.RESOLVED).exists()
    if agent is not None and not told:
        rnd, now = random.Random(seed), clock.now()
        with translation.override("zh-hans"):
            _answer_new_tickets(own, rnd, now)
            responded = Ticket.objects.filter(status=TicketStatus.IN_PROGRESS).order_by("pk")
            for ticket in list(responded):
                actor = _street_actor(ticket.street_id, own)
                if actor is None or rnd.random() > RESOLVED_SHARE:
                    continue
                if _resolve(ticket, actor, rnd, now) and rnd.random() < CALLED_SHARE:
                    _call_back(Ticket.objects.get(pk=ticket.pk), agent, rnd, now)
        followup.do_escalate_overdue(now=now)
    every = Ticket.objects.all()
    return {"responded": every.exclude(first_response_at=None).count(),
            "resolved": every.filter(status=TicketStatus.RESOLVED).count(),
            "closed": every.filter(status=TicketStatus.CLOSED).count(),
            "reopened": TicketEvent.objects.filter(kind=TicketEventKind.REOPENED).count(),
            "escalated": every.filter(escalation_level__gt=0).count()}
