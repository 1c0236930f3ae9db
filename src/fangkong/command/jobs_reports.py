"""Jobs of the command centre: reports (huey; command/tasks.py imports them so huey finds them).

``generate_report`` draws one requested report. ``daily_reports`` runs every hour and makes
the day before's reports once the city's clock is past ``COMMAND_REPORT_HOUR``: huey's crontab
counts in UTC, while the hour is the city's, and an hourly check also catches up after a
worker that was down at that hour (``reports.do_schedule_daily`` makes each report once)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from fangkong.command import reports

log = logging.getLogger(__name__)


@db_task()
def generate_report(report_id: int) -> None:
    report = reports.do_generate_report(report_id=report_id)
    if report is not None:
        log.info("situation report %s: %s", report_id, report.status)


@db_periodic_task(crontab(minute="5"))
@lock_task("command.daily-reports")
def daily_reports() -> None:
    made = reports.do_schedule_daily()
    log.info("command: %s daily situation reports requested", len(made))
