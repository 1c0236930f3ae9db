"""Health-code appeals travel as hotline tickets (channel ``appeal``).

A new appeal opens a ticket after its transaction commits (``post_save`` connected in
``HotlineConfig.ready``: healthcode must not import the hotline). The ticket is routed by the
person's residence, like the appeal itself, so the street that answers the ticket is the staff
that may answer the appeal. When the street resolves the ticket, ``answer_appeal_of`` answers
the appeal with the ticket's answer through healthcode's own action: the resolve already
checked ``hotline.handle`` on the ticket, which is the hotline's delegation to answer it, so the
actor gets ``healthcode.change`` for that one call. Changing the colour is never part of it
(a manual change with a second person's approval, as in healthcode)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.db import transaction

from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.healthcode.appeals import do_answer_appeal
from fangkong.healthcode.models import Appeal, AppealStatus
from fangkong.hotline.models import Ticket

log = logging.getLogger(__name__)
APPEAL_KEY = "appeal-{pk}"  # the ticket's client key: an appeal opens at most one ticket


def answer_appeal_of(*, ticket: Ticket, actor: Actor) -> Appeal | None:
    """Answer the ticket's appeal with the ticket's answer (called inside the resolve's
    transaction, so both commit or neither). An appeal answered already on the health-code
    pages keeps its answer; a ticket without an appeal does nothing."""
    if ticket.appeal_id is None:
        return None
    appeal = Appeal.objects.filter(pk=ticket.appeal_id).first()
    if appeal is None or appeal.status != AppealStatus.OPEN:
        return appeal
    delegated = dataclasses.replace(actor, rights=actor.rights | {Right.HEALTHCODE_CHANGE})
    return do_answer_appeal(actor=delegated, appeal_id=appeal.pk, answer=ticket.answer)


def on_appeal_saved(sender: type[Appeal], instance: Appeal, created: bool,
                    **kwargs: Any) -> None:
    """A new appeal opens its ticket once the appeal's transaction has committed."""
    if created and not kwargs.get("raw", False):
        appeal_id = instance.pk
        transaction.on_commit(lambda: open_ticket_for_appeal(appeal_id=appeal_id))


def open_ticket_for_appeal(*, appeal_id: int) -> Ticket | None:
    """Open (or find) the ticket of an appeal. A failure is logged and never fails the
    appeal: the resident's appeal is stored and shown to their staff either way."""
    from fangkong.hotline.tickets import do_open_appeal_ticket

    try:
        return do_open_appeal_ticket(appeal_id=appeal_id)
    except DomainError:
        log.exception("appeal %s: no hotline ticket opened", appeal_id)
        return None
