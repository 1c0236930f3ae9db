"""Early-warning API, anomaly part: the anomalies of the caller's subtree, one with its
charted series, and HQ's decision (acknowledge or dismiss, with a note). Thin handlers over
``anomaly``. No ``from __future__ import annotations``: ninja reads the body schema's
annotation at import (a string it cannot resolve becomes a query parameter)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.warning import anomaly
from fangkong.warning.models import Anomaly

router = Router()

LIST_MAX = 1000


class AnomalyRead(Schema):
    id: int
    street_id: int | None
    district_id: int | None
    stream: str
    day: dt.date
    observed: int
    expected: float
    statistic: float
    threshold: float
    method: str
    policy_name: str
    status: str
    found_at: dt.datetime
    decided_at: dt.datetime | None
    note: str

    @staticmethod
    def of(a: Anomaly) -> "AnomalyRead":
        return AnomalyRead(id=a.pk, street_id=a.street_id, district_id=a.district_id,
                           stream=a.stream, day=a.day, observed=a.observed,
                           expected=a.expected, statistic=a.statistic, threshold=a.threshold,
                           method=a.method, policy_name=a.policy_name, status=a.status,
                           found_at=a.found_at, decided_at=a.decided_at, note=a.note)


class AnomalyDetail(Schema):
    anomaly: AnomalyRead
    series: dict[str, Any]


class AnomalyDecision(Schema):
    status: str  # acknowledged | dismissed
    note: str


@router.get("/anomalies", response=list[AnomalyRead])
@requires(Right.WARNING_VIEW)
def list_anomalies(request: HttpRequest, status: str | None = None,
                   limit: int = 200) -> list[AnomalyRead]:
    """Anomalies in the caller's subtree, newest day first (at most ``limit``, up to 1000)."""
    rows = anomaly.anomalies_for(request_actor(request), status=status)
    return [AnomalyRead.of(a) for a in rows[:max(1, min(limit, LIST_MAX))]]


@router.get("/anomalies/{anomaly_id}", response=AnomalyDetail)
@requires(Right.WARNING_VIEW)
def get_anomaly(request: HttpRequest, anomaly_id: int) -> AnomalyDetail:
    """One anomaly with its street's series, expected band and statistic."""
    found = anomaly.get_anomaly(actor=request_actor(request), anomaly_id=anomaly_id)
    return AnomalyDetail(anomaly=AnomalyRead.of(found), series=anomaly.series_of(found))


@router.post("/anomalies/{anomaly_id}/decide", response=AnomalyRead)
@requires(Right.WARNING_MANAGE)
def decide(request: HttpRequest, anomaly_id: int, body: AnomalyDecision) -> AnomalyRead:
    """Acknowledge (being looked into) or dismiss, with a note; resending changes nothing."""
    return AnomalyRead.of(anomaly.do_decide(actor=request_actor(request), anomaly_id=anomaly_id,
                                            status=body.status, note=body.note))
