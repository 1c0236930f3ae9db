"""The periodic seal of the audit log (core/audit_chain.py): every minute, so a row is open
to an undetected deletion for about a minute at most."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.core.audit_chain import do_seal


@db_periodic_task(crontab(minute="*"))
@lock_task("fangkong-audit-seal")
def seal_audit_log() -> int:
    return do_seal().sealed
