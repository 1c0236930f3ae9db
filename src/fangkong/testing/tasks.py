"""Scheduled job of screening: alerts for sealed tubes not received by a lab in time and for
results late, raised and resolved by comparing each tube's times with the round's policy
(``receipt_hours``, ``result_hours`` after sealing). The decision is the pure ``overdue``;
``do_check_alerts`` applies it idempotently (one alert per kind and tube: running it twice
changes nothing the second time)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.jurisdiction import Actor
from fangkong.testing.models import Alert, AlertKind, Campaign, CampaignStatus, Tube
from fangkong.testing.policy import campaign_policy

log = logging.getLogger(__name__)
SYSTEM = Actor(user_id=None, username="system", unit=None)
WATCHED = (AlertKind.NOT_RECEIVED, AlertKind.RESULT_LATE)
CHUNK = 500


@dataclass(frozen=True)
class TubeTimes:
    tube_id: int
    sealed_at: dt.datetime | None
    received_at: dt.datetime | None
    resulted_at: dt.datetime | None


def overdue(tubes: Iterable[TubeTimes], *, now: dt.datetime, receipt_hours: float,
            result_hours: float) -> set[tuple[str, int]]:
    """(kind, tube id) of every alert that should be open at ``now``: a sealed tube not
    received more than ``receipt_hours`` after sealing, or without a result more than
    ``result_hours`` after. A tube never sealed is still at its table: no alert."""
    due: set[tuple[str, int]] = set()
    for t in tubes:
        if t.sealed_at is None:
            continue
        waited = now - t.sealed_at
        if t.received_at is None and waited > dt.timedelta(hours=receipt_hours):
            due.add((AlertKind.NOT_RECEIVED.value, t.tube_id))
        if t.resulted_at is None and waited > dt.timedelta(hours=result_hours):
            due.add((AlertKind.RESULT_LATE.value, t.tube_id))
    return due


@dataclass(frozen=True)
class Changes:
    raised: int = 0
    resolved: int = 0


def do_check_alerts(*, now: dt.datetime | None = None) -> Changes:
    """Check every round that has started sampling (running or closed) as the system."""
    now = now or clock.now()
    raised = resolved = 0
    for campaign in Campaign.objects.exclude(status=CampaignStatus.PLANNED).order_by("pk"):
        with transaction.atomic():
            change = _check_campaign(campaign, now)
        raised, resolved = raised + change.raised, resolved + change.resolved
    return Changes(raised, resolved)


def _check_campaign(campaign: Campaign, now: dt.datetime) -> Changes:
    policy = campaign_policy(campaign)
    waiting = {t.pk: t for t in Tube.objects.filter(campaign=campaign, sealed_at__isnull=False)
               .filter(Q(received_at__isnull=True) | Q(resulted_at__isnull=True))
               .only("pk", "code", "sealed_at", "received_at", "resulted_at", "district_id",
                     "street_id", "community_id", "grid_id")}
    due = overdue((TubeTimes(t.pk, t.sealed_at, t.received_at, t.resulted_at)
                   for t in waiting.values()), now=now, receipt_hours=policy.receipt_hours,
                  result_hours=policy.result_hours)
    opened = Alert.objects.filter(campaign=campaign, kind__in=WATCHED, tube__isnull=False,
                                  resolved_at__isnull=True)
    known: dict[tuple[str, int | None], Alert] = {(a.kind, a.tube_id): a for a in opened}
    known |= _resolved(campaign, {t for k, t in due if (k, t) not in known})
    ending = [a.pk for key, a in known.items() if a.resolved_at is None and key not in due]
    reopen = [a.pk for key, a in known.items() if a.resolved_at is not None and key in due]
    hours = {AlertKind.NOT_RECEIVED.value: policy.receipt_hours,
             AlertKind.RESULT_LATE.value: policy.result_hours}
    fresh = [_alert(campaign, waiting[tube_id], kind, hours[kind], now)
             for kind, tube_id in sorted(due - set(known))]
    for lo in range(0, max(len(ending), len(reopen)), CHUNK):
        Alert.objects.filter(pk__in=ending[lo:lo + CHUNK]).update(resolved_at=now)
        Alert.objects.filter(pk__in=reopen[lo:lo + CHUNK]).update(resolved_at=None,
                                                                  raised_at=now)
    Alert.objects.bulk_create(fresh, batch_size=CHUNK, ignore_conflicts=True)
    change = Changes(raised=len(fresh) + len(reopen), resolved=len(ending))
    if change.raised or change.resolved:
        record(actor=SYSTEM, verb="screening.alerts.check", target=campaign,
               after={"raised": change.raised, "resolved": change.resolved, "at": str(now)})
    return change


def _resolved(campaign: Campaign, tube_ids: set[int]) -> dict[tuple[str, int | None], Alert]:
    """Resolved alerts of tubes overdue again (rare: a condition came back), by key."""
    ids = sorted(tube_ids)
    found: dict[tuple[str, int | None], Alert] = {}
    for lo in range(0, len(ids), CHUNK):
        for a in Alert.objects.filter(campaign=campaign, kind__in=WATCHED,
                                      tube_id__in=ids[lo:lo + CHUNK],
                                      resolved_at__isnull=False):
            found[(a.kind, a.tube_id)] = a
    return found


def _alert(campaign: Campaign, tube: Tube, kind: str, hours: float, now: dt.datetime) -> Alert:
    sealed = timezone.localtime(tube.sealed_at).strftime("%m-%d %H:%M") if tube.sealed_at else ""
    alert = Alert(campaign=campaign, kind=kind, tube=tube, raised_at=now,
                  detail=f"{tube.code}: sealed {sealed}, limit {hours:g} h")
    alert.district_id, alert.street_id = tube.district_id, tube.street_id
    alert.community_id, alert.grid_id = tube.community_id, tube.grid_id
    return alert


@db_periodic_task(crontab(minute="*/5"))
@lock_task("screening.check-alerts")
def check_alerts() -> None:
    """Every 5 minutes: raise and resolve tube alerts (never two runs at once)."""
    change = do_check_alerts()
    if change.raised or change.resolved:
        log.warning("screening alerts: %s raised, %s resolved", change.raised, change.resolved)
