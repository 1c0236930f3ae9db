"""Screening API: the capacity plan of a campaign, and applying it as the campaign's sites."""

from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.testing import planner

router = Router()


class PlannedSiteRead(Schema):
    grid_id: int
    grid_code: str
    grid_name: str
    number: int
    people: int
    tables: int
    wait_minutes: float | None
    queue_length: float | None
    utilisation: float
    pool_size: int
    tubes: int
    boxes: int
    courier_runs: int
    lat: float | None
    lon: float | None


class PlanLabRead(Schema):
    id: int
    code: str
    name: str
    tubes_per_hour: int


class PlanWarningRead(Schema):
    code: str
    params: dict[str, float | int | str]
    message: str


class ScreeningPlanRead(Schema):
    """Totals of the round in the caller's jurisdiction; staff counts are per shift."""

    campaign_id: int
    sites: int
    people: int
    tables: int
    reserve_tables: int
    shifts: int
    samplers: int
    registrars: int
    reserve_samplers: int
    reserve_registrars: int
    practice_samplers: int
    tubes: int
    reserve_tubes: int
    retest_tubes: int
    boxes: int
    courier_runs: int
    couriers: int
    target_hours: float
    sampling_hours: float
    max_queue_minutes: float
    expected_prevalence: float
    expected_positive_pools: float
    expected_retests: float
    lab_tubes_per_hour: float
    lab_capacity: int
    results_by_hours: float | None
    existing_sites: int
    labs: list[PlanLabRead]
    site_plans: list[PlannedSiteRead]
    warnings: list[PlanWarningRead]


class AppliedSiteRead(Schema):
    id: int
    code: str
    name: str
    tables: int
    grid_id: int | None
    lab_id: int | None


class AppliedRead(Schema):
    created: int
    sites: list[AppliedSiteRead]


@router.get("/campaigns/{campaign_id}/plan", response=ScreeningPlanRead)
@requires(Right.SCREENING_VIEW)
def get_plan(request: HttpRequest, campaign_id: int) -> dict[str, object]:
    """The plan over the campaign's grids in the caller's jurisdiction (active residents)."""
    built = planner.campaign_plan(actor=request_actor(request), campaign_id=campaign_id)
    language = translation.get_language() or "zh-hans"
    return {
        **planner.summary(built),
        "labs": [{"id": lab.pk, "code": lab.code, "name": lab.name,
                  "tubes_per_hour": lab.tubes_per_hour} for lab in built.labs],
        "site_plans": planner.site_rows(built, language=language),
        "warnings": [{"code": n.code, "params": n.as_dict(),
                      "message": planner.notice_text(n, built.grids)}
                     for n in built.plan.warnings],
    }


@router.post("/campaigns/{campaign_id}/plan/apply", response={201: AppliedRead})
@requires(Right.SCREENING_MANAGE)
def apply_plan(request: HttpRequest, campaign_id: int) -> Status[AppliedRead]:
    """Create the planned sites; 409 when the campaign already has sites in jurisdiction."""
    sites = planner.do_apply_plan(actor=request_actor(request), campaign_id=campaign_id)
    return Status(201, AppliedRead(created=len(sites), sites=[AppliedSiteRead(
        id=s.pk, code=s.code, name=s.name, tables=s.tables, grid_id=s.grid_id, lab_id=s.lab_id)
        for s in sites]))
