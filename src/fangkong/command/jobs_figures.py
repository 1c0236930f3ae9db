"""Jobs of the command centre: figures (huey periodic tasks; command/tasks.py imports them so
huey finds them)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.command.refresh import catch_up, refresh_all

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("command.figures")
def refresh_figures() -> None:
    """Every minute: today's state figures at the first run of a day, the sweep of bulk
    writes and crossed deadlines, then every marked cell recomputed."""
    catch_up()
    done = refresh_all()
    if done:
        log.info("command: %s figures refreshed", done)
