"""The directives part of the demo: the last days of the HQs' orders, issued and worked
through the platform's own actions, each at its moment of the story (``demo_steps.at``).

* **The city** (``commander``) ordered every district, three days ago, to report its
  sealed-area supply plan by the next evening: district 1 closed it on time, district 2
  late, a third district has not (overdue, escalated to the city).
* **The city**, yesterday, ordered district 1's first streets to check elderly people living
  alone by tonight: one in progress, one acknowledged, one nobody acknowledged (flagged).
* **District 1** (``officer1``), two days ago, ordered every street of it to finish the
  door-to-door list of untested residents by last night: ``street1`` on time with a CSV,
  another late (then reopened by the HQ: the list was incomplete), another overdue.
* **District 1**, this morning, ordered ``street1`` to staff tomorrow's screening sites;
  ``street1`` has not acknowledged it yet.

The job then escalates what is overdue. Seeded once: any directive means it was told.
Streets without a demo login act through an actor named after their unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from fangkong.command import directives, task_actions
from fangkong.command.models import Directive, Task, TaskEvent
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Role, rights_for
from fangkong.risk.demo import moment
from fangkong.testing.demo_steps import at

CSV = "姓名,楼栋,状态\n张伟,3号楼,已检测\n王芳,5号楼,居家未检\n".encode()


def seed_tasks(*, seed: int = 2022) -> dict[str, int]:
    """The story above (``seed`` is unused: the story is fixed); counts of what exists."""
    del seed
    cast = {u.username: actor_for(u) for u in User.objects.filter(
        username__in=["commander", "officer1", "street1"])}
    if Directive.objects.exists() or "commander" not in cast or "officer1" not in cast:
        return counts()
    now = clock.now()
    _REAL_NOW[0] = now
    today = timezone.localdate(now)
    day = lambda ago: today - dt.timedelta(days=ago)  # noqa: E731
    district1 = cast["officer1"].unit
    assert district1 is not None
    _city_supply_plans(cast, day, now)
    _elderly_checks(cast, district1, day, now)
    _untested_lists(cast, district1, day, now)
    _screening_staff(cast, district1, day, now)
    directives.do_escalate_overdue_tasks(now=now)
    return counts()


def counts() -> dict[str, int]:
    return {"directives": Directive.objects.count(), "tasks": Task.objects.count(),
            "task_events": TaskEvent.objects.count(),
            "escalated": Task.objects.filter(escalation_level__gt=0).count()}


def staff_of(unit: AdminUnit, cast: dict[str, Actor]) -> Actor:
    """The demo login of a unit if it has one, else an actor named after the unit."""
    for actor in cast.values():
        if actor.unit is not None and actor.unit.pk == unit.pk:
            return actor
    role = Role.DISTRICT_OFFICER if unit.level == Level.DISTRICT else Role.STREET_WORKER
    return Actor(user_id=None, username=f"{unit.name}值班员", unit=unit,
                 rights=rights_for([role.value]))


def _run(when: dt.datetime, step: Callable[[], Any]) -> Any:
    """Run ``step`` at ``when`` of the story, never later than the real now (a demo made
    just after midnight still happens in the past)."""
    with at(min(when, _REAL_NOW[0])):
        return step()


_REAL_NOW = [dt.datetime.max.replace(tzinfo=dt.UTC)]


def _issue(actor: Actor, when: dt.datetime, *, title: str, body: str, group: str,
           deadline: dt.datetime, units: list[AdminUnit]) -> dict[int, Task]:
    data = directives.DirectiveInput(title=title, body=body, group=group, deadline=deadline,
                                     unit_ids=tuple(u.pk for u in units))
    directive = _run(when, lambda: directives.do_issue_directive(actor=actor, data=data))
    return {t.unit_id: t for t in directive.tasks.all()}


def _work(actor: Actor, task: Task, when: dt.datetime, *, ack_after: float,
          done_after: float | None = None, progress: int | None = None,
          note: str = "", upload: task_actions.Upload | None = None) -> None:
    """Acknowledge ``ack_after`` hours after ``when``; progress; close ``done_after`` hours
    after ``when`` with the note (and file) as evidence."""
    hour = dt.timedelta(hours=1)
    _run(when + ack_after * hour, lambda: task_actions.do_acknowledge(actor=actor,
                                                                      task_id=task.pk))
    if progress is not None:
        _run(when + (ack_after + 0.5) * hour, lambda: task_actions.do_progress(
            actor=actor, task_id=task.pk, progress=progress, note=note))
    if done_after is None:
        return
    if upload is not None:
        _run(when + (done_after - 0.1) * hour, lambda: task_actions.do_add_evidence(
            actor=actor, task_id=task.pk, upload=upload))
    _run(when + done_after * hour, lambda: task_actions.do_close(actor=actor, task_id=task.pk,
                                                                 note=note))


def _city_supply_plans(cast: dict[str, Actor], day: Callable[[int], dt.date],
                       now: dt.datetime) -> None:
    districts = list(AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[:3])
    issued = moment(day(3), 9, now=now)
    tasks = _issue(cast["commander"], issued, title="上报封控区生活物资保障方案",
                   body="各区明日18时前上报封控区、管控区生活物资保障方案及配送力量。",
                   group="supply", deadline=moment(day(2), 18, now=now), units=districts)
    for i, district in enumerate(districts):
        actor, task = staff_of(district, cast), tasks[district.pk]
        if i == 0:
            _work(actor, task, issued, ack_after=0.5, done_after=26, progress=70,
                  note="方案已上报，配送力量120人")
        elif i == 1:
            _work(actor, task, issued, ack_after=4, done_after=40, note="方案已上报（延误）")
        else:
            _work(actor, task, issued, ack_after=1.5, progress=30, note="正在统筹")


def _elderly_checks(cast: dict[str, Actor], district1: AdminUnit,
                    day: Callable[[int], dt.date], now: dt.datetime) -> None:
    streets = list(AdminUnit.objects.filter(parent=district1, level=Level.STREET)
                   .order_by("code")[:3])
    issued = moment(day(1), 10, now=now)
    tasks = _issue(cast["commander"], issued, title="独居老人走访摸排",
                   body="逐户走访独居老人，掌握用药和就医需求。", group="community",
                   deadline=timezone.make_aware(dt.datetime.combine(day(0), dt.time(22))),
                   units=streets)
    for i, street in enumerate(streets[:2]):
        _work(staff_of(street, cast), tasks[street.pk], issued, ack_after=1 + i,
              progress=60 if i == 0 else None, note="已走访 42 户")


def _untested_lists(cast: dict[str, Actor], district1: AdminUnit,
                    day: Callable[[int], dt.date], now: dt.datetime) -> None:
    streets = list(AdminUnit.objects.filter(parent=district1, level=Level.STREET)
                   .order_by("code")[:3])
    issued = moment(day(2), 8, now=now)
    data = directives.DirectiveInput(
        title="完成未检人员入户名单", body="各街道昨晚20时前完成未检测人员入户核查名单。",
        group="testing", deadline=moment(day(1), 20, now=now),
        all_streets_of=district1.pk, unit_ids=tuple(s.pk for s in streets))
    directive = _run(issued, lambda: directives.do_issue_directive(actor=cast["officer1"],
                                                                   data=data))
    tasks = {t.unit_id: t for t in directive.tasks.all()}
    for i, street in enumerate(streets):
        actor, task = staff_of(street, cast), tasks[street.pk]
        if i == 0:
            _work(actor, task, issued, ack_after=0.3, done_after=30, progress=80,
                  note="名单已完成", upload=task_actions.Upload("未检人员名单.csv", CSV))
        elif i == 1:
            _work(actor, task, issued, ack_after=2.5, done_after=40, note="名单已完成（延误）")
            _run(issued + dt.timedelta(hours=41), _reopen(cast["officer1"], task,
                                                          reason="名单缺3号楼，请补充"))
        else:
            _work(actor, task, issued, ack_after=6)


def _reopen(actor: Actor, task: Task, *, reason: str) -> Callable[[], Task]:
    return lambda: task_actions.do_reopen(actor=actor, task_id=task.pk, reason=reason)


def _screening_staff(cast: dict[str, Actor], district1: AdminUnit,
                     day: Callable[[int], dt.date], now: dt.datetime) -> None:
    street = AdminUnit.objects.filter(parent=district1, level=Level.STREET).order_by(
        "code").first()
    if street is None:
        return
    issued = min(moment(day(0), 8, now=now), now - dt.timedelta(hours=3))
    _issue(cast["officer1"], issued, title="明日核酸采样点人员保障",
           body="落实明日各采样点志愿者和扫码人员。", group="testing",
           deadline=now + dt.timedelta(hours=20), units=[street])
