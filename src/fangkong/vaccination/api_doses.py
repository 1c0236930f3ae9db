"""Vaccination API, doses part: a batch from the vaccination system as JSON or CSV
(``vaccination.record``; idempotent per client key; refused line by line, nothing stored
unless ``store_good``)."""

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from fangkong.api import Problem, request_actor, requires
from fangkong.core.rights import Right
from fangkong.vaccination import doses

router = Router()


class DoseIn(Schema):
    id_number: str
    product: str  # a product code: CORONAVAC, BBIBP, WIBP, AD5NCOV, ZF2001
    dose_number: int
    given_on: str  # YYYY-MM-DD
    site: str = ""
    client_key: str


class DoseBatchIn(Schema):
    doses: list[DoseIn]
    store_good: bool = False


class LineError(Schema):
    line: int  # the dose's position in the batch, from 1 (in a CSV file the header is 1)
    field: str
    message: str


class DoseBatchOut(Schema):
    stored: int
    unchanged: int
    errors: list[LineError]
    detail: str = ""


def _out(answer: doses.Answer, *, detail: str = "") -> DoseBatchOut:
    return DoseBatchOut(stored=answer.stored, unchanged=answer.unchanged, detail=detail,
                        errors=[LineError(line=int(str(e["line"])), field=str(e["field"]),
                                      message=str(e["message"])) for e in answer.errors])


@router.post("/doses", response={200: DoseBatchOut, 422: DoseBatchOut | Problem})
@requires(Right.VACCINATION_RECORD)
def record_doses(request: HttpRequest, body: DoseBatchIn) -> Status[DoseBatchOut]:
    """A batch of doses; sending it again stores nothing new (``unchanged``)."""
    rows = [d.dict() for d in body.doses]
    try:
        answer = doses.do_record_doses(actor=request_actor(request), rows=rows,
                                       store_good=body.store_good)
    except doses.BatchRefused as refused:
        return Status(422, _out(refused.answer, detail=refused.message))
    return Status(200, _out(answer))


@router.post("/doses.csv", response={200: DoseBatchOut, 422: DoseBatchOut | Problem})
@requires(Right.VACCINATION_RECORD)
def import_doses(request: HttpRequest, file: File[UploadedFile],
                 store_good: bool = False) -> Status[DoseBatchOut]:
    """A CSV file: id_number, product, dose_number, given_on, site, client_key."""
    try:
        answer = doses.do_import_doses(actor=request_actor(request), data=file.read(),
                                       store_good=store_good)
    except doses.BatchRefused as refused:
        return Status(422, _out(refused.answer, detail=refused.message))
    return Status(200, _out(answer))
