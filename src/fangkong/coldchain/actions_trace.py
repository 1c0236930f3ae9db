"""Acting on a trace, in one step and one transaction: a draft risk point (``tracing``'s,
with no case) for each place of the trace in the actor's area, over the window the traced
batches were there, and every handler of those places made due for a test now. The risk
points then take ``tracing``'s own road: a second person reviews, then publishes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from fangkong.coldchain.models import Handler, Trace, TraceHit
from fangkong.coldchain.trace import visible_traces
from fangkong.core import clock
from fangkong.core.audit import audit_row, record, record_many, snapshot
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.tracing.models import RiskPoint


@dataclass(frozen=True)
class Acted:
    risk_points: int
    handlers_due: int


def do_act_on_trace(*, actor: Actor, trace_id: int) -> Acted:
    """Idempotent: a place that has its risk point keeps it, a handler already due now stays
    due from the first time."""
    actor.require(Right.COLDCHAIN_TRACE)
    now = clock.now()
    with transaction.atomic():
        trace = visible_traces(actor).filter(pk=trace_id).first()
        if trace is None:
            raise NotFound("trace")
        trace = Trace.objects.select_for_update().get(pk=trace.pk)
        hits = list(scope(TraceHit.objects.filter(trace=trace, risk_point__isnull=True),
                          actor).select_related("place__venue"))
        for hit in hits:
            _draft(actor, hit, now=now)
        places = scope(TraceHit.objects.filter(trace=trace), actor).values("place_id")
        due = list(Handler.objects.filter(place_id__in=places, active=True,
                                          due_now_since__isnull=True))
        audits = []
        for handler in due:
            before = snapshot(handler)
            handler.due_now_since = now
            audits.append(audit_row(actor=actor, verb="coldchain.handler.due_now",
                                    target=handler, before=before,
                                    after=snapshot(handler) | {"trace": trace.pk}))
        Handler.objects.bulk_update(due, ["due_now_since"])
        record_many(audits)
        before = snapshot(trace, exclude=("result",))
        trace.acted_at = now
        trace.save(update_fields=["acted_at"])
        record(actor=actor, verb="coldchain.trace.act", target=trace, before=before,
               after=snapshot(trace, exclude=("result",)) | {
                   "risk_points": len(hits), "handlers_due": len(due)})
    return Acted(len(hits), len(due))


def _draft(actor: Actor, hit: TraceHit, *, now: dt.datetime) -> None:
    venue = hit.place.venue
    point = RiskPoint(case=None, venue=venue, place=venue.name[:200], start=hit.start,
                      end=hit.end, created_by_id=actor.user_id, created_at=now)
    point.district_id, point.street_id = venue.district_id, venue.street_id
    point.community_id, point.grid_id = venue.community_id, venue.grid_id
    point.save()
    record(actor=actor, verb="tracing.riskpoint.draft", target=point,
           after=snapshot(point) | {"coldchain_trace": hit.trace_id})
    hit.risk_point = point
    hit.save(update_fields=["risk_point"])
