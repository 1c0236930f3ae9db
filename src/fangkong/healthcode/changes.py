"""Manual code changes under the two-person rule: a user with ``healthcode.change`` asks to set
a person's colour (with a reason, for at most the longest status a real fact gives) or to
revoke an override; a different user with ``approval.decide`` approves it on the approvals
page; only then is the ``Override`` written and the person's code recomputed. Every step is
audited, and abuse alerts are raised when asked and again when applied (``abuse``).

The payload carries a random ``ref`` so the apply step finds its own approval (for the reason
and the requester) and ``alerts``, the kinds found when asked, so the approver sees them even
in the raw request.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.approvals import ApprovalKind, do_request, register_kind
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.models import Approval, ApprovalStatus
from fangkong.core.rights import Right
from fangkong.healthcode import abuse
from fangkong.healthcode.logic import COLOURS
from fangkong.healthcode.models import Override
from fangkong.healthcode.policy import code_rules
from fangkong.registry.models import Person

KIND = abuse.KIND
SET, REVOKE = "set", "revoke"
REASON_MAX = 2000


def max_days() -> int:
    return abuse.longest_status_days(code_rules(on=clock.city_today()))


def active_override(person_id: int) -> Override | None:
    """The person's override in force now (at most one: a new one ends the old)."""
    return (Override.objects.filter(person_id=person_id, revoked_at__isnull=True,
                                    expires_at__gt=clock.now()).order_by("-set_at").first())


def _check_set(payload: dict[str, Any]) -> None:
    if payload.get("colour") not in COLOURS:
        raise DomainError(_("choose green, yellow or red"), field="colour")
    days, cap = payload.get("days"), max_days()
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= cap:
        raise DomainError(_("an override lasts 1 to %(n)d days") % {"n": cap}, field="days")


def check_override(*, actor: Actor, target_id: str, payload: dict[str, Any]) -> Person:
    """The approval kind's check, run when asked and again when decided: a valid payload for
    a person in the actor's scope (and, to revoke, an override of theirs still in force)."""
    if not str(target_id).isdigit():
        raise NotFound("person")
    person = get_scoped(Person.objects.all(), actor, what="person", pk=int(target_id))
    action = payload.get("action")
    if action == SET:
        _check_set(payload)
    elif action == REVOKE:
        current = active_override(person.pk)
        if current is None or current.pk != payload.get("override_id"):
            raise Conflict(_("this override is no longer in force"))
    else:
        raise DomainError(_("a change sets or revokes an override"), field="action")
    if not isinstance(payload.get("ref"), str):
        raise DomainError(_("a change needs its reference"), field="ref")
    return person


def _approval_of(person: Person, payload: dict[str, Any]) -> Approval:
    for approval in Approval.objects.filter(kind=KIND, target_id=str(person.pk),
                                            status=ApprovalStatus.PENDING):
        if approval.payload.get("ref") == payload["ref"]:
            return approval
    raise Conflict(_("the request of this change is gone"))


def apply_override(*, actor: Actor, target: Person, payload: dict[str, Any]) -> dict[str, Any]:
    """Write the change the second person approved, raise alerts on the approver, recompute."""
    approval = _approval_of(target, payload)
    now = clock.now()
    current = active_override(target.pk)
    if current is not None:  # a new override or a revocation ends the one in force
        before = snapshot(current)
        current.revoked_at = now
        current.save(update_fields=["revoked_at"])
        record(actor=actor, verb="healthcode.override.revoke", target=current, before=before,
               after=snapshot(current))
    result: dict[str, Any] = {"action": payload["action"]}
    if payload["action"] == SET:
        override = Override(person=target, colour=payload["colour"], reason=approval.reason,
                            approval=approval, requested_by_id=approval.requested_by_id,
                            set_at=now, expires_at=now + dt.timedelta(days=payload["days"]))
        override.district_id, override.street_id = target.district_id, target.street_id
        override.community_id, override.grid_id = target.community_id, target.grid_id
        override.save()
        record(actor=actor, verb="healthcode.override.set", target=override,
               after=snapshot(override))
        result["override_id"] = override.pk
    found = abuse.findings(person=target, user_id=actor.user_id,
                           colour=payload.get("colour"), stage="applied")
    alerts = abuse.raise_alerts(actor=actor, person=target, approval=approval, found=found,
                                stage="applied", user_id=actor.user_id)
    result["alerts"] = [a.kind for a in alerts]
    _recompute(actor=actor, person=target)
    return result


def _recompute(*, actor: Actor, person: Person) -> None:
    """The person's code after the change (the status engine of ``recompute``)."""
    from fangkong.healthcode import recompute  # lazy: the engine imports this module's table

    recompute.do_recompute_person(actor=actor, person_id=person.pk)


register_kind(ApprovalKind(name=KIND, request_right=Right.HEALTHCODE_CHANGE,
                           check=check_override, apply=apply_override,
                           warnings=abuse.approval_warnings, generic_request=False))


def _ask(*, actor: Actor, person: Person, payload: dict[str, Any], reason: str) -> Approval:
    """Request one change (caller's transaction) and raise the alerts the approver will see."""
    if len(reason.strip()) > REASON_MAX:
        raise DomainError(_("the reason has at most %(n)d characters") % {"n": REASON_MAX},
                          field="reason")
    if Approval.objects.filter(kind=KIND, target_id=str(person.pk),
                               status=ApprovalStatus.PENDING).exists():
        raise Conflict(_("a change for this person is already waiting for approval"))
    found = abuse.findings(person=person, user_id=actor.user_id,
                           colour=payload.get("colour"), stage="requested")
    payload = {**payload, "ref": secrets.token_hex(8), "alerts": sorted(found)}
    approval = do_request(actor=actor, kind=KIND, target_id=str(person.pk), payload=payload,
                          reason=reason)
    abuse.raise_alerts(actor=actor, person=person, approval=approval, found=found,
                       stage="requested", user_id=actor.user_id)
    return approval


def do_request_change(*, actor: Actor, person_id: int, colour: str, reason: str,
                      days: int) -> Approval:
    """Ask a second person to set ``person_id``'s colour for ``days`` days."""
    actor.require(Right.HEALTHCODE_CHANGE)
    with transaction.atomic():
        person = get_scoped(Person.objects.select_for_update(), actor, what="person",
                            pk=person_id)
        payload = {"action": SET, "colour": colour, "days": days}
        _check_set(payload)
        return _ask(actor=actor, person=person, payload=payload, reason=reason)


def do_request_revoke(*, actor: Actor, override_id: int, reason: str) -> Approval:
    """Ask a second person to end an override in force before its time."""
    actor.require(Right.HEALTHCODE_CHANGE)
    with transaction.atomic():
        override = get_scoped(Override.objects.select_related("person"), actor,
                              what="override", pk=override_id)
        current = active_override(override.person_id)
        if current is None or current.pk != override.pk:
            raise Conflict(_("this override is no longer in force"))
        person = get_scoped(Person.objects.select_for_update(), actor, what="person",
                            pk=override.person_id)
        return _ask(actor=actor, person=person, reason=reason,
                    payload={"action": REVOKE, "override_id": override.pk})


def pending_changes(actor: Actor) -> QuerySet[Approval]:
    """Manual changes waiting for a second person, in the actor's scope."""
    return scope(Approval.objects.filter(kind=KIND, status=ApprovalStatus.PENDING),
                 actor).select_related("requested_by").order_by("-requested_at")


def overrides_in_scope(actor: Actor) -> QuerySet[Override]:
    """Overrides of people in the actor's scope, newest first (in force, ended and revoked)."""
    return scope(Override.objects.select_related("person", "requested_by", "approval"),
                 actor).order_by("-set_at", "-pk")


def find_person(actor: Actor, text: str) -> Person:
    """The person a staff member names on the form: the platform's person number, or the full
    ID number; inside their scope (a person elsewhere is not found, as if missing)."""
    text = text.strip().upper()
    if text.isdigit() and len(text) < 18:
        lookup: dict[str, Any] = {"pk": int(text)}
    elif len(text) == 18:
        lookup = {"id_number": text}
    else:
        raise DomainError(_("give the person number or the 18-character ID number"),
                          field="person")
    person = scope(Person.objects.all(), actor).filter(**lookup).first()
    if person is None:
        raise DomainError(_("no person with this number in your jurisdiction"), field="person")
    return person
