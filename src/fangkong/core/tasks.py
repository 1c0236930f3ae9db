"""Scheduled jobs of core; the worker is ``fangkong worker`` (Huey, SQLite or Redis)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.core.audit_tasks import seal_audit_log
from fangkong.core.retention import run_purge

# Huey's worker discovers only the ``tasks`` modules of the apps: the per-minute seal of the
# audit log lives in audit_tasks.py and is registered through this import.
__all__ = ["retention_purge", "seal_audit_log"]

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("core.retention-purge")
def retention_purge() -> None:
    """Nightly: purge personal data past its retention period (never two runs at once)."""
    counts = run_purge()
    log.warning("retention purge: %s", counts)
