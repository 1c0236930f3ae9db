"""Screening API, transport and lab: boxes (create, fill, seal, hand over, receive), loose
tube receipt, result import (JSON rows with a client key), holds and the retest list."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.testing import actions_lab, holds, results
from fangkong.testing.models import Box, Hold, Tube
from fangkong.testing.queries import get_campaign

router = Router()


class BoxCreate(Schema):
    site_id: int
    code: str
    lab_id: int | None = None


class BoxRead(Schema):
    id: int
    code: str
    campaign_id: int
    site_id: int | None
    lab_id: int | None
    tubes: list[str]
    sealed_at: dt.datetime | None
    courier: str
    handed_over_at: dt.datetime | None
    received_at: dt.datetime | None

    @staticmethod
    def of(box: Box) -> "BoxRead":
        return BoxRead(id=box.pk, code=box.code, campaign_id=box.campaign_id,
                       site_id=box.site_id, lab_id=box.lab_id,
                       tubes=sorted(box.tubes.values_list("code", flat=True)),
                       sealed_at=box.sealed_at, courier=box.courier,
                       handed_over_at=box.handed_over_at, received_at=box.received_at)


class TubeCodes(Schema):
    codes: list[str]


class HandOver(Schema):
    courier: str


class ReceiptRead(Schema):
    box: BoxRead
    tubes: int
    late: list[str]


class LooseTube(Schema):
    lab_id: int
    code: str


class TubeRead(Schema):
    id: int
    code: str
    capacity: int
    kind: str
    status: str
    members: int
    box_id: int | None
    lab_id: int | None
    opened_at: dt.datetime | None
    sealed_at: dt.datetime | None
    received_at: dt.datetime | None
    result: str
    ct_value: float | None
    tested_at: dt.datetime | None
    resulted_at: dt.datetime | None

    @staticmethod
    def of(tube: Tube) -> "TubeRead":
        return TubeRead(**{f: getattr(tube, f) for f in TubeRead.model_fields if f != "id"},
                        id=tube.pk)


class ResultRow(Schema):
    tube_code: str
    result: str
    ct_value: float | None = None
    tested_at: str


class ResultBatch(Schema):
    lab_id: int
    client_key: str
    rows: list[ResultRow]
    accept_good: bool = False


class HoldRead(Schema):
    id: int
    person_id: int
    pool_tube_id: int
    status: str
    held_at: dt.datetime
    closed_at: dt.datetime | None
    grid_id: int | None

    @staticmethod
    def of(hold: Hold) -> "HoldRead":
        return HoldRead(id=hold.pk, person_id=hold.person_id, pool_tube_id=hold.pool_tube_id,
                        status=hold.status, held_at=hold.held_at, closed_at=hold.closed_at,
                        grid_id=hold.grid_id)


class RetestRead(Schema):
    person_id: int
    name: str
    address: str
    phone: str
    grid_id: int | None
    reason: str
    tube_code: str
    since: dt.datetime | None


@router.get("/boxes", response=list[BoxRead])
@requires(Right.SCREENING_SAMPLE)
def list_boxes(request: HttpRequest, campaign_id: int, open_only: bool = False) -> list[BoxRead]:
    """The round's boxes at sites in the caller's subtree; ``open_only``: not yet sealed."""
    boxes = actions_lab.boxes_for(request_actor(request)).filter(campaign_id=campaign_id)
    boxes = boxes.filter(sealed_at__isnull=True) if open_only else boxes
    return [BoxRead.of(b) for b in boxes.order_by("-pk")[:200]]


@router.post("/boxes", response={201: BoxRead})
@requires(Right.SCREENING_SAMPLE)
def create_box(request: HttpRequest, body: BoxCreate) -> Status[BoxRead]:
    box = actions_lab.do_create_box(actor=request_actor(request), **body.dict())
    return Status(201, BoxRead.of(box))


@router.post("/boxes/{box_id}/tubes", response=BoxRead)
@requires(Right.SCREENING_SAMPLE)
def box_tubes(request: HttpRequest, box_id: int, body: TubeCodes) -> BoxRead:
    return BoxRead.of(actions_lab.do_box_tubes(actor=request_actor(request), box_id=box_id,
                                               codes=body.codes))


@router.post("/boxes/{box_id}/seal", response=BoxRead)
@requires(Right.SCREENING_SAMPLE)
def seal_box(request: HttpRequest, box_id: int) -> BoxRead:
    return BoxRead.of(actions_lab.do_seal_box(actor=request_actor(request), box_id=box_id))


@router.post("/boxes/{box_id}/hand-over", response=BoxRead)
@requires(Right.SCREENING_SAMPLE)
def hand_over_box(request: HttpRequest, box_id: int, body: HandOver) -> BoxRead:
    return BoxRead.of(actions_lab.do_hand_over(actor=request_actor(request), box_id=box_id,
                                               courier=body.courier))


@router.post("/lab/boxes/{box_id}/receive", response=ReceiptRead)
@requires(Right.LAB_REPORT)
def receive_box(request: HttpRequest, box_id: int) -> ReceiptRead:
    receipt = actions_lab.do_receive_box(actor=request_actor(request), box_id=box_id)
    return ReceiptRead(box=BoxRead.of(receipt.box), tubes=receipt.tubes, late=receipt.late)


@router.post("/lab/tubes/receive", response=TubeRead)
@requires(Right.LAB_REPORT)
def receive_tube(request: HttpRequest, body: LooseTube) -> TubeRead:
    return TubeRead.of(actions_lab.do_receive_tube(actor=request_actor(request),
                                                   lab_id=body.lab_id, code=body.code))


@router.get("/tubes/{tube_id}/custody", response=TubeRead)
@requires(Right.SCREENING_VIEW)
def tube_custody(request: HttpRequest, tube_id: int) -> TubeRead:
    return TubeRead.of(actions_lab.get_tube(request_actor(request), tube_id))


@router.post("/lab/results", response={200: dict, 409: dict, 422: dict})
@requires(Right.LAB_REPORT)
def import_results(request: HttpRequest, body: ResultBatch) -> Status[dict]:  # type: ignore[type-arg]
    """Stores nothing when a row is bad unless ``accept_good``; the answer lists every bad
    row by position (from 1) and field. A resend with the same ``client_key`` is answered
    from the stored import (``replayed``: true)."""
    frame = results.rows_frame([r.dict() for r in body.rows])
    try:
        answer = results.do_import_results(
            actor=request_actor(request), lab_id=body.lab_id, client_key=body.client_key,
            frame=frame, accept_good=body.accept_good)
    except results.ImportRefused as refused:
        return Status(refused.status, {"detail": refused.message, **refused.answer})
    return Status(200, answer)


@router.get("/campaigns/{campaign_id}/holds", response=list[HoldRead])
@requires(Right.SCREENING_VIEW)
def list_holds(request: HttpRequest, campaign_id: int, status: str = "") -> list[HoldRead]:
    """Members of positive pools living in the caller's subtree (newest first, 500 at most)."""
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    found = holds.holds_for(actor=actor, campaign=campaign, status=status)
    return [HoldRead.of(h) for h in found[:500]]


@router.get("/campaigns/{campaign_id}/retests", response=list[RetestRead])
@requires(Right.SCREENING_VIEW)
def list_retests(request: HttpRequest, campaign_id: int) -> list[holds.RetestRow]:
    """Who the emergency sampling team must swab single-tube, in the caller's subtree."""
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    return holds.retest_list(actor=actor, campaign_id=campaign.pk)
