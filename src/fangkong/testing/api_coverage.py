"""Screening API: coverage per unit, building and household, the untested list, progress
per hour, turnaround percentiles, open alerts, and exemptions. Thin: every number comes
from ``testing.coverage``; phones are masked unless the caller holds PII_VIEW (audited)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.errors import NotFound
from fangkong.core.models import Level
from fangkong.core.rights import Right
from fangkong.testing import coverage
from fangkong.testing.actions_exempt import do_add_exemption, do_remove_exemption
from fangkong.testing.queries import get_campaign

router = Router()


class CountsRead(Schema):
    registered: int
    tested: int
    exempt: int
    untested: int
    percent: float | None = Field(description="share accounted for, rounded down to 0.1 %")

    @staticmethod
    def of(c: coverage.Counts) -> "CountsRead":
        return CountsRead(registered=c.registered, tested=c.tested, exempt=c.exempt,
                          untested=c.untested, percent=c.percent)


class RowRead(Schema):
    id: int | None
    name: str
    counts: CountsRead


class CoverageRead(Schema):
    unit_id: int
    totals: CountsRead
    visitors_tested: int
    exempt_by_reason: dict[str, int]
    children: list[RowRead]


class UntestedRead(Schema):
    id: int
    name: str
    phone: str
    address: str
    building: str
    grid_id: int | None


class UntestedPage(Schema):
    items: list[UntestedRead]
    next_after: int | None


class HourRead(Schema):
    start: dt.datetime
    samples: int
    residents: int
    cumulative: int
    percent: float | None


class SpreadRead(Schema):
    count: int
    p50: float | None
    p90: float | None
    p99: float | None


class CoverageAlertRead(Schema):
    id: int
    kind: str
    tube: str | None
    raised_at: dt.datetime
    detail: str


class ExemptionCreate(Schema):
    person_id: int
    reason: str
    note: str = ""


class ExemptionRead(Schema):
    id: int
    person_id: int
    reason: str
    note: str
    created_at: dt.datetime


def _row(row: coverage.Row) -> RowRead:
    obj = row.obj
    name = getattr(obj, "name", "") if hasattr(obj, "level") else getattr(obj, "address", "")
    return RowRead(id=row.key, name=name or "", counts=CountsRead.of(row.counts))


@router.get("/campaigns/{campaign_id}/coverage", response=CoverageRead)
@requires(Right.SCREENING_VIEW)
def get_coverage(request: HttpRequest, campaign_id: int, unit: int | None = None
                 ) -> CoverageRead:
    """Totals of a unit (default: the caller's) and one row per child unit in scope."""
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    node = coverage.coverage_node(actor, unit)
    return CoverageRead(
        unit_id=node.pk, totals=CountsRead.of(coverage.totals(campaign, actor=actor, node=node)),
        visitors_tested=coverage.visitors_tested(campaign, actor=actor, node=node),
        exempt_by_reason=coverage.exempt_by_reason(campaign, actor=actor, node=node),
        children=[_row(r) for r in coverage.child_rows(campaign, actor=actor, node=node)])


@router.get("/campaigns/{campaign_id}/coverage/grids/{grid_id}/{level}",
            response=list[RowRead])
@requires(Right.SCREENING_VIEW)
def get_grid_rows(request: HttpRequest, campaign_id: int, grid_id: int, level: str
                  ) -> list[RowRead]:
    """``level`` is ``buildings`` or ``households``; the grid must be in scope (else 404)."""
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    grid = coverage.coverage_node(actor, grid_id)
    if grid.level != Level.GRID or level not in ("buildings", "households"):
        raise NotFound("grid")
    query = coverage.building_rows if level == "buildings" else coverage.household_rows
    return [_row(r) for r in query(campaign, actor=actor, grid=grid)]


@router.get("/campaigns/{campaign_id}/untested", response=UntestedPage)
@requires(Right.SCREENING_VIEW)
def get_untested(request: HttpRequest, campaign_id: int, unit: int | None = None,
                 after: int | None = None, limit: int = 50) -> UntestedPage:
    """By person id; ``after`` is the previous page's ``next_after``."""
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    node = coverage.coverage_node(actor, unit)
    people, next_after = coverage.untested(campaign, actor=actor, node=node, after=after,
                                           size=max(1, min(limit, 500)))
    phones = coverage.shown_phones(actor, node, people)
    return UntestedPage(items=[UntestedRead(
        id=p.pk, name=p.name, phone=phones[p.pk], grid_id=p.grid_id,
        address=p.household.address if p.household else p.address,
        building=p.household.building.address if p.household else "") for p in people],
        next_after=next_after)


@router.get("/campaigns/{campaign_id}/progress", response=list[HourRead])
@requires(Right.SCREENING_VIEW)
def get_progress(request: HttpRequest, campaign_id: int, unit: int | None = None
                 ) -> list[coverage.Hour]:
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    node = coverage.coverage_node(actor, unit)
    total = coverage.totals(campaign, actor=actor, node=node).registered
    return coverage.progress(campaign, actor=actor, node=node, registered_total=total)


@router.get("/campaigns/{campaign_id}/turnaround", response=dict[str, SpreadRead])
@requires(Right.SCREENING_VIEW)
def get_turnaround(request: HttpRequest, campaign_id: int, unit: int | None = None
                   ) -> dict[str, coverage.Spread]:
    """Hours per step: sampled→received, received→resulted, resulted→notified, and the
    whole sampled→notified, each with p50/p90/p99 over the samples having both ends."""
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    node = coverage.coverage_node(actor, unit)
    return coverage.turnaround(campaign, actor=actor, node=node).steps


@router.get("/campaigns/{campaign_id}/alerts", response=list[CoverageAlertRead])
@requires(Right.SCREENING_VIEW)
def get_alerts(request: HttpRequest, campaign_id: int, unit: int | None = None
               ) -> list[CoverageAlertRead]:
    """Open alerts in the unit, oldest first (at most 100)."""
    actor = request_actor(request)
    campaign = get_campaign(actor, campaign_id)
    node = coverage.coverage_node(actor, unit)
    return [CoverageAlertRead(id=a.pk, kind=a.kind, tube=a.tube.code if a.tube else None,
                              raised_at=a.raised_at, detail=a.detail)
            for a in coverage.pipeline(campaign, actor=actor, node=node).alerts]


@router.post("/campaigns/{campaign_id}/exemptions", response={201: ExemptionRead})
@requires(Right.SCREENING_MANAGE)
def add_exemption(request: HttpRequest, campaign_id: int, body: ExemptionCreate
                  ) -> Status[ExemptionRead]:
    e = do_add_exemption(actor=request_actor(request), campaign_id=campaign_id, **body.dict())
    return Status(201, ExemptionRead(id=e.pk, person_id=e.person_id, reason=e.reason,
                                     note=e.note, created_at=e.created_at))


@router.delete("/campaigns/{campaign_id}/exemptions/{exemption_id}", response={204: None})
@requires(Right.SCREENING_MANAGE)
def remove_exemption(request: HttpRequest, campaign_id: int, exemption_id: int
                     ) -> Status[None]:
    do_remove_exemption(actor=request_actor(request), campaign_id=campaign_id,
                        exemption_id=exemption_id)
    return Status(204, None)
