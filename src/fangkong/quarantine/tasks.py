"""Scheduled jobs of quarantine; the worker is ``fangkong worker`` (Huey, SQLite or Redis)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.quarantine.alerts import do_raise_capacity_alerts
from fangkong.quarantine.release import do_complete_due

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="10", hour="0,8"))
@lock_task("quarantine.complete-due")
def complete_due() -> None:
    """Just after midnight (and again in the morning, harmlessly): complete the orders whose
    last day has passed, and flag yesterday's missed checks and overdue tests."""
    done = do_complete_due()
    log.info("quarantine: %s completed, %s checks missed, %s tests overdue",
             done.completed, done.checks_missed, done.tests_overdue)


@db_periodic_task(crontab(minute="20", hour="*/6"))
@lock_task("quarantine.capacity-alerts")
def capacity_alerts() -> None:
    """Every six hours: a district whose rooms run short within the forecast's horizon, or
    whose reserve is under the policy's rooms per 10,000, gets one open alert for the day."""
    raised = do_raise_capacity_alerts()
    log.info("quarantine: %s capacity alerts raised", raised)
