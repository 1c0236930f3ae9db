"""Health-code API of manual changes, abuse alerts and reports. Changes are asked here and
decided with the other approvals (``/api/v1/core/approvals/{id}/decision``); reports come from
pharmacies and stations, one row or a device's queue at a time, each row with its client key."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from fangkong.api import request_actor, requires
from fangkong.core.models import Approval
from fangkong.core.rights import Right
from fangkong.healthcode import abuse, changes, reports
from fangkong.healthcode.models import AbuseAlert, Override

router = Router()


class ChangeAsk(Schema):
    person_id: int
    colour: str
    reason: str
    days: int


class RevokeAsk(Schema):
    override_id: int
    reason: str


class ChangeRead(Schema):
    approval_id: int
    status: str
    person_id: int
    payload: dict[str, Any]
    reason: str
    requested_at: dt.datetime
    warnings: list[str]

    @staticmethod
    def of(approval: Approval) -> "ChangeRead":
        return ChangeRead(approval_id=approval.pk, status=approval.status,
                          person_id=int(approval.target_id), payload=approval.payload,
                          reason=approval.reason, requested_at=approval.requested_at,
                          warnings=abuse.approval_warnings(approval))


class OverrideRead(Schema):
    id: int
    person_id: int
    colour: str
    reason: str
    set_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    approval_id: int | None

    @staticmethod
    def of(row: Override) -> "OverrideRead":
        return OverrideRead(id=row.pk, person_id=row.person_id, colour=row.colour,
                            reason=row.reason, set_at=row.set_at, expires_at=row.expires_at,
                            revoked_at=row.revoked_at, approval_id=row.approval_id)


class AbuseAlertRead(Schema):
    id: int
    kind: str
    actor: str
    at: dt.datetime
    detail: dict[str, Any]
    text: str
    resolved_at: dt.datetime | None

    @staticmethod
    def of(alert: AbuseAlert) -> "AbuseAlertRead":
        return AbuseAlertRead(id=alert.pk, kind=alert.kind,
                              actor=alert.actor.username if alert.actor else "", at=alert.at,
                              detail=alert.detail, text=abuse.describe(alert),
                              resolved_at=alert.resolved_at)


class Resolve(Schema):
    note: str


class PurchaseRow(Schema):
    client_key: str = ""
    id_number: str = ""
    person_id: int | None = None
    drug_class: str
    bought_at: str
    venue_id: int | None = None


class ArrivalRow(Schema):
    client_key: str = ""
    id_number: str = ""
    person_id: int | None = None
    arrived_at: str
    origin: str = ""
    from_risk_area: bool = False


class PurchaseBatch(Schema):
    rows: list[PurchaseRow]


class ArrivalBatch(Schema):
    rows: list[ArrivalRow]


@router.post("/changes", response={201: ChangeRead})
@requires(Right.HEALTHCODE_CHANGE)
def ask_change(request: HttpRequest, body: ChangeAsk) -> Status[ChangeRead]:
    """Ask a second person to set a colour; the answer carries the alerts the approver sees."""
    approval = changes.do_request_change(actor=request_actor(request), **body.dict())
    return Status(201, ChangeRead.of(approval))


@router.post("/changes/revoke", response={201: ChangeRead})
@requires(Right.HEALTHCODE_CHANGE)
def ask_revoke(request: HttpRequest, body: RevokeAsk) -> Status[ChangeRead]:
    approval = changes.do_request_revoke(actor=request_actor(request), **body.dict())
    return Status(201, ChangeRead.of(approval))


@router.get("/changes", response=list[ChangeRead])
@requires(Right.HEALTHCODE_VIEW)
def list_pending(request: HttpRequest) -> list[ChangeRead]:
    """Changes waiting for a second person, in the caller's scope."""
    return [ChangeRead.of(a) for a in changes.pending_changes(request_actor(request))[:200]]


@router.get("/overrides", response=list[OverrideRead])
@requires(Right.HEALTHCODE_VIEW)
def list_overrides(request: HttpRequest) -> list[OverrideRead]:
    return [OverrideRead.of(o) for o in changes.overrides_in_scope(request_actor(request))[:200]]


@router.get("/abuse", response=list[AbuseAlertRead])
@requires(Right.HEALTHCODE_VIEW)
def list_alerts(request: HttpRequest, resolved: bool = False) -> list[AbuseAlertRead]:
    rows = abuse.alerts_in_scope(request_actor(request), open_only=not resolved)
    return [AbuseAlertRead.of(a) for a in rows[:200]]


@router.post("/abuse/{alert_id}/resolve", response=AbuseAlertRead)
@requires(Right.APPROVAL_DECIDE)
def resolve_alert(request: HttpRequest, alert_id: int, body: Resolve) -> AbuseAlertRead:
    return AbuseAlertRead.of(abuse.do_resolve_alert(actor=request_actor(request), alert_id=alert_id,
                                                    note=body.note))


@router.post("/reports/purchases", response=list[dict[str, Any]])
@requires(Right.HEALTHCODE_REPORT)
def report_purchases(request: HttpRequest, body: PurchaseBatch) -> list[dict[str, Any]]:
    """Sales of watched drugs, each answered by its client key (stored, unchanged, refused)."""
    return reports.do_report_batch(actor=request_actor(request), kind="purchase",
                                   rows=[r.dict() for r in body.rows])


@router.post("/reports/arrivals", response=list[dict[str, Any]])
@requires(Right.HEALTHCODE_REPORT)
def report_arrivals(request: HttpRequest, body: ArrivalBatch) -> list[dict[str, Any]]:
    return reports.do_report_batch(actor=request_actor(request), kind="arrival",
                                   rows=[r.dict() for r in body.rows])


@router.post("/reports/purchases.csv", response={200: dict, 422: dict})
@requires(Right.HEALTHCODE_REPORT)
def import_purchases(request: HttpRequest, file: File[UploadedFile],
                     venue_id: int | None = None,
                     store_good: bool = False) -> Status[dict]:  # type: ignore[type-arg]
    """A pharmacy's day as ``id_number,drug_class,bought_at``; nothing stored when a line is
    bad unless ``store_good``; every bad line is answered with its number and field."""
    try:
        answer = reports.do_import_purchases(actor=request_actor(request), data=file.read(),
                                             venue_id=venue_id, store_good=store_good)
    except reports.CsvRefused as refused:
        return Status(422, {"detail": refused.message, **refused.answer.as_dict()})
    return Status(200, answer.as_dict())
