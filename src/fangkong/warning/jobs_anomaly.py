"""Early-warning jobs: the daily anomaly scan (huey periodic task)."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.core import clock
from fangkong.warning.anomaly import do_scan

log = logging.getLogger(__name__)

CATCH_UP_DAYS = 2  # yesterday and the day before (a late report, a missed run): idempotent


@db_periodic_task(crontab(minute="30", hour="1,9"))
@lock_task("warning.anomaly-scan")
def anomaly_scan() -> None:
    """After midnight (and again in the morning, when late reports are in): judge the last
    complete days; a day scanned again writes nothing new."""
    today = clock.city_today()
    for back in range(CATCH_UP_DAYS, 0, -1):
        done = do_scan(day=today - dt.timedelta(days=back))
        log.info("warning: %s judged %s series, %s anomalies (%s)", done.day, done.judged,
                 done.created, done.policy)
