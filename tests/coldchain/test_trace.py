"""The stored trace of a positive sample over the database, its scoped reading, and acting
on it: draft risk points through tracing's two-person flow and handlers due now."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.coldchain import actions_trace, handlers, trace
from fangkong.coldchain.models import Handler, TraceHit
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.tracing import actions_risk
from fangkong.tracing.models import RiskPoint, RiskPointStatus
from tests.coldchain.builders import Chain, chain
from tests.factories import City


@pytest.fixture
def c(city: City) -> Chain:
    return chain(city)


def _sample_on_b1(c: Chain) -> int:
    return trace.do_report_sample(actor=c.actors["tracer1"], place_id=c.s1.pk,
                                  kind="packaging", batch_code="B1",
                                  sampled_at=c.t0 + dt.timedelta(days=3)).pk


def test_a_packaging_sample_traces_places_batches_and_handlers(c: Chain) -> None:
    run = trace.do_run_trace(actor=c.actors["tracer1"], sample_id=_sample_on_b1(c))
    hits = {h.place_id: h.direction for h in TraceHit.objects.filter(trace=run)}
    assert hits == {c.s1.pk: "sample", c.m.pk: "backward", c.w.pk: "backward",
                    c.s2.pk: "forward"}
    assert run.result["seeds"] == [c.b1.pk]
    assert run.result["copresent"] == [c.b2.pk]  # B3 came after B1 left W
    assert run.result["to_port"] == [c.b1.pk]
    assert set(run.result["handlers"]) == {h.pk for h in c.handlers.values()}
    assert AuditLog.objects.filter(verb="coldchain.trace.run").count() == 1


def test_an_environmental_sample_seeds_the_batches_in_the_store(c: Chain) -> None:
    sample = trace.do_report_sample(actor=c.actors["tracer1"], place_id=c.w.pk,
                                    kind="environment",
                                    sampled_at=c.t0 + dt.timedelta(days=6))
    run = trace.do_run_trace(actor=c.actors["tracer1"], sample_id=sample.pk)
    # B1 left W on day 1, within the 14-day look-back; B2 left on day 4; B3 is still there.
    assert set(run.result["seeds"]) == {c.b1.pk, c.b2.pk, c.b3.pk}


def test_a_packaging_sample_names_its_batch(c: Chain) -> None:
    with pytest.raises(DomainError) as err:
        trace.do_report_sample(actor=c.actors["tracer1"], place_id=c.s1.pk, kind="packaging",
                               sampled_at=c.t0)
    assert err.value.field == "batch_code"


def test_the_second_district_sees_its_part_and_a_count_of_the_rest(c: Chain) -> None:
    run = trace.do_run_trace(actor=c.actors["tracer1"], sample_id=_sample_on_b1(c))
    theirs = trace.trace_view(c.actors["officer2"], trace_id=run.pk)
    assert [h.place_id for h in theirs.hits] == [c.s2.pk]
    assert theirs.hidden_places == 3
    assert [h.pk for h in theirs.handlers] == [c.handlers["s2"].pk]
    assert [b.code for b, _ in theirs.batches] == ["B1"]  # B2 never reached district 2
    ours = trace.trace_view(c.actors["tracer1"], trace_id=run.pk)
    assert ours.hidden_places == 1 and len(ours.hits) == 3
    with pytest.raises(NotFound):  # the second district cannot trace the first's sample
        trace.do_run_trace(actor=c.actors["officer2"], sample_id=run.sample_id)


def test_a_trace_reaching_no_place_of_a_district_is_not_found_there(city: City,
                                                                     c: Chain) -> None:
    sample = trace.do_report_sample(actor=c.actors["tracer1"], place_id=c.w.pk,
                                    kind="packaging", batch_code="B3",
                                    sampled_at=c.t0 + dt.timedelta(days=6))
    run = trace.do_run_trace(actor=c.actors["tracer1"], sample_id=sample.pk)
    with pytest.raises(NotFound):
        trace.trace_view(c.actors["officer2"], trace_id=run.pk)


def test_without_the_right_nothing_is_traced(c: Chain) -> None:
    sample_id = _sample_on_b1(c)
    for who in ("store1", "viewer"):
        with pytest.raises(PermissionDenied):
            trace.do_run_trace(actor=c.actors[who], sample_id=sample_id)


def test_acting_drafts_risk_points_reviewed_by_a_second_person(c: Chain) -> None:
    tracer, other = c.actors["tracer1"], c.actors["tracer1b"]
    run = trace.do_run_trace(actor=tracer, sample_id=_sample_on_b1(c))
    done = actions_trace.do_act_on_trace(actor=tracer, trace_id=run.pk)
    assert (done.risk_points, done.handlers_due) == (3, 3)  # district 1's part only
    points = RiskPoint.objects.filter(status=RiskPointStatus.DRAFT, case=None)
    assert {p.venue_id for p in points} == {c.w.venue_id, c.m.venue_id, c.s1.venue_id}
    w_hit = TraceHit.objects.get(trace=run, place=c.w)
    w_point = points.get(venue_id=c.w.venue_id)
    assert (w_point.start, w_point.end) == (w_hit.start, w_hit.end)
    assert w_point.end == c.t0 + dt.timedelta(days=1)  # B1 left W then
    with pytest.raises(DomainError):
        actions_risk.do_review_risk_point(actor=tracer, point_id=w_point.pk)
    actions_risk.do_review_risk_point(actor=other, point_id=w_point.pk)
    published = actions_risk.do_publish_risk_point(actor=tracer, point_id=w_point.pk)
    assert published.status == RiskPointStatus.PUBLISHED
    again = actions_trace.do_act_on_trace(actor=tracer, trace_id=run.pk)
    assert (again.risk_points, again.handlers_due) == (0, 0)
    assert Handler.objects.filter(due_now_since__isnull=False).count() == 3
    assert not Handler.objects.get(pk=c.handlers["s2"].pk).due_now_since
    states = {r.handler.pk: r.state.state for r in handlers.handlers_for(tracer)}
    assert set(states.values()) == {"due_now"}
    assert AuditLog.objects.filter(verb="coldchain.handler.due_now").count() == 3
    officer = actions_trace.do_act_on_trace(actor=c.actors["officer2"], trace_id=run.pk)
    assert (officer.risk_points, officer.handlers_due) == (1, 1)
