"""Early-warning API, sentinel part: a fever clinic's visits (a device's queue, or a day as
CSV) and the untested pharmacy buyers of the caller's scope."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.healthcode.reports import CsvRefused
from fangkong.warning import clinic, untested

router = Router()


class SentinelVisitIn(Schema):
    client_key: str
    visited_at: dt.datetime
    temperature: Decimal | None = None
    sampled: bool = False
    id_number: str = ""
    name: str = ""
    phone: str = ""
    clinic_id: int | None = None


class VisitBatch(Schema):
    rows: list[SentinelVisitIn]


class BuyerRead(Schema):
    person_id: int
    first_sale_id: int
    first_sale_at: dt.datetime
    drug_classes: list[str]
    deadline: dt.datetime
    overdue: bool


@router.post("/clinic/visits", response=list[dict[str, Any]])
@requires(Right.CLINIC_REPORT)
def report_visits(request: HttpRequest, body: VisitBatch) -> list[dict[str, Any]]:
    """Visits, each answered by its client key: stored, unchanged (sent before) or refused."""
    return clinic.do_report_batch(actor=request_actor(request),
                                  rows=[r.dict() for r in body.rows])


@router.post("/clinic/visits.csv", response={200: dict, 422: dict})
@requires(Right.CLINIC_REPORT)
def import_visits(request: HttpRequest, file: File[UploadedFile], clinic_id: int | None = None,
                  store_good: bool = False) -> Status[dict]:  # type: ignore[type-arg]
    """A clinic's day as CSV; nothing stored when a line is bad unless ``store_good``."""
    try:
        answer = clinic.do_import_visits(actor=request_actor(request), data=file.read(),
                                         clinic_id=clinic_id, store_good=store_good)
    except CsvRefused as refused:
        return Status(422, {"detail": refused.message, **refused.answer.as_dict()})
    return Status(200, answer.as_dict())


@router.get("/buyers/untested", response=list[BuyerRead])
@requires(Right.WARNING_VIEW)
def untested_buyers(request: HttpRequest, grid_id: int | None = None) -> list[BuyerRead]:
    """Buyers of watched drugs in the caller's scope without a covering negative test, the
    earliest deadline first (empty while the policy's pharmacy sentinel is off)."""
    return [BuyerRead(**{**b.__dict__, "drug_classes": list(b.drug_classes)})
            for b in untested.untested_buyers(request_actor(request), grid_id=grid_id)]
