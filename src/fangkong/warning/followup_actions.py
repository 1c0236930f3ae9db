"""Closing a follow-up: the grid worker called or visited the person and says what came of
it. One transaction with the audit row; a closed one is not closed again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.warning.models import FollowUp, FollowUpStatus

OUTCOME_MAX = 1000
AUDITED = ("status", "done_at", "done_by", "outcome")


def check_close(*, outcome: str) -> str:
    outcome = outcome.strip()
    if not outcome:
        raise DomainError(_("say what came of the follow-up"), field="outcome")
    if len(outcome) > OUTCOME_MAX:
        raise DomainError(_("the outcome has at most %(n)d characters") % {"n": OUTCOME_MAX},
                          field="outcome")
    return outcome


def do_close_follow_up(*, actor: Actor, follow_up_id: int, outcome: str) -> FollowUp:
    """Close an open follow-up of the actor's scope (404 outside it) with its outcome."""
    actor.require(Right.WARNING_FOLLOW)
    outcome = check_close(outcome=outcome)
    with transaction.atomic():
        row = get_scoped(FollowUp.objects.select_for_update(), actor, what="follow-up",
                         pk=follow_up_id)
        if row.status != FollowUpStatus.OPEN:
            raise Conflict(_("this follow-up is closed already"))
        before = snapshot(row)
        row.status, row.done_at, row.done_by_id = FollowUpStatus.DONE, clock.now(), actor.user_id
        row.outcome = outcome
        row.save(update_fields=list(AUDITED))
        record(actor=actor, verb="warning.followup.close", target=row,
               before={k: before[k] for k in AUDITED}, after=snapshot(row))
    return row
