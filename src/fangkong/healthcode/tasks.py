"""Scheduled job of health codes, every 10 minutes (never two runs at once):

1. codes whose ``valid_until`` has passed are recomputed (a contact period ended, an order's
   home phase began, an override expired): the status changed by itself;
2. a sweep recomputes the people whose facts were written in the last ``SWEEP_MINUTES``
   without ``save()`` (the lab results' ``UPDATE … FROM``, the contact engine's bulk insert,
   the quarantine day job's completions), which the event receivers cannot see. The window
   covers three runs, so one missed run loses nothing; recomputing twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.core import clock
from fangkong.healthcode.export import export_changed_days
from fangkong.healthcode.models import Arrival, Override, Purchase
from fangkong.healthcode.recompute import do_recompute_due
from fangkong.healthcode.signals import recompute_people
from fangkong.quarantine.models import QuarantineOrder, ScheduledTest
from fangkong.risk.models import RiskArea
from fangkong.risk.queries import area_members
from fangkong.testing.models import Hold, Sample
from fangkong.tracing.models import Case, Contact

log = logging.getLogger(__name__)
SWEEP_MINUTES = 30


def changed_people(*, since: dt.datetime) -> set[int]:
    """People with a fact written since ``since`` (one query per fact table)."""
    found: set[int] = set()
    for qs, column in (
        (Sample.objects.filter(tube__resulted_at__gte=since), "person_id"),
        (Hold.objects.filter(Q(held_at__gte=since) | Q(closed_at__gte=since)), "person_id"),
        (Contact.objects.filter(identified_at__gte=since), "person_id"),
        (Case.objects.filter(created_at__gte=since), "person_id"),
        (QuarantineOrder.objects.filter(Q(created_at__gte=since) | Q(completed_at__gte=since)
                                        | Q(released_at__gte=since)), "person_id"),
        (ScheduledTest.objects.filter(resulted_at__gte=since), "order__person_id"),
        (Override.objects.filter(Q(set_at__gte=since) | Q(revoked_at__gte=since)), "person_id"),
        (Arrival.objects.filter(recorded_at__gte=since), "person_id"),
        (Purchase.objects.filter(bought_at__gte=since), "person_id"),
    ):
        found.update(qs.values_list(column, flat=True).distinct())
    for area in RiskArea.objects.filter(Q(level_since__gte=since) | Q(lifted_at__gte=since)):
        found.update(area_members(area).values_list("pk", flat=True))
    return found


def do_sweep(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Recompute the codes due by time, then those whose facts changed out of sight."""
    now = now or clock.now()
    due = do_recompute_due(now=now)
    people = sorted(changed_people(since=now - dt.timedelta(minutes=SWEEP_MINUTES)))
    recompute_people(people, now=now)
    return {"due": due["people"], "changed_facts": len(people)}


@db_periodic_task(crontab(minute="*/10"))
@lock_task("healthcode.recompute-due")
def recompute_due() -> None:
    """Every 10 minutes: codes past their ``valid_until`` and facts written in bulk."""
    counts = do_sweep()
    if counts["due"] or counts["changed_facts"]:
        log.info("health codes recomputed: %s", counts)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("healthcode.export-checkins")
def export_checkins() -> None:
    """Every 5 minutes: the days of the last 14 that received check-ins since their file was
    written are exported again for the contact engine (``checkins/live-day=….parquet``)."""
    exported = export_changed_days()
    if exported:
        log.info("check-ins exported: %s", exported)
