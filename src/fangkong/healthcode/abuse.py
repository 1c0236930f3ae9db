"""Abuse alerts on manual code changes (the Henan red codes, June 2022): a change for a person
the platform links to no case, contact, order, area, hold, arrival, purchase or test, or one
user changing many codes within the policy's window. Alerts are raised when a change is
requested (against the requester) and again when it is applied (against the approver), and
are Placed at the person's residence, so the staff who answer for that person see them.

The look-back for "linked" is the longest status a fact can give under the rules in force: a
fact older than that cannot explain any colour, so it cannot justify a manual one either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.models import Approval, ApprovalStatus
from fangkong.core.rights import Right
from fangkong.healthcode.logic import CodeRules
from fangkong.healthcode.models import AbuseAlert, AbuseKind, Arrival, Purchase
from fangkong.healthcode.policy import code_rules
from fangkong.registry.models import Person

KIND = "healthcode.override"  # the approval kind of manual changes (see changes.py)
NOTE_MAX = 2000


def longest_status_days(rules: CodeRules) -> int:
    """The longest a fact keeps a colour under ``rules``: the cap of a manual change and the
    look-back of the link check."""
    return max(rules.close.days, rules.secondary.days, rules.companion.days)


def links_of(person: Person, *, at: dt.datetime, days: int) -> list[str]:
    """The epidemiological links the platform holds for ``person`` (empty: unlinked)."""
    from fangkong.quarantine.models import ScheduledTest
    from fangkong.quarantine.orders import open_orders_of_person
    from fangkong.risk.queries import active_areas_of_person
    from fangkong.testing.models import Hold, HoldStatus, Sample
    from fangkong.tracing.models import Case, Contact

    since = at - dt.timedelta(days=days)
    checks: list[tuple[str, Any]] = [
        ("case", lambda: Case.objects.filter(person=person).exists()),
        ("contact", lambda: Contact.objects.filter(person=person,
                                                   last_exposure__gte=since).exists()),
        ("order", lambda: open_orders_of_person(person).exists()),
        ("area", lambda: bool(active_areas_of_person(person))),
        ("hold", lambda: Hold.objects.filter(person=person, status=HoldStatus.HELD).exists()),
        ("arrival", lambda: Arrival.objects.filter(person=person,
                                                   arrived_at__gte=since).exists()),
        ("purchase", lambda: Purchase.objects.filter(person=person,
                                                     bought_at__gte=since).exists()),
        ("test", lambda: Sample.objects.filter(person=person, sampled_at__gte=since).exists()
         or ScheduledTest.objects.filter(order__person=person, sampled_at__gte=since).exists()),
    ]
    return [name for name, found in checks if found()]


def _recent_changes(*, user_id: int, since: dt.datetime, decided: bool) -> int:
    """Manual changes one user requested (or, ``decided``, approved and applied) since."""
    qs = Approval.objects.filter(kind=KIND)
    if decided:
        return qs.filter(decided_by_id=user_id, status=ApprovalStatus.APPLIED,
                         decided_at__gte=since).count()
    return qs.filter(requested_by_id=user_id, requested_at__gte=since).count()


def findings(*, person: Person, user_id: int | None, colour: str | None,
             stage: str) -> dict[str, dict[str, Any]]:
    """What is wrong with a change about to be asked (``stage`` ``requested``: count the
    user's requests) or applied (``applied``: count the approvals they applied), by alert
    kind, with the facts behind each. The change at hand is not yet among those counted."""
    at = clock.now()
    rules = code_rules(on=clock.city_today())
    found: dict[str, dict[str, Any]] = {}
    days = longest_status_days(rules)
    if colour not in (None, "green") and not links_of(person, at=at, days=days):
        found[AbuseKind.UNLINKED] = {"colour": colour, "days": days}
    if user_id is not None:
        since = at - dt.timedelta(minutes=rules.bulk_window_minutes)
        count = 1 + _recent_changes(user_id=user_id, since=since, decided=stage == "applied")
        if count > rules.bulk_change_threshold:
            found[AbuseKind.BULK] = {"count": count, "threshold": rules.bulk_change_threshold,
                                     "window_minutes": rules.bulk_window_minutes}
    return found


def raise_alerts(*, actor: Actor, person: Person, approval: Approval,
                 found: dict[str, dict[str, Any]], stage: str,
                 user_id: int | None) -> list[AbuseAlert]:
    """Store one alert per finding, Placed at the person's residence (caller's transaction).
    ``user_id`` is whose behaviour the alert is about: the requester, or the approver."""
    alerts = []
    for kind, facts in found.items():
        alert = AbuseAlert(kind=kind, actor_id=user_id, at=clock.now(), detail={
            **facts, "stage": stage, "approval_id": approval.pk, "person_id": person.pk,
            "action": approval.payload.get("action", "")})
        alert.district_id, alert.street_id = person.district_id, person.street_id
        alert.community_id, alert.grid_id = person.community_id, person.grid_id
        alert.save()
        record(actor=actor, verb="healthcode.abuse.raise", target=alert, after=snapshot(alert))
        alerts.append(alert)
    return alerts


def alerts_in_scope(actor: Actor, *, open_only: bool = True) -> QuerySet[AbuseAlert]:
    qs = scope(AbuseAlert.objects.select_related("actor"), actor).order_by("-at", "-pk")
    return qs.filter(resolved_at__isnull=True) if open_only else qs


def alerts_of_approvals(approval_ids: list[int]) -> dict[int, list[AbuseAlert]]:
    """Open alerts by the approval they concern (for the approver's view of a request)."""
    found: dict[int, list[AbuseAlert]] = {}
    rows = AbuseAlert.objects.filter(resolved_at__isnull=True,
                                     detail__approval_id__in=approval_ids).order_by("pk")
    for alert in rows:
        found.setdefault(int(alert.detail["approval_id"]), []).append(alert)
    return found


def describe(alert: AbuseAlert) -> str:
    """One line an approver reads before deciding."""
    d = alert.detail
    if alert.kind == AbuseKind.UNLINKED:
        return _("No epidemiological link: no case, contact, quarantine order, area, pool hold, "
                 "arrival, purchase or test in the last %(days)d days, yet %(colour)s was asked.") \
            % {"days": d.get("days", 0), "colour": d.get("colour", "")}
    return _("Bulk change: %(count)d changes by one user within %(minutes)d minutes "
             "(threshold %(threshold)d).") % {
        "count": d.get("count", 0), "minutes": d.get("window_minutes", 0),
        "threshold": d.get("threshold", 0)}


def approval_warnings(approval: Approval) -> list[str]:
    """The lines to show in red next to a pending manual change on the approvals page."""
    if approval.kind != KIND:
        return []
    return [describe(a) for a in alerts_of_approvals([approval.pk]).get(approval.pk, [])]


def do_resolve_alert(*, actor: Actor, alert_id: int, note: str) -> AbuseAlert:
    """Close an alert with what was found. A supervisor's act: it needs the right to decide
    approvals, and the user the alert is about cannot close it."""
    actor.require(Right.APPROVAL_DECIDE)
    note = note.strip()
    if not note or len(note) > NOTE_MAX:
        raise DomainError(_("say what was found (1 to %(n)d characters)") % {"n": NOTE_MAX},
                          field="note")
    with transaction.atomic():
        alert = get_scoped(AbuseAlert.objects.select_for_update(), actor, what="alert",
                           pk=alert_id)
        if alert.resolved_at is not None:
            raise Conflict(_("the alert is already resolved"))
        if alert.actor_id is not None and alert.actor_id == actor.user_id:
            raise DomainError(_("an alert about your own changes is resolved by someone else"),
                              field="note")
        before = snapshot(alert)
        alert.resolved_at = clock.now()
        alert.detail = {**alert.detail, "resolution": note, "resolved_by": actor.username}
        alert.save(update_fields=["resolved_at", "detail"])
        record(actor=actor, verb="healthcode.abuse.resolve", target=alert, before=before,
               after=snapshot(alert))
    return alert
