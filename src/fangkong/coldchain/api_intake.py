"""Cold-chain API, intake part: places, batches (one or a CSV list), movements (one or a
CSV list, idempotent by client key), handlers with their test state. Thin handlers."""

import datetime as dt
import decimal
from collections.abc import Callable

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile

from fangkong.api import Problem, request_actor, requires
from fangkong.coldchain import handlers, intake, queries
from fangkong.coldchain.models import Batch, ColdPlace, Movement
from fangkong.core.rights import Right

router = Router()
PAGE = 200


class PlaceRead(Schema):
    id: int
    venue_id: int
    venue_code: str
    name: str
    kind: str
    district_id: int | None

    @staticmethod
    def of(p: ColdPlace) -> "PlaceRead":
        return PlaceRead(id=p.pk, venue_id=p.venue_id, venue_code=p.venue.venue_code,
                         name=p.venue.name, kind=p.kind, district_id=p.district_id)


class PlaceIn(Schema):
    venue_id: int
    kind: str


class ColdBatchIn(Schema):
    code: str
    product: str
    origin_country: str
    port: str
    arrived_at: dt.datetime
    quantity_kg: decimal.Decimal
    entry_place: str  # venue code
    nat_certificate: str = ""
    nat_result: str = "pending"
    disinfection_certificate: str = ""
    disinfected_on: dt.date | None = None
    supervised_checked: bool = False


class ColdBatchRead(Schema):
    id: int
    code: str
    product: str
    origin_country: str
    port: str
    arrived_at: dt.datetime
    quantity_kg: decimal.Decimal
    nat_certificate: str
    nat_result: str
    disinfection_certificate: str
    disinfected_on: dt.date | None
    supervised_checked: bool
    entry_place_id: int
    created: bool = False

    @staticmethod
    def of(b: Batch, *, created: bool = False) -> "ColdBatchRead":
        return ColdBatchRead(id=b.pk, code=b.code, product=b.product,
                             origin_country=b.origin_country, port=b.port, arrived_at=b.arrived_at,
                             quantity_kg=b.quantity_kg, nat_certificate=b.nat_certificate,
                             nat_result=b.nat_result,
                             disinfection_certificate=b.disinfection_certificate,
                             disinfected_on=b.disinfected_on,
                             supervised_checked=b.supervised_checked,
                             entry_place_id=b.entry_place_id, created=created)


class MovementIn(Schema):
    batch_code: str
    from_place: str = ""  # venue code; empty: the port
    to_place: str
    moved_at: dt.datetime
    quantity_kg: decimal.Decimal
    client_key: str


class MovementRead(Schema):
    id: int
    batch_id: int
    from_place_id: int | None
    to_place_id: int
    moved_at: dt.datetime
    quantity_kg: decimal.Decimal
    client_key: str
    created: bool = False

    @staticmethod
    def of(m: Movement, *, created: bool = False) -> "MovementRead":
        return MovementRead(id=m.pk, batch_id=m.batch_id, from_place_id=m.from_place_id,
                            to_place_id=m.to_place_id, moved_at=m.moved_at,
                            quantity_kg=m.quantity_kg, client_key=m.client_key,
                            created=created)


class BatchDetailRead(Schema):
    batch: ColdBatchRead
    movements: list[MovementRead]


class ListAnswerRead(Schema):
    stored: int
    unchanged: int
    errors: list[dict[str, object]]


class RefusedRead(ListAnswerRead):
    """Bad lines: each named, nothing stored. A file refused whole (not a CSV, not UTF-8, no
    header) answers 422 as well, as a :class:`~fangkong.api.Problem` naming ``file``."""

    detail: str


def _answer(importer: Callable[..., intake.ListAnswer], request: HttpRequest,
            file: UploadedFile, *, store_good: bool) -> Status[object]:
    try:
        answer = importer(actor=request_actor(request), data=file.read(), store_good=store_good)
    except intake.ListRefused as refused:
        return Status(422, {"detail": refused.message, **refused.answer.as_dict()})
    return Status(200, answer.as_dict())


class HandlerIn(Schema):
    place_id: int
    id_number: str
    role: str
    since: dt.date | None = None


class HandlerRead(Schema):
    id: int
    person_id: int
    name: str
    place_id: int
    role: str
    state: str
    due_on: dt.date
    last_sample: dt.datetime | None


@router.get("/places", response=list[PlaceRead])
@requires(Right.COLDCHAIN_VIEW)
def list_places(request: HttpRequest) -> list[PlaceRead]:
    return [PlaceRead.of(p) for p in queries.places_for(request_actor(request))[:1000]]


@router.post("/places", response={201: PlaceRead})
@requires(Right.COLDCHAIN_RECORD)
def add_place(request: HttpRequest, body: PlaceIn) -> Status[PlaceRead]:
    place = intake.do_add_place(actor=request_actor(request), **body.dict())
    return Status(201, PlaceRead.of(place))


@router.get("/batches", response=list[ColdBatchRead])
@requires(Right.COLDCHAIN_VIEW)
def list_batches(request: HttpRequest, q: str = "") -> list[ColdBatchRead]:
    return [ColdBatchRead.of(b) for b in queries.batches_for(request_actor(request), q=q)[:PAGE]]


# Declared before GET /batches/{batch_id}: Django tries the URL patterns in order and that
# one's path parameter would otherwise catch "upload" and answer 405 to the POST.
@router.post("/batches/upload", response={200: ListAnswerRead, 422: RefusedRead | Problem})
@requires(Right.COLDCHAIN_RECORD)
def upload_batches(request: HttpRequest, file: File[UploadedFile],
                   store_good: Form[bool] = False) -> Status[object]:
    """CSV: code, product, origin_country, port, arrived_at, quantity_kg, entry_place, and
    optionally the certificates. Any bad line: 422 naming each, nothing stored (unless
    ``store_good``)."""
    return _answer(intake.do_import_batches, request, file, store_good=store_good)


@router.get("/batches/{batch_id}", response=BatchDetailRead)
@requires(Right.COLDCHAIN_VIEW)
def get_batch(request: HttpRequest, batch_id: int) -> BatchDetailRead:
    detail = queries.batch_detail(request_actor(request), batch_id=batch_id)
    return BatchDetailRead(batch=ColdBatchRead.of(detail.batch),
                           movements=[MovementRead.of(m) for m in detail.movements])


@router.post("/batches", response={200: ColdBatchRead, 201: ColdBatchRead})
@requires(Right.COLDCHAIN_RECORD)
def record_batch(request: HttpRequest, body: ColdBatchIn) -> Status[ColdBatchRead]:
    """201 when stored, 200 when the code was stored before (nothing changes)."""
    stored = intake.do_record_batch(actor=request_actor(request), **body.dict())
    return Status(201 if stored.created else 200, ColdBatchRead.of(stored.row,
                                                                   created=stored.created))


@router.post("/movements", response={200: MovementRead, 201: MovementRead})
@requires(Right.COLDCHAIN_RECORD)
def record_movement(request: HttpRequest, body: MovementIn) -> Status[MovementRead]:
    stored = intake.do_record_movement(actor=request_actor(request), **body.dict())
    return Status(201 if stored.created else 200, MovementRead.of(stored.row,
                                                                  created=stored.created))


@router.post("/movements/upload", response={200: ListAnswerRead, 422: RefusedRead | Problem})
@requires(Right.COLDCHAIN_RECORD)
def upload_movements(request: HttpRequest, file: File[UploadedFile],
                     store_good: Form[bool] = False) -> Status[object]:
    """CSV: batch_code, from_place, to_place, moved_at, quantity_kg, client_key."""
    return _answer(intake.do_import_movements, request, file, store_good=store_good)


@router.get("/handlers", response=list[HandlerRead])
@requires(Right.COLDCHAIN_VIEW)
def list_handlers(request: HttpRequest, owing: bool = False) -> list[HandlerRead]:
    """Active handlers with their test state; ``owing``: only those due, overdue or due
    now."""
    rows = handlers.handlers_for(request_actor(request), owing_only=owing)
    return [HandlerRead(id=r.handler.pk, person_id=r.handler.person_id,
                        name=r.handler.person.name, place_id=r.handler.place_id,
                        role=r.handler.role, state=r.state.state, due_on=r.state.due_on,
                        last_sample=r.last_sample) for r in rows]


@router.post("/handlers", response={201: HandlerRead})
@requires(Right.COLDCHAIN_RECORD)
def add_handler(request: HttpRequest, body: HandlerIn) -> Status[HandlerRead]:
    h = handlers.do_add_handler(actor=request_actor(request), **body.dict())
    row = handlers.with_states([h])[0]
    return Status(201, HandlerRead(id=h.pk, person_id=h.person_id, name=h.person.name,
                                   place_id=h.place_id, role=h.role, state=row.state.state,
                                   due_on=row.state.due_on, last_sample=row.last_sample))
