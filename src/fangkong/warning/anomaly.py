"""Anomalies: daily counts per street and stream, the daily scan that writes an ``Anomaly`` on
the first day of each run of alarmed days (``logic_anomaly``), and HQ's decision on it.

Counts are by the *buyer's* (visitor's) street: a ``Purchase`` or ``ClinicVisit`` row is Placed
at the person's residence when the registry knows it, so a rise points at where people live,
not at the pharmacy they walk to. Rows placed at no street are not counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.healthcode.models import Purchase
from fangkong.warning.logic import AnomalyRules
from fangkong.warning.logic_anomaly import Chart, chart
from fangkong.warning.models import Anomaly, AnomalyStatus, ClinicVisit, Stream
from fangkong.warning.policy import rules_of, warning_policy_in_force

WARMUP_DAYS = 14  # days before the baseline that let the EWMA settle
NOTE_MAX = 1000
SYSTEM = Actor(user_id=None, username="system:warning-anomaly", unit=None)
PHARMACY = (Stream.FEVER, Stream.COUGH, Stream.ANTIBIOTIC, Stream.ANTIVIRAL)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def _rows(stream: str, first: dt.date, last: dt.date) -> QuerySet[Any]:
    start, end = _bounds(first, last)
    zone = timezone.get_current_timezone()
    if stream == Stream.CLINIC:
        qs: QuerySet[Any] = ClinicVisit.objects.filter(visited_at__gte=start, visited_at__lt=end)
        field = "visited_at"
    else:
        qs = Purchase.objects.filter(bought_at__gte=start, bought_at__lt=end, drug_class=stream)
        field = "bought_at"
    return (qs.filter(street_id__isnull=False).order_by()
            .values("street_id", d=TruncDate(field, tzinfo=zone)).annotate(n=Count("pk")))


def daily_counts(*, stream: str, street_ids: list[int], first: dt.date,
                 last: dt.date) -> np.ndarray:
    """Counts of shape ``(streets, days)`` from ``first`` to ``last`` inclusive, in
    ``street_ids``' order: one grouped query (street, local day)."""
    if stream not in Stream.values:
        raise DomainError(_("unknown stream %(s)s") % {"s": stream}, field="stream")
    days = (last - first).days + 1
    row_of = {s: i for i, s in enumerate(street_ids)}
    out = np.zeros((len(street_ids), max(days, 0)))
    for row in _rows(stream, first, last):
        i, day = row_of.get(row["street_id"]), row["d"]
        if i is not None and day is not None:
            out[i, (day - first).days] = row["n"]
    return out


def streams_of(pharmacy_sentinel: bool) -> list[str]:
    """The streams scanned: the drug classes only while the pharmacy sentinel runs."""
    return [*(PHARMACY if pharmacy_sentinel else ()), Stream.CLINIC]


def history_start(rules: AnomalyRules, day: dt.date) -> dt.date:
    return day - dt.timedelta(days=rules.baseline_days + WARMUP_DAYS)


@dataclass(frozen=True)
class ScanResult:
    day: dt.date
    policy: str
    judged: int  # street-stream series judged on the day
    created: int


def do_scan(*, day: dt.date) -> ScanResult:
    """Judge ``day`` for every street and stream with the policy in force on it; write an
    Anomaly for each series whose run of alarms starts that day. Idempotent: a scan again
    finds the rows written (one per street, stream and day) and writes nothing."""
    version = warning_policy_in_force(on=day)
    rules = rules_of(version)
    streets = list(AdminUnit.objects.filter(level=Level.STREET).order_by("pk"))
    ids = [s.pk for s in streets]
    judged = created = 0
    for stream in streams_of(rules.pharmacy_sentinel):
        counts = daily_counts(stream=stream, street_ids=ids,
                              first=history_start(rules.anomaly, day), last=day)
        found = chart(counts, rules.anomaly)
        judged += int(found.judged[:, -1].sum())
        for i in np.flatnonzero(found.onset[:, -1]):
            created += _write(streets[i], stream, day, found, int(i), policy=version.name,
                              method=rules.anomaly.method)
    return ScanResult(day=day, policy=version.name, judged=judged, created=created)


def _write(street: AdminUnit, stream: str, day: dt.date, found: Chart, i: int, *,
           policy: str, method: str) -> int:
    """One Anomaly and its audit row in one transaction (hooks on its save join it); a row
    already there (a second scan, a racing worker) is left as it is."""
    if Anomaly.objects.filter(street=street, stream=stream, day=day).exists():
        return 0
    row = Anomaly(stream=stream, day=day, observed=int(found.counts[i, -1]),
                  expected=float(found.expected[i, -1]), statistic=float(found.statistic[i, -1]),
                  threshold=float(found.threshold[i, -1]), method=method, policy_name=policy,
                  found_at=clock.now())
    row.place_in(street)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            record(actor=SYSTEM, verb="warning.anomaly.raise", target=row, after=snapshot(row))
    except IntegrityError:
        return 0
    return 1


def anomalies_for(actor: Actor, *, status: str | None = None) -> QuerySet[Anomaly]:
    """Anomalies placed in the actor's subtree (the one scoping function), newest first."""
    qs = scope(Anomaly.objects.select_related("street", "district"), actor)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-day", "street__code", "stream")


def get_anomaly(*, actor: Actor, anomaly_id: int) -> Anomaly:
    return get_scoped(Anomaly.objects.select_related("street"), actor, what="anomaly",
                      pk=anomaly_id)


DECISIONS = (AnomalyStatus.ACKNOWLEDGED, AnomalyStatus.DISMISSED)


def check_decide(*, actor: Actor, status: str, note: str) -> str:
    """The right, a decision (acknowledge or dismiss) and a note of 1 to NOTE_MAX
    characters; returns the note trimmed."""
    actor.require(Right.WARNING_MANAGE)
    if status not in DECISIONS:
        raise DomainError(_("decide %(a)s or %(b)s") % {"a": DECISIONS[0].value,
                                                        "b": DECISIONS[1].value},
                          field="status")
    note = note.strip()
    if not note or len(note) > NOTE_MAX:
        raise DomainError(_("give a note of 1 to %(n)d characters") % {"n": NOTE_MAX},
                          field="note")
    return note


def do_decide(*, actor: Actor, anomaly_id: int, status: str, note: str) -> Anomaly:
    """Acknowledge (being looked into) or dismiss an anomaly with a note, audited. A dismissed
    one stays dismissed; the same decision again (a resent form) changes nothing."""
    note = check_decide(actor=actor, status=status, note=note)
    with transaction.atomic():
        row = get_scoped(Anomaly.objects.select_for_update(), actor, what="anomaly",
                         pk=anomaly_id)
        if row.status == status:
            return row
        if row.status == AnomalyStatus.DISMISSED:
            raise DomainError(_("this anomaly was dismissed already"), field="status")
        before = snapshot(row)
        row.status, row.note = status, note
        row.decided_by_id, row.decided_at = actor.user_id, clock.now()
        row.save(update_fields=["status", "note", "decided_by", "decided_at"])
        record(actor=actor, verb=f"warning.anomaly.{status}", target=row, before=before,
               after=snapshot(row))
    return row


AFTER_DAYS = 7  # the chart runs this many days past the flagged day (when they have passed)


def series_of(anomaly: Anomaly) -> dict[str, Any]:
    """The anomaly's street and stream as charted: counts, expected, upper band and the
    statistic against its threshold, from the baseline before the day to a week after it,
    with the rules of the policy in force on the flagged day."""
    rules = rules_of(warning_policy_in_force(on=anomaly.day)).anomaly
    last = min(anomaly.day + dt.timedelta(days=AFTER_DAYS), clock.city_today())
    last = max(last, anomaly.day)
    first = history_start(rules, anomaly.day)
    counts = daily_counts(stream=anomaly.stream, street_ids=[anomaly.street_id or 0],
                          first=first, last=last)
    found = chart(counts, rules)
    shown = slice(rules.baseline_days, None)
    days = [first + dt.timedelta(days=k) for k in range(counts.shape[1])][shown]

    def r(a: np.ndarray) -> list[float | None]:
        return [round(float(v), 2) for v in a[0, shown]]

    return {"days": [d.isoformat() for d in days], "counts": r(found.counts),
            "expected": r(found.expected), "upper": r(found.upper),
            "statistic": r(found.statistic), "threshold": r(found.threshold),
            "alarm": [bool(v) for v in found.alarm[0, shown]], "flagged": anomaly.day.isoformat(),
            "method": rules.method}
