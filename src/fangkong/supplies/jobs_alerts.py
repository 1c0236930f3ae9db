"""Supplies jobs: the day's alerts for every street, recomputed through the day (reports
recompute their own street at once; this catches what changes without a report, such as a
sealed area designated or lifted)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.core import clock
from fangkong.supplies.alerts import do_compute_alerts

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="15"))
@lock_task("supplies-alerts")
def compute_alerts() -> None:
    """Hourly, yesterday then today (idempotent: a re-run opens nothing twice)."""
    today = timezone.localdate(clock.now())
    for day in (today - dt.timedelta(days=1), today):
        log.info("supply alerts %s: %s", day, do_compute_alerts(day=day))
