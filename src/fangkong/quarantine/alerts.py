"""Quarantine alerts: the capacity alert raised by a job, and the reads and the resolution of
every kind (fever, support, test overdue and missed checks are raised where the checks and
tests are recorded).

A capacity alert is placed at the district: its officers and the city see it. The job raises
at most one per district and day (``detail["day"]``): running it again the same day, or after
someone resolved the day's alert, raises nothing. A new day's alert supersedes the district's
older open one, which is closed with a pointer to it, so the open list holds one per district.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.quarantine.capacity import DistrictCapacity, capacity_by_district
from fangkong.quarantine.logic_capacity import Forecast
from fangkong.quarantine.models import AlertKind, QuarantineAlert

SYSTEM_NAME = "system:quarantine-capacity"
NOTE_MAX = 500


def _system_actor() -> Actor:
    """The job's actor: no user, the city node, the one right it reads with."""
    city = AdminUnit.objects.filter(level=Level.CITY).order_by("pk").first()
    return Actor(user_id=None, username=SYSTEM_NAME, unit=city,
                 rights=frozenset({Right.QUARANTINE_VIEW}))


def capacity_detail(forecast: Forecast) -> dict[str, Any]:
    """What the alert states: when and by how much rooms run short, and the reserve."""
    first = forecast.first_shortfall
    return {"day": forecast.today.isoformat(),
            "first_shortfall": first.isoformat() if first else None,
            "peak_shortfall": forecast.peak_shortfall,
            "rooms_usable": forecast.rooms_usable,
            "reserve_target": forecast.reserve_target,
            "reserve_met": forecast.reserve_met,
            "inflow_per_day": forecast.inflow_per_day}


def _raise_one(actor: Actor, row: DistrictCapacity, today: dt.date) -> bool:
    with transaction.atomic():
        # the district's row serialises two runs of the job (PostgreSQL; SQLite has one writer)
        AdminUnit.objects.select_for_update().filter(pk=row.district.pk).first()
        mine = QuarantineAlert.objects.filter(kind=AlertKind.CAPACITY, district=row.district)
        if mine.filter(detail__day=today.isoformat()).exists():
            return False
        alert = QuarantineAlert(kind=AlertKind.CAPACITY, at=clock.now(),
                                detail=capacity_detail(row.forecast))
        alert.place_in(row.district)
        alert.save(force_insert=True)
        record(actor=actor, verb="quarantine.alert.raise", target=alert, after=snapshot(alert))
        for older in mine.filter(resolved_at__isnull=True).exclude(pk=alert.pk):
            before = snapshot(older)
            older.resolved_at = alert.at
            older.detail = {**older.detail, "superseded_by": alert.pk}
            older.save(update_fields=["resolved_at", "detail"])
            record(actor=actor, verb="quarantine.alert.supersede", target=older,
                   before=before, after=snapshot(older))
    return True


def do_raise_capacity_alerts(*, today: dt.date | None = None) -> int:
    """The job: a capacity alert for each district whose rooms run short within the horizon
    or whose stock is under the reserve target. Returns how many it raised."""
    actor = _system_actor()
    if actor.unit is None:
        return 0
    today = today or clock.city_today()
    return sum(_raise_one(actor, row, today)
               for row in capacity_by_district(actor=actor, today=today)
               if row.forecast.needs_attention)


def alerts_for(actor: Actor, kind: str | None = None,
               open_only: bool = True) -> QuerySet[QuarantineAlert]:
    """Alerts placed in the actor's subtree, newest first; ``kind`` one of ``AlertKind``."""
    actor.require(Right.QUARANTINE_VIEW)
    if kind is not None and kind not in AlertKind.values:
        raise DomainError(_("unknown kind of alert: %(kind)s") % {"kind": kind}, field="kind")
    qs = scope(QuarantineAlert.objects.select_related(
        "district", "facility", "order__person", "resolved_by"), actor)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return qs.order_by("-at", "-id")


def check_resolve_alert(*, actor: Actor, note: str) -> str:
    """The right and a note of 1 to NOTE_MAX characters; returns the note trimmed."""
    actor.require(Right.QUARANTINE_CARE)
    note = note.strip()
    if not note or len(note) > NOTE_MAX:
        raise DomainError(_("say what was done, in 1 to %(n)d characters") % {"n": NOTE_MAX},
                          field="note")
    return note


def do_resolve_alert(*, actor: Actor, alert_id: int, note: str) -> QuarantineAlert:
    """Close an alert with a note of what was done. Resolving it again (a resent request)
    changes nothing and returns it as it is."""
    note = check_resolve_alert(actor=actor, note=note)
    with transaction.atomic():
        alert = get_scoped(QuarantineAlert.objects.select_for_update(), actor, what="alert",
                           pk=alert_id)
        if alert.resolved_at is not None:
            return alert
        before = snapshot(alert)
        alert.resolved_at = clock.now()
        alert.resolved_by_id = actor.user_id
        alert.detail = {**alert.detail, "resolution_note": note}
        alert.save(update_fields=["resolved_at", "resolved_by", "detail"])
        record(actor=actor, verb="quarantine.alert.resolve", target=alert, before=before,
               after=snapshot(alert))
    return alert
