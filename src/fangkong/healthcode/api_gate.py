"""Gate API: a door device uploads the scans it decided offline. Guarded by the load shedder
(503 with Retry-After before authentication when the process is full); thin over ``gate``."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.decorators import decorate_view

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.healthcode import gate
from fangkong.healthcode.shedding import shed_load

router = Router()


class ScanBatchIn(Schema):
    device: str
    venue_id: int
    events: list[Any]  # checked one by one, so a bad event is named by index and field


class ScanError(Schema):
    index: int
    field: str
    message: str


class ScanBatchOut(Schema):
    stored: int
    duplicates: int
    rejected: int
    checkins: int
    errors: list[ScanError]


@router.post("/gate/scans", response=ScanBatchOut, url_name="healthcode_gate_scans")
@decorate_view(shed_load)
@requires(Right.HEALTHCODE_GATE)
def upload_scans(request: HttpRequest, body: ScanBatchIn) -> dict[str, Any]:
    """Store a device's queued scans once per (device, client key); bad events are listed."""
    return gate.do_ingest_scans(actor=request_actor(request), device=body.device,
                                venue_id=body.venue_id, events=body.events).as_dict()
