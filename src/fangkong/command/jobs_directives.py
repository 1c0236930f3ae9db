"""Jobs of the command centre: directives (huey periodic tasks; command/tasks.py imports them so
huey finds them)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.command.directives import do_escalate_overdue_tasks, unacknowledged_late
from fangkong.command.models import Task
from fangkong.core import clock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("command.escalate-overdue-tasks")
def escalate_overdue_tasks() -> None:
    """Every five minutes: overdue tasks reach the level their lateness has earned (the HQ
    above at the deadline, the city a day later); unacknowledged ones are counted (they
    are flagged where they are listed, computed from the same window)."""
    now = clock.now()
    raised = do_escalate_overdue_tasks(now=now)
    late = unacknowledged_late(Task.objects.all(), now=now).count()
    if raised or late:
        log.info("command: escalated %s, %d tasks not acknowledged in time", raised, late)
