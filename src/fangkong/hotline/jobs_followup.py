"""Jobs of the hotline: escalation of overdue tickets (huey periodic tasks; hotline/tasks.py
imports them so huey finds them)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.hotline.followup import do_escalate_overdue

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("hotline.escalate-overdue")
def escalate_overdue() -> None:
    """Every five minutes: tickets past a deadline go up to the district, then the city
    (never two runs at once; a run that finds nothing new changes nothing)."""
    raised = do_escalate_overdue()
    log.info("hotline: %s tickets escalated", raised)
