"""Supplies API, intake part: an outlet device's rows, a district's CSV upload."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.healthcode.reports import CsvRefused
from fangkong.supplies import uploads

router = Router()


class StockIn(Schema):
    client_key: str
    good: str
    day: dt.date
    stock: Decimal
    price: Decimal
    venue_id: int | None = None


class StockBatch(Schema):
    rows: list[StockIn]


@router.post("/reports", response=list[dict[str, Any]])
@requires(Right.SUPPLIES_REPORT)
def report_stock(request: HttpRequest, body: StockBatch) -> list[dict[str, Any]]:
    """An outlet's rows, each answered by its client key: stored, replaced (a correction),
    unchanged (sent before) or refused with the field."""
    return uploads.do_report_batch(actor=request_actor(request),
                                   rows=[r.dict() for r in body.rows])


@router.post("/reports.csv", response={200: dict, 422: dict})
@requires(Right.SUPPLIES_MANAGE)
def import_stock(request: HttpRequest, file: File[UploadedFile],
                 store_good: bool = False) -> Status[dict]:  # type: ignore[type-arg]
    """Many outlets' rows as CSV; nothing stored when a line is bad unless ``store_good``."""
    try:
        answer = uploads.do_import_csv(actor=request_actor(request), data=file.read(),
                                       store_good=store_good)
    except CsvRefused as refused:
        return Status(422, {"detail": refused.message, **refused.answer.as_dict()})
    return Status(200, answer.as_dict())
