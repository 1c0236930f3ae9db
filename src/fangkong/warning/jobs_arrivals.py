"""Early-warning jobs: arrival tests done or missed (huey periodic tasks).

A test is done once a sample of the person, taken inside its window (its own day of the
stay for a listed origin's test, arrival day to deadline for the single test), has a result.
A test whose day has passed without one is missed: the arrival goes on the grid's follow-up
list (one follow-up per arrival, so the listed-origin one already open is kept). Only tests due
in the last ``LOOKBACK`` days are read, so the cost follows the recent arrivals, not history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fangkong.core import clock
from fangkong.core.audit import audit_row, record_many
from fangkong.core.jurisdiction import Actor
from fangkong.testing.models import Sample, TubeResult
from fangkong.warning import logic_arrivals
from fangkong.warning.followups import open_follow_up
from fangkong.warning.models import ArrivalTest, FollowUp, FollowUpKind
from fangkong.warning.policy import warning_rules

log = logging.getLogger(__name__)
SYSTEM = Actor(user_id=None, username="system:arrival-tests", unit=None)
LOOKBACK = dt.timedelta(days=21)
CHUNK = 1000
RESULTED = [TubeResult.NEGATIVE, TubeResult.POSITIVE]


@dataclass
class TestsResult:
    done: int = 0
    missed: int = 0  # follow-ups newly opened for a missed test


def do_mark_arrival_tests(*, now: dt.datetime | None = None) -> TestsResult:
    """Run any number of times a day: a done test stays done, a flagged arrival stays one."""
    now = now or clock.now()
    today = timezone.localdate(now)
    result = TestsResult()
    open_tests = list(ArrivalTest.objects.filter(done_at__isnull=True,
                                                 due_date__gte=today - LOOKBACK)
                      .select_related("record", "person").order_by("pk"))
    for start in range(0, len(open_tests), CHUNK):
        chunk = open_tests[start:start + CHUNK]
        with transaction.atomic():
            result.done += _mark_done(chunk, today=today, now=now)
            result.missed += _flag_missed(chunk, today=today, now=now)
    return result


def _results_by_person(tests: list[ArrivalTest], since: dt.date) -> dict[int, list[dt.datetime]]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    found: dict[int, list[dt.datetime]] = defaultdict(list)
    rows = Sample.objects.filter(person_id__in={t.person_id for t in tests},
                                 sampled_at__gte=start, tube__result__in=RESULTED)
    for person_id, sampled_at in rows.values_list("person_id", "sampled_at"):
        found[person_id].append(sampled_at)
    return found


def _mark_done(tests: list[ArrivalTest], *, today: dt.date, now: dt.datetime) -> int:
    since = min(timezone.localdate(t.record.arrived_at) for t in tests) if tests else today
    samples = _results_by_person(tests, since)
    audits = []
    for test in tests:
        first, last = logic_arrivals.window(
            due_date=test.due_date, arrival_day=timezone.localdate(test.record.arrived_at),
            listed=test.record.risk_origin_id is not None)
        taken = sorted(s for s in samples.get(test.person_id, [])
                       if first <= timezone.localdate(s) <= last)
        if taken:
            test.done_at = taken[0]
            test.save(update_fields=["done_at"])
            audits.append(audit_row(actor=SYSTEM, verb="warning.arrival.test_done", target=test,
                                    after={"done_at": str(test.done_at)}))
    record_many(audits)
    return len(audits)


def _flag_missed(tests: list[ArrivalTest], *, today: dt.date, now: dt.datetime) -> int:
    missed = [t for t in tests if logic_arrivals.state_of(
        due_date=t.due_date, done=t.done_at is not None, today=today) == logic_arrivals.MISSED]
    flagged = set(FollowUp.objects.filter(kind=FollowUpKind.ARRIVAL,
                                          source_id__in={t.record_id for t in missed})
                  .values_list("source_id", flat=True))
    hours = warning_rules(on=today).follow_up_hours
    audits = []
    for test in missed:
        if test.record_id in flagged:
            continue
        summary = _("Arrival test %(n)d due %(day)s has no result") % {
            "n": test.sequence, "day": test.due_date.isoformat()}
        row = open_follow_up(kind=FollowUpKind.ARRIVAL, source_id=test.record_id,
                             person=test.person, place=None, summary=summary, now=now,
                             due_in=dt.timedelta(hours=hours))
        flagged.add(test.record_id)
        audits.append(audit_row(actor=SYSTEM, verb="warning.arrival.test_missed", target=row,
                                after={"test": test.pk, "due_date": str(test.due_date)}))
    record_many(audits)
    return len(audits)


@db_periodic_task(crontab(minute="40", hour="0,12"))
@lock_task("warning.arrival-tests")
def arrival_tests() -> None:
    """After midnight (and at noon, harmlessly): mark the tests done, flag the missed."""
    done = do_mark_arrival_tests()
    log.info("warning: %s arrival tests done, %s arrivals flagged missed", done.done,
             done.missed)
