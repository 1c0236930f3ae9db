"""Scheduled jobs of tracing; the worker is ``fangkong worker`` (Huey, SQLite or Redis)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.tracing.actions_contacts import do_escalate_unlocated

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("tracing.escalate-unlocated")
def escalate_unlocated() -> None:
    """Every 15 minutes: flag contacts not located in time (never two runs at once)."""
    count = do_escalate_unlocated()
    if count:
        log.warning("escalated %s contacts not located in time", count)
