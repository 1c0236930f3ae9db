"""Supply alerts: computed set-based for a day from ``figures``, idempotent (re-running a day
updates the alert it opened, never adds one), and decided by a district officer.

One alert per street × kind × good stays open while the rule keeps firing: a later day moves
its ``last_day`` and figures forward. Once closed, the next day the rule fires opens a new one.
Days are computed in order (the job does yesterday, then today)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import audit_row, record, record_many, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.models import AdminUnit, AuditLog, Level
from fangkong.core.rights import Right
from fangkong.supplies.figures import StreetDay, street_days
from fangkong.supplies.models import AlertKind, AlertStatus, SupplyAlert
from fangkong.supplies.policy import rules_of, supply_policy_in_force

SYSTEM = Actor(user_id=None, username="", unit=None)
NOTE_MAX = 500


@dataclass(frozen=True)
class Finding:
    street_id: int
    kind: str
    good: str
    figures: dict[str, Any]


def findings(days: dict[int, StreetDay]) -> list[Finding]:
    """The alerts the figures call for: low stock, a price jump or ceiling."""
    found = []
    for street, figures in sorted(days.items()):
        for good, check in figures.stock.items():
            if check.low:
                found.append(Finding(street, AlertKind.LOW_STOCK, good, check.as_dict()))
        for good, price in figures.price.items():
            if price.rule:
                found.append(Finding(street, AlertKind.PRICE_JUMP, good, price.as_dict()))
    return found


def _street_ids(street_ids: list[int] | None) -> list[int]:
    if street_ids is not None:
        return street_ids
    return list(AdminUnit.objects.filter(level=Level.STREET).values_list("pk", flat=True))


def do_compute_alerts(*, day: dt.date, street_ids: list[int] | None = None) -> dict[str, int]:
    """Open or move forward the alerts of ``day`` for these streets (all when None)."""
    version = supply_policy_in_force(on=day)
    rules = rules_of(version)
    found = findings(street_days(rules, day=day, street_ids=_street_ids(street_ids)))
    counts = {"opened": 0, "updated": 0, "unchanged": 0}
    if not found:
        return counts
    with transaction.atomic():
        current = _current(found, day=day)
        streets = AdminUnit.objects.in_bulk({f.street_id for f in found})
        audits: list[AuditLog] = []
        for finding in found:
            key = (finding.street_id, finding.kind, finding.good)
            alert = current.get(key)
            if alert is None:
                alert = _open(finding, day=day, street=streets[finding.street_id],
                              policy=version.name)
                audits.append(audit_row(actor=SYSTEM, verb="supplies.alert.open", target=alert,
                                        after=snapshot(alert)))
                counts["opened"] += 1
            elif alert.last_day < day or (alert.last_day == day
                                          and alert.figures != finding.figures):
                alert.last_day, alert.figures = day, finding.figures
                alert.save(update_fields=["last_day", "figures"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        record_many(audits)
    return counts


def _current(found: list[Finding], *, day: dt.date) -> dict[tuple[int, str, str], SupplyAlert]:
    """Per street × kind × good: the open alert that began on or before ``day``, else the
    alert of ``day`` itself whatever its status (so a closed one is not opened again)."""
    rows = SupplyAlert.objects.filter(street_id__in={f.street_id for f in found}, day__lte=day)
    current: dict[tuple[int, str, str], SupplyAlert] = {}
    for alert in rows.exclude(status=AlertStatus.CLOSED).order_by("day"):
        current[(alert.street_id, alert.kind, alert.good)] = alert  # type: ignore[index]
    for alert in rows.filter(day=day, status=AlertStatus.CLOSED):
        current.setdefault((alert.street_id, alert.kind, alert.good), alert)  # type: ignore[arg-type]
    return current


def _open(finding: Finding, *, day: dt.date, street: AdminUnit, policy: str) -> SupplyAlert:
    alert = SupplyAlert(kind=finding.kind, good=finding.good, day=day, last_day=day,
                        figures=finding.figures, policy_name=policy, found_at=clock.now())
    alert.place_in(street)
    alert.save(force_insert=True)
    return alert


def do_decide_alert(*, actor: Actor, alert_id: int, status: str, note: str = "") -> SupplyAlert:
    """Acknowledge (being handled) or close an alert of one's jurisdiction, with a note."""
    actor.require(Right.SUPPLIES_MANAGE)
    if status not in (AlertStatus.ACKNOWLEDGED, AlertStatus.CLOSED):
        raise DomainError(_("the decision must be acknowledged or closed"), field="status")
    if len(note) > NOTE_MAX:
        raise DomainError(_("at most %(n)d characters") % {"n": NOTE_MAX}, field="note")
    with transaction.atomic():
        alert = get_scoped(SupplyAlert.objects.select_for_update(), actor, what="supply alert",
                           pk=alert_id)
        if alert.status in (AlertStatus.CLOSED, status):
            raise Conflict(_("the alert is already %(status)s")
                           % {"status": alert.get_status_display()})
        before = snapshot(alert)
        now = clock.now()
        alert.status = status
        if status == AlertStatus.ACKNOWLEDGED:
            alert.acknowledged_by_id, alert.acknowledged_at = actor.user_id, now
        else:
            alert.closed_by_id, alert.closed_at = actor.user_id, now
        alert.note = note.strip() if note.strip() else alert.note
        alert.save()
        record(actor=actor, verb=f"supplies.alert.{status}", target=alert, before=before,
               after=snapshot(alert))
    return alert
