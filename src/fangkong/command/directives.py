"""Directives: an HQ (the city's or a district's) orders a working group and units strictly
below it to do something by a deadline; each receiving unit gets one task, Placed at it.

Reads go through :func:`directives_for` and :func:`tasks_for` (the one scoping function): a
directive is Placed at its issuing HQ, a task at its receiving unit, so the issuer and every
HQ above see both, a street sees only its own tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.command.logic import LEVEL_TWO_AFTER, acknowledgement_late, is_overdue
from fangkong.command.models import Directive, Group, Task, TaskEvent, TaskEventKind, TaskStatus
from fangkong.core import clock
from fangkong.core.audit import audit_row, record, record_many, snapshot
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import Actor, scope, within
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right

TITLE_MAX = 160
BODY_MAX = 5000
MAX_TARGETS = 500
NUMBER_TRIES = 5
HQ_LEVELS = (Level.CITY, Level.DISTRICT)
TARGET_LEVELS = (Level.DISTRICT, Level.STREET)


def directives_for(actor: Actor) -> QuerySet[Directive]:
    """Directives issued by the actor's HQ or by HQs below it."""
    return scope(Directive.objects.all(), actor)


def tasks_for(actor: Actor) -> QuerySet[Task]:
    """Tasks of units in the actor's subtree (a street: its own)."""
    return scope(Task.objects.all(), actor)


def get_directive(*, actor: Actor, directive_id: int) -> Directive:
    found = directives_for(actor).select_related("issuer_unit").filter(pk=directive_id).first()
    if found is None:
        raise NotFound("directive")
    return found


def with_progress(qs: QuerySet[Directive]) -> QuerySet[Directive]:
    """Each directive with its task counts, in one grouped query (the list's progress bars)."""
    return qs.annotate(
        n_tasks=Count("tasks"),
        n_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE)),
        n_acknowledged=Count("tasks", filter=~Q(tasks__status=TaskStatus.ISSUED)),
        n_overdue=Count("tasks", filter=~Q(tasks__status=TaskStatus.DONE)
                        & Q(tasks__deadline__lte=clock.now())))


@dataclass(frozen=True)
class DirectiveInput:
    title: str
    body: str
    group: str
    deadline: dt.datetime
    unit_ids: tuple[int, ...] = ()
    all_streets_of: int | None = None  # a district: every street of it receives a task


def _hq_unit(actor: Actor) -> AdminUnit:
    actor.require(Right.COMMAND_DIRECT)
    if actor.unit is None or actor.unit.level not in HQ_LEVELS:
        raise DomainError(_("only the city's or a district's HQ issues directives"),
                          field="unit_ids")
    return actor.unit


def _check_text(data: DirectiveInput) -> None:
    if not data.title.strip() or len(data.title) > TITLE_MAX:
        raise DomainError(_("give a title of at most %(n)d characters") % {"n": TITLE_MAX},
                          field="title")
    if len(data.body) > BODY_MAX:
        raise DomainError(_("the text has at most %(n)d characters") % {"n": BODY_MAX},
                          field="body")
    if data.group not in Group.values:
        raise DomainError(_("the working group must be one of %(choices)s")
                          % {"choices": ", ".join(Group.values)}, field="group")
    if data.deadline.tzinfo is None:
        raise DomainError(_("the deadline needs a time zone offset"), field="deadline")
    if data.deadline <= clock.now():
        raise DomainError(_("the deadline must be in the future"), field="deadline")


def _targets(hq: AdminUnit, data: DirectiveInput) -> list[AdminUnit]:
    """The receiving units: named ones and the streets of one district, each strictly below
    the HQ and inside its subtree (anything else is refused by number)."""
    below = within(AdminUnit.objects.filter(level__in=TARGET_LEVELS, level__gt=hq.level), hq)
    ids = list(dict.fromkeys(data.unit_ids))
    found = below.in_bulk(ids)
    outside = [str(i) for i in ids if i not in found]
    if outside:
        raise DomainError(_("units %(ids)s are not districts or streets below your HQ")
                          % {"ids": ", ".join(outside)}, field="unit_ids")
    units = [found[i] for i in ids]
    if data.all_streets_of is not None:
        district = below.filter(pk=data.all_streets_of, level=Level.DISTRICT).first()
        if district is None and hq.pk == data.all_streets_of:
            district = hq
        if district is None:
            raise DomainError(_("no such district below your HQ"), field="all_streets_of")
        units += [u for u in AdminUnit.objects.filter(parent=district, level=Level.STREET)
                  .order_by("code") if u.pk not in found]
    if not units:
        raise DomainError(_("choose at least one receiving unit"), field="unit_ids")
    if len(units) > MAX_TARGETS:
        raise DomainError(_("at most %(n)d receiving units") % {"n": MAX_TARGETS},
                          field="unit_ids")
    return units


def check_issue_directive(*, actor: Actor, data: DirectiveInput) -> list[AdminUnit]:
    hq = _hq_unit(actor)
    _check_text(data)
    return _targets(hq, data)


def do_issue_directive(*, actor: Actor, data: DirectiveInput) -> Directive:
    """The directive, one task per receiving unit, their ``issued`` events and the audit
    rows, in one transaction; the number is ``ZL-<city date>-<n of that day>``."""
    with transaction.atomic():
        units = check_issue_directive(actor=actor, data=data)
        hq = _hq_unit(actor)
        now = clock.now()
        directive = _save_numbered(Directive(
            title=data.title.strip(), body=data.body.strip(), group=data.group,
            issuer_unit=hq, issued_by_id=actor.user_id, issued_at=now,
            deadline=data.deadline), hq=hq)
        tasks = []
        for unit in units:
            task = Task(directive=directive, unit=unit, deadline=data.deadline)
            task.place_in(unit)
            tasks.append(task)
        Task.objects.bulk_create(tasks)
        TaskEvent.objects.bulk_create([
            TaskEvent(task=t, at=now, kind=TaskEventKind.ISSUED, actor_id=actor.user_id,
                      actor_name=actor.username) for t in tasks])
        record(actor=actor, verb="command.directive.issue", target=directive,
               after={**snapshot(directive), "units": [u.pk for u in units]})
        record_many([audit_row(actor=actor, verb="command.task.issue", target=t,
                               after=snapshot(t)) for t in tasks])
    return directive


def _save_numbered(directive: Directive, *, hq: AdminUnit) -> Directive:
    """Save with the next free number of the city's day; a racing issuer's number is
    retried (the unique constraint decides)."""
    prefix = f"ZL-{timezone.localdate(directive.issued_at):%Y%m%d}-"
    directive.place_in(hq)
    for _try in range(NUMBER_TRIES):
        last = (Directive.objects.filter(number__startswith=prefix).order_by("-number")
                .values_list("number", flat=True).first())
        directive.number = f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:03d}"
        try:
            with transaction.atomic():
                directive.save(force_insert=True)
            return directive
        except IntegrityError:
            directive.pk = None
    raise DomainError(_("could not number the directive, try again"), field="title")


SYSTEM = Actor(user_id=None, username="", unit=None)
ACK_HOURS_DEFAULT = 2


def ack_window() -> dt.timedelta:
    """How soon a receiving unit is expected to acknowledge a task (setting
    ``COMMAND_ACK_HOURS``, env ``FANGKONG_COMMAND_ACK_HOURS``, default 2 hours)."""
    from django.conf import settings

    return dt.timedelta(hours=float(getattr(settings, "COMMAND_ACK_HOURS", ACK_HOURS_DEFAULT)))


def unacknowledged_late(qs: QuerySet[Task], *, now: dt.datetime) -> QuerySet[Task]:
    """Tasks still not acknowledged past the window (``logic.acknowledgement_late``)."""
    return qs.filter(status=TaskStatus.ISSUED, directive__issued_at__lte=now - ack_window())


def overdue(qs: QuerySet[Task], *, now: dt.datetime) -> QuerySet[Task]:
    """Not done at or after the deadline (``logic.is_overdue``)."""
    return qs.exclude(status=TaskStatus.DONE).filter(deadline__lte=now)


def do_escalate_overdue_tasks(*, now: dt.datetime) -> dict[int, int]:
    """Raise every overdue task to the level its lateness has reached (``logic``): one
    UPDATE per level over the tasks below it, with their ``escalated`` events and audit
    rows. Level 2 is applied first so a task late by a day gets one event, not two; running
    it again changes nothing (idempotent)."""
    raised: dict[int, int] = {}
    with transaction.atomic():
        for level, cutoff in ((2, now - LEVEL_TWO_AFTER), (1, now)):
            due = (Task.objects.exclude(status=TaskStatus.DONE)
                   .filter(deadline__lte=cutoff, escalation_level__lt=level))
            tasks = list(due.select_for_update())
            if not tasks:
                continue
            Task.objects.filter(pk__in=[t.pk for t in tasks]).update(
                escalation_level=level, escalated_at=now)
            TaskEvent.objects.bulk_create([
                TaskEvent(task=t, at=now, kind=TaskEventKind.ESCALATED, note=str(level),
                          actor_name="system") for t in tasks])
            record_many([audit_row(actor=SYSTEM, verb="command.task.escalate", target=t,
                                   before={"escalation_level": t.escalation_level},
                                   after={"escalation_level": level}) for t in tasks])
            raised[level] = len(tasks)
    return raised


def flagged(tasks: Iterable[Task], *, now: dt.datetime) -> list[Task]:
    """The tasks, each marked ``overdue`` and ``ack_late`` (``logic``) for the pages."""
    window = ack_window()
    rows = list(tasks)
    for t in rows:
        t.overdue = is_overdue(deadline=t.deadline, done_at=t.done_at,  # type: ignore[attr-defined]
                               now=now)
        t.ack_late = acknowledgement_late(  # type: ignore[attr-defined]
            issued_at=t.directive.issued_at, acknowledged_at=t.acknowledged_at,
            done_at=t.done_at, now=now, within=window)
    return rows
