"""Early-warning API, arrivals part: risk origins (read: ``warning.view``; change:
``warning.manage``), arrivals recorded one by one or as a CSV list (``warning.checkpoint`` or
``warning.manage``), and the arrivals of one's jurisdiction with their tests."""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fangkong.api import request_actor, requires
from fangkong.core import clock
from fangkong.core.errors import NotFound
from fangkong.core.privacy import mask_id_number, mask_phone
from fangkong.core.rights import Right
from fangkong.warning import arrivals, origins
from fangkong.warning.models import RiskOrigin

router = Router()


def _records(func: Callable[..., Any]) -> Callable[..., Any]:
    """A checkpoint or a manager: the action enforces which (``arrivals.may_record``)."""

    @functools.wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        arrivals.may_record(request_actor(request))
        return func(request, *args, **kwargs)

    wrapper.required_right = Right.CHECKPOINT  # type: ignore[attr-defined]
    return wrapper


class OriginRead(Schema):
    id: int
    name: str
    code: str
    listed_from: dt.date
    listed_until: dt.date | None
    note: str

    @staticmethod
    def of(row: RiskOrigin) -> "OriginRead":
        return OriginRead(id=row.pk, name=row.name, code=row.code, listed_from=row.listed_from,
                          listed_until=row.listed_until, note=row.note)


class OriginIn(Schema):
    name: str
    code: str
    listed_from: dt.date
    listed_until: dt.date | None = None
    note: str = ""


class OriginEnd(Schema):
    listed_until: dt.date


class ArrivalIn(Schema):
    source: str
    checkpoint: str
    arrived_at: str
    id_number: str = ""
    name: str = ""
    phone: str = ""
    origin: str = ""
    client_key: str = ""


class ArrivalStored(Schema):
    id: int
    created: bool
    matched: bool
    listed: bool
    tests: int


class ArrivalTestRead(Schema):
    sequence: int
    due_date: dt.date
    state: str


class ArrivalRead(Schema):
    id: int
    arrived_at: dt.datetime
    source: str
    checkpoint: str
    origin: str
    listed: bool
    person_id: int | None
    id_number: str  # masked
    phone: str  # masked
    grid_id: int | None
    tests: list[ArrivalTestRead]


class ArrivalFilter(Schema):
    grid: int | None = None
    listed: bool = False


@router.get("/origins", response=list[OriginRead])
@requires(Right.WARNING_VIEW)
def list_origins(request: HttpRequest) -> list[OriginRead]:
    return [OriginRead.of(o) for o in origins.origins_for(request_actor(request))]


@router.post("/origins", response={201: OriginRead})
@requires(Right.WARNING_MANAGE)
def add_origin(request: HttpRequest, body: OriginIn) -> Status[OriginRead]:
    row = origins.do_add_origin(actor=request_actor(request), **body.dict())
    return Status(201, OriginRead.of(row))


@router.post("/origins/{origin_id}/end", response=OriginRead)
@requires(Right.WARNING_MANAGE)
def end_origin(request: HttpRequest, origin_id: int, body: OriginEnd) -> OriginRead:
    return OriginRead.of(origins.do_end_origin(actor=request_actor(request),
                                               origin_id=origin_id,
                                               listed_until=body.listed_until))


@router.post("/arrivals", response={200: ArrivalStored, 201: ArrivalStored})
@_records
def record_arrival(request: HttpRequest, body: ArrivalIn) -> Status[ArrivalStored]:
    """One arrival; the same one sent again answers 200 with the stored row."""
    stored = arrivals.do_record_arrival(actor=request_actor(request), **body.dict())
    row = stored.record
    return Status(201 if stored.created else 200, ArrivalStored(
        id=row.pk, created=stored.created, matched=row.person_id is not None,
        listed=row.risk_origin_id is not None, tests=row.tests.count()))


@router.post("/arrivals.csv", response={200: dict, 422: dict})
@_records
def import_arrivals(request: HttpRequest, file: File[UploadedFile],
                    store_good: bool = False) -> Status[dict]:  # type: ignore[type-arg]
    """A list of arrivals; nothing stored when a line is bad unless ``store_good``."""
    try:
        answer = arrivals.do_import_arrivals(actor=request_actor(request), data=file.read(),
                                             file_name=file.name or "", store_good=store_good)
    except arrivals.ListRefused as refused:
        return Status(422, {"detail": refused.message, **refused.answer.as_dict()})
    return Status(200, answer.as_dict())


@router.get("/arrivals", response=list[ArrivalRead])
@requires(Right.WARNING_VIEW)
def list_arrivals(request: HttpRequest, filters: Query[ArrivalFilter]) -> list[ArrivalRead]:
    rows = arrivals.arrivals_for(request_actor(request), grid_id=filters.grid,
                                 listed_only=filters.listed)
    return [_read(r) for r in arrivals.with_tests(rows[:500],
                                                  today=timezone.localdate(clock.now()))]


@router.get("/arrivals/{arrival_id}", response=ArrivalRead)
@requires(Right.WARNING_VIEW)
def get_arrival(request: HttpRequest, arrival_id: int) -> ArrivalRead:
    rows = arrivals.arrivals_for(request_actor(request)).filter(pk=arrival_id)
    found = arrivals.with_tests(rows, today=timezone.localdate(clock.now()))
    if not found:
        raise NotFound("arrival")
    return _read(found[0])


def _read(row: arrivals.ArrivalRow) -> ArrivalRead:
    r = row.record
    return ArrivalRead(
        id=r.pk, arrived_at=r.arrived_at, source=r.source, checkpoint=r.checkpoint,
        origin=r.origin, listed=r.risk_origin_id is not None, person_id=r.person_id,
        id_number=mask_id_number(r.id_number) if r.id_number else "",
        phone=mask_phone(r.phone) if r.phone else "", grid_id=r.grid_id,
        tests=[ArrivalTestRead(sequence=t.sequence, due_date=t.due_date, state=s)
               for t, s in row.tests])
