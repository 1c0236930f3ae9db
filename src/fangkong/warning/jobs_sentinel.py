"""Early-warning jobs: the daily step that puts pharmacy buyers still untested past the
policy's hours on their grid's follow-up list (huey periodic task)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.warning.untested import do_open_buyer_follow_ups

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="50", hour="0,12"))
@lock_task("warning-buyer-follow-ups")
def open_buyer_follow_ups() -> None:
    """Twice a day (it is idempotent), so a buyer is told within half a day of the deadline."""
    log.info("buyer follow-ups: %s", do_open_buyer_follow_ups())
