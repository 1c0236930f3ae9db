"""Scheduled job of risk areas: every morning, propose the steps down that the policy in force
allows and withdraw proposals whose conditions stopped holding. Nothing is lowered or lifted
here: a person approves each proposal (``lifting.do_decide_proposal``)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.risk.lifting import do_propose_due

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="5"))
@lock_task("risk.propose-lifting")
def propose_lifting() -> None:
    """Daily at 06:05 city time, once the previous day's results are in (never two at once)."""
    counts = do_propose_due()
    log.info("risk-area proposals: %s", counts)
