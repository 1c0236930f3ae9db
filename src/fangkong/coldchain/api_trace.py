"""Cold-chain API, trace part: positive samples, running a trace, reading it (the caller's
part, with counts of what lies elsewhere) and acting on it. Thin handlers."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.coldchain import actions_trace, queries, trace
from fangkong.coldchain.models import PositiveSample
from fangkong.core.rights import Right

router = Router()


class SampleIn(Schema):
    place_id: int
    kind: str
    sampled_at: dt.datetime
    batch_code: str = ""
    note: str = ""


class SampleRead(Schema):
    id: int
    place_id: int
    batch_id: int | None
    kind: str
    sampled_at: dt.datetime

    @staticmethod
    def of(s: PositiveSample) -> "SampleRead":
        return SampleRead(id=s.pk, place_id=s.place_id, batch_id=s.batch_id, kind=s.kind,
                          sampled_at=s.sampled_at)


class HitRead(Schema):
    place_id: int
    name: str
    direction: str
    start: dt.datetime
    end: dt.datetime
    risk_point_id: int | None


class TraceRead(Schema):
    id: int
    sample_id: int
    run_at: dt.datetime
    batches: int
    places: int
    handlers: int
    hits: list[HitRead]
    hidden_places: int
    batch_codes: list[str]
    same_store_codes: list[str]
    hidden_batches: int
    handler_ids: list[int]

    @staticmethod
    def of(view: trace.TraceView) -> "TraceRead":
        t = view.trace
        return TraceRead(
            id=t.pk, sample_id=t.sample_id, run_at=t.run_at, batches=t.batches,
            places=t.places, handlers=t.handlers, hidden_places=view.hidden_places,
            hits=[HitRead(place_id=h.place_id, name=h.place.venue.name, direction=h.direction,
                          start=h.start, end=h.end, risk_point_id=h.risk_point_id)
                  for h in view.hits],
            batch_codes=[b.code for b, role in view.batches if role == "positive"],
            same_store_codes=[b.code for b, role in view.batches if role != "positive"],
            hidden_batches=view.hidden_batches, handler_ids=[h.pk for h in view.handlers])


class ActedRead(Schema):
    risk_points: int
    handlers_due: int


@router.get("/samples", response=list[SampleRead])
@requires(Right.COLDCHAIN_VIEW)
def list_samples(request: HttpRequest) -> list[SampleRead]:
    return [SampleRead.of(s) for s in queries.samples_for(request_actor(request))[:200]]


@router.post("/samples", response={201: SampleRead})
@requires(Right.COLDCHAIN_TRACE)
def report_sample(request: HttpRequest, body: SampleIn) -> Status[SampleRead]:
    row = trace.do_report_sample(actor=request_actor(request), **body.dict())
    return Status(201, SampleRead.of(row))


@router.post("/samples/{sample_id}/trace", response={201: TraceRead})
@requires(Right.COLDCHAIN_TRACE)
def run_trace(request: HttpRequest, sample_id: int) -> Status[TraceRead]:
    actor = request_actor(request)
    row = trace.do_run_trace(actor=actor, sample_id=sample_id)
    return Status(201, TraceRead.of(trace.trace_view(actor, trace_id=row.pk)))


@router.get("/traces/{trace_id}", response=TraceRead)
@requires(Right.COLDCHAIN_VIEW)
def get_trace(request: HttpRequest, trace_id: int) -> TraceRead:
    return TraceRead.of(trace.trace_view(request_actor(request), trace_id=trace_id))


@router.post("/traces/{trace_id}/act", response=ActedRead)
@requires(Right.COLDCHAIN_TRACE)
def act(request: HttpRequest, trace_id: int) -> ActedRead:
    """Draft risk points for the trace's places in the caller's area and make their
    handlers due for a test now."""
    done = actions_trace.do_act_on_trace(actor=request_actor(request), trace_id=trace_id)
    return ActedRead(risk_points=done.risk_points, handlers_due=done.handlers_due)
