"""Quarantine API: orders (create, from contacts, list, detail, cancel), daily checks, test
results and release. Thin handlers over ``orders``, ``care`` and ``release``."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.privacy import mask_id_number
from fangkong.core.rights import Right
from fangkong.quarantine import care, orders, release
from fangkong.quarantine.models import QuarantineOrder, ScheduledTest

router = Router()
PAGE = 100


class OrderTestRead(Schema):
    id: int
    phase: str
    day_no: int
    due_on: dt.date
    result: str

    @staticmethod
    def of(test: ScheduledTest) -> "OrderTestRead":
        return OrderTestRead(id=test.pk, phase=test.phase, day_no=test.day_no, due_on=test.due_on,
                             result=test.result)


class OrderRead(Schema):
    id: int
    person_id: int
    person_name: str
    id_number: str  # masked
    kind: str
    reason: str
    status: str
    policy: str
    starts_on: dt.date
    centralised_until: dt.date | None
    ends_on: dt.date
    facility_id: int | None
    certificate_no: str | None
    case_id: int | None
    tests: list[OrderTestRead] = []

    @staticmethod
    def of(order: QuarantineOrder, *, tests: bool = False) -> "OrderRead":
        return OrderRead(
            id=order.pk, person_id=order.person_id, person_name=order.person.name,
            id_number=mask_id_number(order.person.id_number or ""), kind=order.kind,
            reason=order.reason, status=order.status, policy=order.policy.name,
            starts_on=order.starts_on, centralised_until=order.centralised_until,
            ends_on=order.ends_on, facility_id=order.facility_id,
            certificate_no=order.certificate_no, case_id=order.case_id,
            tests=[OrderTestRead.of(t) for t in order.tests.all()] if tests else [])


class OrderCreate(Schema):
    person_id: int
    reason: str
    exposure_at: dt.datetime | None = None
    note: str = ""
    risk_area_id: int | None = None


class FromContacts(Schema):
    contact_ids: list[int]


class RefusalRead(Schema):
    contact_id: int
    person_id: int | None
    reason: str


class FromContactsRead(Schema):
    created: list[OrderRead]
    refused: list[RefusalRead]


class CancelBody(Schema):
    reason: str


class CheckBody(Schema):
    temperature: float
    symptoms: list[str] = []
    mood: int
    needs_support: bool = False
    note: str = ""
    day: dt.date | None = None


class CheckRead(Schema):
    id: int
    order_id: int
    day: dt.date
    temperature: float
    mood: int


class ResultBody(Schema):
    result: str
    sampled_at: dt.datetime | None = None


@router.get("/orders", response=list[OrderRead])
@requires(Right.QUARANTINE_VIEW)
def list_orders(request: HttpRequest, status: str = "", after: int = 0) -> list[OrderRead]:
    """Orders visible to the caller (residence or facility), by id, 100 a page (``after``)."""
    qs = orders.orders_for(request_actor(request)).filter(pk__gt=after)
    qs = qs.filter(status=status) if status else qs
    rows = qs.select_related("person", "policy").order_by("pk")[:PAGE]
    return [OrderRead.of(o) for o in rows]


@router.post("/orders", response={201: OrderRead})
@requires(Right.QUARANTINE_MANAGE)
def create_order(request: HttpRequest, body: OrderCreate) -> Status[OrderRead]:
    order = orders.do_create_order(actor=request_actor(request), **body.dict())
    return Status(201, OrderRead.of(order, tests=True))


@router.post("/orders/from-contacts", response=FromContactsRead)
@requires(Right.QUARANTINE_MANAGE)
def orders_from_contacts(request: HttpRequest, body: FromContacts) -> FromContactsRead:
    """One order per close or secondary contact; each refusal with its reason."""
    done = orders.do_orders_from_contacts(actor=request_actor(request),
                                          contact_ids=body.contact_ids)
    return FromContactsRead(created=[OrderRead.of(o, tests=True) for o in done.created],
                            refused=[RefusalRead(**vars(r)) for r in done.refused])


@router.get("/orders/{order_id}", response=OrderRead)
@requires(Right.QUARANTINE_VIEW)
def order_detail(request: HttpRequest, order_id: int) -> OrderRead:
    order = orders.get_order(actor=request_actor(request), order_id=order_id)
    return OrderRead.of(order, tests=True)


@router.post("/orders/{order_id}/cancel", response=OrderRead)
@requires(Right.QUARANTINE_MANAGE)
def cancel_order(request: HttpRequest, order_id: int, body: CancelBody) -> OrderRead:
    return OrderRead.of(orders.do_cancel_order(actor=request_actor(request),
                                               order_id=order_id, reason=body.reason))


@router.post("/orders/{order_id}/checks", response={201: CheckRead})
@requires(Right.QUARANTINE_CARE)
def record_check(request: HttpRequest, order_id: int, body: CheckBody) -> Status[CheckRead]:
    check = care.do_record_check(actor=request_actor(request), order_id=order_id, **body.dict())
    return Status(201, CheckRead(id=check.pk, order_id=order_id, day=check.day,
                                 temperature=float(check.temperature), mood=check.mood))


@router.post("/tests/{test_id}/result", response=OrderTestRead)
@requires(Right.QUARANTINE_CARE)
def record_result(request: HttpRequest, test_id: int, body: ResultBody) -> OrderTestRead:
    """Sending the same result again changes nothing; a positive opens a tracing case."""
    return OrderTestRead.of(care.do_record_test(actor=request_actor(request), test_id=test_id,
                                                **body.dict()))


@router.post("/orders/{order_id}/release", response=OrderRead)
@requires(Right.QUARANTINE_MANAGE)
def release_order(request: HttpRequest, order_id: int) -> OrderRead:
    return OrderRead.of(release.do_release(actor=request_actor(request), order_id=order_id))
