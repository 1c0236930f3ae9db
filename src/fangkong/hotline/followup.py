"""After intake: the street's answer, the agent's callback, and escalation on a missed SLA.

Resolving writes the answer (typed, or a template filled with the rules of the day), closes
the linked code appeal through ``hotline.appeals`` and waits for the callback. The callback
closes a satisfied ticket, reopens a dissatisfied one with a new resolution deadline from its
category's SLA (the ticket's own policy version, so a later version never moves it), and
closes one unreached twice. ``do_escalate_overdue`` is the five-minute job: set-wise per
(policy version, level), idempotent because it only ever raises ``escalation_level``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import audit_row, record, record_many, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.hotline import answers
from fangkong.hotline.logic import HotlineRules, deadlines
from fangkong.hotline.models import (
    HotlinePolicy,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)
from fangkong.hotline.policy import hotline_policy_in_force, rules_of

OPEN = (TicketStatus.NEW, TicketStatus.IN_PROGRESS)
ANSWER_MAX = 4000
NOTE_MAX = 1000
UNREACHED_CLOSES_AT = 2  # 接诉即办: two failed callbacks close the ticket as unreached


def rules_for(policy_name: str) -> HotlineRules:
    """The rules a ticket was opened under; a version since deleted falls back to today's."""
    version = HotlinePolicy.objects.filter(name=policy_name).first()
    return rules_of(version or hotline_policy_in_force(on=clock.city_today()))


def get_ticket(*, actor: Actor, ticket_id: int, lock: bool = False) -> Ticket:
    qs = Ticket.objects.select_for_update() if lock else Ticket.objects.all()
    return get_scoped(qs, actor, what="ticket", pk=ticket_id)


def add_event(ticket: Ticket, kind: str, *, actor: Actor, at: dt.datetime, note: str = "",
              data: dict[str, object] | None = None) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, at=at, kind=kind, actor_id=actor.user_id,
                                      actor_name=actor.username, note=note, data=data or {})


# ---------------------------------------------------------------- resolve


def check_resolve(*, ticket: Ticket, answer: str) -> None:
    if ticket.status not in OPEN:
        raise Conflict(_("only a new or in-progress ticket can be resolved"), field="status")
    if not answer:
        raise DomainError(_("write the answer the caller will hear, or pick a template"),
                          field="answer")
    if len(answer) > ANSWER_MAX:
        raise DomainError(_("at most %(n)d characters") % {"n": ANSWER_MAX}, field="answer")


def do_resolve_ticket(*, actor: Actor, ticket_id: int, answer: str = "",
                      template_key: str = "") -> Ticket:
    """The street's answer. With only a template the answer is that template filled with the
    rules of today; with both, the (edited) text wins and the template is recorded."""
    actor.require(Right.HOTLINE_HANDLE)
    answer = answer.strip()
    if template_key and not answer:
        answer = answers.filled_answer(key=template_key, on=clock.city_today(),
                                       language=get_language() or "zh-hans").text
    now = clock.now()
    with transaction.atomic():
        ticket = get_ticket(actor=actor, ticket_id=ticket_id, lock=True)
        check_resolve(ticket=ticket, answer=answer)
        before = snapshot(ticket)
        ticket.status, ticket.answer, ticket.resolved_at = TicketStatus.RESOLVED, answer, now
        ticket.first_response_at = ticket.first_response_at or now  # an answer is a response
        ticket.save(update_fields=["status", "answer", "resolved_at", "first_response_at"])
        add_event(ticket, TicketEventKind.RESOLVED, actor=actor, at=now, note=answer,
                  data={"template": template_key} if template_key else {})
        if ticket.appeal_id is not None:
            from fangkong.hotline.appeals import answer_appeal_of

            answer_appeal_of(ticket=ticket, actor=actor)
        record(actor=actor, verb="hotline.ticket.resolve", target=ticket, before=before,
               after=snapshot(ticket))
    return ticket


# ---------------------------------------------------------------- callback


def check_callback(*, ticket: Ticket, reached: bool, satisfaction: int | None,
                   note: str) -> None:
    if ticket.status != TicketStatus.RESOLVED:
        raise Conflict(_("only a resolved ticket is called back"), field="status")
    if reached and (satisfaction is None or not 1 <= satisfaction <= 5):
        raise DomainError(_("a caller reached gives a satisfaction from 1 to 5"),
                          field="satisfaction")
    if not reached and satisfaction is not None:
        raise DomainError(_("no satisfaction without reaching the caller"),
                          field="satisfaction")
    if len(note) > NOTE_MAX:
        raise DomainError(_("at most %(n)d characters") % {"n": NOTE_MAX}, field="note")


def unreached_since_resolved(ticket: Ticket) -> int:
    """Failed callbacks since the ticket's latest resolution (a reopened ticket starts over)."""
    last = ticket.events.filter(kind=TicketEventKind.RESOLVED).order_by("-at", "-id").first()
    qs = ticket.events.filter(kind=TicketEventKind.CALLBACK, data__reached=False)
    return (qs.filter(id__gt=last.pk) if last is not None else qs).count()


def do_callback(*, actor: Actor, ticket_id: int, reached: bool, satisfaction: int | None = None,
                note: str = "") -> Ticket:
    """Record a callback; satisfied → closed, dissatisfied → reopened, unreached twice →
    closed as unreached, unreached once → stays resolved for another try."""
    actor.require(Right.HOTLINE_TAKE)
    note, now = note.strip(), clock.now()
    with transaction.atomic():
        ticket = get_ticket(actor=actor, ticket_id=ticket_id, lock=True)
        check_callback(ticket=ticket, reached=reached, satisfaction=satisfaction, note=note)
        before = snapshot(ticket)
        ticket.callback_at, ticket.callback_reached = now, reached
        ticket.satisfaction, ticket.callback_note = satisfaction, note
        add_event(ticket, TicketEventKind.CALLBACK, actor=actor, at=now, note=note,
                  data={"reached": reached, "satisfaction": satisfaction})
        rules = rules_for(ticket.policy_name)
        if not reached:
            if unreached_since_resolved(ticket) >= UNREACHED_CLOSES_AT:
                _close(ticket, actor=actor, now=now, outcome="unreached")
        elif satisfaction is not None and satisfaction >= rules.satisfied_at_least:
            _close(ticket, actor=actor, now=now, outcome="satisfied")
        else:
            _reopen(ticket, rules, actor=actor, now=now)
        ticket.save()
        record(actor=actor, verb="hotline.ticket.callback", target=ticket, before=before,
               after=snapshot(ticket))
    return ticket


def _close(ticket: Ticket, *, actor: Actor, now: dt.datetime, outcome: str) -> None:
    ticket.status, ticket.closed_at = TicketStatus.CLOSED, now
    add_event(ticket, TicketEventKind.CLOSED, actor=actor, at=now, data={"outcome": outcome})


def _reopen(ticket: Ticket, rules: HotlineRules, *, actor: Actor, now: dt.datetime) -> None:
    """Back to the street with a fresh resolution deadline; the late-or-not of the first
    response stands, the failed answer stays in the history."""
    due = deadlines(rules, category=ticket.category, urgency=ticket.urgency, opened=now)
    ticket.status, ticket.resolved_at, ticket.resolve_by = (TicketStatus.IN_PROGRESS, None,
                                                            due.resolve_by)
    add_event(ticket, TicketEventKind.REOPENED, actor=actor, at=now,
              data={"satisfaction": ticket.satisfaction, "resolve_by": due.resolve_by.isoformat()})


@dataclass(frozen=True)
class DueCallback:
    ticket: Ticket
    due: dt.datetime
    overdue: bool


def callbacks_due(*, actor: Actor, now: dt.datetime, overdue_only: bool = False,
                  limit: int = 200) -> list[DueCallback]:
    """Resolved tickets waiting for their callback, oldest resolution first; each is due
    ``callback_hours`` (of its own policy version) after its resolution."""
    qs: QuerySet[Ticket] = scope(Ticket.objects.filter(status=TicketStatus.RESOLVED)
                                 .select_related("street"), actor)
    if overdue_only:
        qs = qs.filter(_callback_overdue_q(now))
    rows = list(qs.order_by("resolved_at", "pk")[:limit])
    hours = {name: rules_for(name).callback_hours for name in {t.policy_name for t in rows}}
    out = []
    for t in rows:
        due = (t.resolved_at or now) + dt.timedelta(hours=hours[t.policy_name])
        out.append(DueCallback(ticket=t, due=due, overdue=due < now))
    return out


def _callback_overdue_q(now: dt.datetime) -> Q:
    """Resolved longer ago than the callback window of each ticket's version."""
    where = Q(pk__in=[])
    names = list(HotlinePolicy.objects.values_list("name", flat=True))
    for name in names:
        window = dt.timedelta(hours=rules_for(name).callback_hours)
        where |= Q(policy_name=name, resolved_at__lt=now - window)
    fallback = dt.timedelta(hours=rules_of(hotline_policy_in_force(
        on=clock.city_today())).callback_hours)
    return where | (~Q(policy_name__in=names) & Q(resolved_at__lt=now - fallback))


# ---------------------------------------------------------------- escalation

SYSTEM = Actor(user_id=None, username="system", unit=None)
CHUNK = 2000
SUPERVISORS = {1: "district", 2: "city"}


def missed_by_q(*, now: dt.datetime, cutoff: dt.datetime) -> Q:
    """Open tickets whose first missed deadline (``logic.missed_since``) lies at or before
    ``cutoff`` and before ``now``: the first response still missing past ``respond_by`` or
    given late, or the resolution still missing past ``resolve_by``."""
    respond_missed = (Q(first_response_at__isnull=True, respond_by__lt=now)
                      | Q(first_response_at__gt=F("respond_by")))
    return ((respond_missed & Q(respond_by__lte=cutoff))
            | Q(resolve_by__lt=now, resolve_by__lte=cutoff))


def do_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Raise every open ticket to ``logic.escalation_level`` at ``now`` where that is higher
    than its level; returns how many tickets rose. Per policy version and level, highest
    first, one query selects the tickets (a ticket late by hours jumps straight to the city
    with one event); events and audit rows are bulk-inserted in chunks."""
    now = now or clock.now()
    open_qs = Ticket.objects.filter(status__in=OPEN)
    names = sorted(set(open_qs.values_list("policy_name", flat=True).distinct()))
    units = _unit_names()
    raised = 0
    for name in names:
        steps = rules_for(name).escalate_after_minutes
        for level in range(len(steps), 0, -1):
            cutoff = now - dt.timedelta(minutes=steps[level - 1])
            due = open_qs.filter(missed_by_q(now=now, cutoff=cutoff), policy_name=name,
                                 escalation_level__lt=level)
            ids = list(due.values_list("pk", flat=True))
            for start in range(0, len(ids), CHUNK):
                raised += _raise(ids[start:start + CHUNK], level, now, units)
    return raised


def _unit_names() -> dict[int | None, tuple[int | None, str]]:
    """District id → (id, name) of its supervisor at level 1; None → the city's."""
    city = AdminUnit.objects.filter(level=Level.CITY).order_by("pk").first()
    names: dict[int | None, tuple[int | None, str]] = {
        None: (city.pk, city.name) if city else (None, "")}
    for pk, name in AdminUnit.objects.filter(level=Level.DISTRICT).values_list("pk", "name"):
        names[pk] = (pk, name)
    return names


def _raise(ids: list[int], level: int, now: dt.datetime,
           units: dict[int | None, tuple[int | None, str]]) -> int:
    with transaction.atomic():
        rows = list(Ticket.objects.select_for_update().filter(
            pk__in=ids, escalation_level__lt=level, status__in=OPEN).only(
            "pk", "escalation_level", "district", "street", "community", "grid"))
        if not rows:
            return 0
        Ticket.objects.filter(pk__in=[t.pk for t in rows]).update(
            escalation_level=level, escalated_at=now)
        events, audits = [], []
        for t in rows:
            unit_id, unit_name = units[t.district_id if level == 1 else None]
            data = {"level": level, "from": t.escalation_level, "unit_id": unit_id,
                    "supervisor": SUPERVISORS.get(level, "city")}
            events.append(TicketEvent(ticket_id=t.pk, at=now, kind=TicketEventKind.ESCALATED,
                                      actor_name=SYSTEM.username, note=unit_name, data=data))
            audit = audit_row(actor=SYSTEM, verb="hotline.ticket.escalate", target=t,
                              before={"escalation_level": t.escalation_level},
                              after={"escalation_level": level, "escalated_at": str(now)})
            audit.at = now
            audits.append(audit)
        TicketEvent.objects.bulk_create(events, batch_size=1000)
        record_many(audits)
    return len(rows)
