"""The escalation job: levels over time, one event per raise, idempotent, done tasks left
alone; and the worker's periodic task calls it."""

import datetime as dt

import pytest

from fangkong.command.directives import do_escalate_overdue_tasks, unacknowledged_late
from fangkong.command.jobs_directives import escalate_overdue_tasks
from fangkong.command.models import Task, TaskEvent
from fangkong.command.task_actions import do_acknowledge, do_close
from fangkong.core import clock
from fangkong.core.models import AuditLog
from fangkong.testing.demo_steps import at
from tests.command.builders_tasks import Cast, issue, task_cast
from tests.factories import City

H = dt.timedelta(hours=1)


@pytest.fixture
def cast(city: City) -> Cast:
    return task_cast(city)


def _levels() -> dict[int, int]:
    return dict(Task.objects.values_list("unit_id", "escalation_level"))


def test_levels_over_time_and_idempotent(cast: Cast) -> None:
    start = clock.now()
    directive = issue(cast.actor("officer1"), [cast.street_1a, cast.street_1b], hours=4,
                      when=start)
    done_task = directive.tasks.get(unit=cast.street_1b)
    with at(start + H):
        do_acknowledge(actor=cast.actor("street1b"), task_id=done_task.pk)
        do_close(actor=cast.actor("street1b"), task_id=done_task.pk, note="完成")
    assert do_escalate_overdue_tasks(now=start + 3 * H) == {}
    assert do_escalate_overdue_tasks(now=start + 4 * H) == {1: 1}  # at the deadline
    assert do_escalate_overdue_tasks(now=start + 5 * H) == {}  # again: nothing new
    assert _levels() == {cast.street_1a.pk: 1, cast.street_1b.pk: 0}
    assert do_escalate_overdue_tasks(now=start + 28 * H) == {2: 1}  # a day after
    assert do_escalate_overdue_tasks(now=start + 29 * H) == {}
    events = TaskEvent.objects.filter(kind="escalated").order_by("at")
    assert list(events.values_list("note", flat=True)) == ["1", "2"]
    assert AuditLog.objects.filter(verb="command.task.escalate").count() == 2


def test_a_task_late_by_days_jumps_to_level_two_with_one_event(cast: Cast) -> None:
    start = clock.now()
    issue(cast.actor("commander"), [cast.street_2a], hours=1, when=start)
    assert do_escalate_overdue_tasks(now=start + 3 * 24 * H) == {2: 1}
    assert TaskEvent.objects.filter(kind="escalated").count() == 1


def test_unacknowledged_tasks_are_flagged_after_the_window(cast: Cast,
                                                          settings: object) -> None:
    start = clock.now()
    directive = issue(cast.actor("officer1"), [cast.street_1a, cast.street_1b], when=start)
    with at(start + H):
        do_acknowledge(actor=cast.actor("street1"), task_id=directive.tasks.get(
            unit=cast.street_1a).pk)
    assert not unacknowledged_late(Task.objects.all(), now=start + 1.5 * H).exists()
    late = unacknowledged_late(Task.objects.all(), now=start + 2 * H)
    assert [t.unit_id for t in late] == [cast.street_1b.pk]
    settings.COMMAND_ACK_HOURS = 4  # type: ignore[attr-defined]
    assert not unacknowledged_late(Task.objects.all(), now=start + 3 * H).exists()


def test_the_periodic_task_runs_the_escalation(cast: Cast) -> None:
    start = clock.now() - 2 * H
    issue(cast.actor("commander"), [cast.street_1a], hours=1, when=start)
    escalate_overdue_tasks.call_local()
    escalate_overdue_tasks.call_local()
    assert _levels() == {cast.street_1a.pk: 1}
    assert TaskEvent.objects.filter(kind="escalated").count() == 1
