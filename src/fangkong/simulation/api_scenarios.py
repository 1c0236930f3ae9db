"""Simulation API, scenarios part: list, create (queued; poll until ``done``), read with the
result, run again, delete, compare 2–4 finished scenarios, and the presets and quarantine
policy versions a scenario may start from. Thin handlers over ``scenarios`` and ``queries``."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.simulation import queries, scenarios, spec
from fangkong.simulation.models import Scenario

router = Router()

LIST_MAX = 500


class ScenarioRead(Schema):
    id: int
    name: str
    model: str  # branching | agents
    preset: str
    params: dict[str, Any]
    runs: int
    seed: int
    residents: int | None  # synthetic population size; null: the unit's residents
    status: str  # queued | running | done | failed
    progress: int  # 0..100
    error: str
    unit_id: int
    unit_name: str
    created_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def of(s: Scenario) -> "ScenarioRead":
        return ScenarioRead(
            id=s.pk, name=s.name, model=s.model, preset=s.preset, params=s.params, runs=s.runs,
            seed=s.seed, residents=s.residents, status=s.status, progress=s.progress,
            error=s.error, unit_id=s.unit_id, unit_name=s.unit.name,
            created_by=s.created_by.get_username() if s.created_by else None,
            created_at=s.created_at, started_at=s.started_at, finished_at=s.finished_at)


class ScenarioWithResult(ScenarioRead):
    result: dict[str, Any]  # bands and summary (empty until done); see docs/simulation.md

    @staticmethod
    def full(s: Scenario) -> "ScenarioWithResult":
        return ScenarioWithResult(**ScenarioRead.of(s).dict(), result=s.result or {})


class ScenarioCreate(Schema):
    name: str
    model: str = spec.BRANCHING
    params: dict[str, Any] = {}
    runs: int = 200
    seed: int = 1
    residents: int | None = None
    preset: str = ""


class ScenarioFilter(Schema):
    status: str | None = None
    limit: int = 100


class CompareQuery(Schema):
    ids: list[int]


class Preset(Schema):
    model: str
    params: dict[str, Any]


class QuarantineVersionRead(Schema):
    name: str
    effective_from: str
    centralised_days: int
    home_days: int


@router.get("/scenarios", response=list[ScenarioRead])
@requires(Right.SIMULATION_VIEW)
def list_scenarios(request: HttpRequest, filters: Query[ScenarioFilter]) -> list[ScenarioRead]:
    """Scenarios in the caller's scope, newest first (at most ``limit``, up to 500)."""
    rows = queries.scenarios_for(request_actor(request), status=filters.status)
    return [ScenarioRead.of(s) for s in rows[:max(1, min(filters.limit, LIST_MAX))]]


@router.post("/scenarios", response={202: ScenarioRead})
@requires(Right.SIMULATION_RUN)
def create_scenario(request: HttpRequest, body: ScenarioCreate) -> Status:
    """Create a scenario at the caller's unit and queue its runs; a bad parameter is a 422
    naming it. Caps: branching ≤ 2000 runs; agents ≤ 50 runs and 180 days."""
    made = scenarios.do_create_scenario(actor=request_actor(request), **body.dict())
    return Status(202, ScenarioRead.of(_fresh(request, made.pk)))


@router.get("/scenarios/{scenario_id}", response=ScenarioWithResult)
@requires(Right.SIMULATION_VIEW)
def get_scenario(request: HttpRequest, scenario_id: int) -> ScenarioWithResult:
    return ScenarioWithResult.full(_fresh(request, scenario_id))


@router.post("/scenarios/{scenario_id}/run", response={202: ScenarioRead})
@requires(Right.SIMULATION_RUN)
def run_scenario(request: HttpRequest, scenario_id: int) -> Status:
    """Run a finished or failed scenario again with its seed (409 while queued/running)."""
    scenarios.do_run_scenario(actor=request_actor(request), scenario_id=scenario_id)
    return Status(202, ScenarioRead.of(_fresh(request, scenario_id)))


@router.delete("/scenarios/{scenario_id}", response={204: None})
@requires(Right.SIMULATION_RUN)
def delete_scenario(request: HttpRequest, scenario_id: int) -> Status:
    scenarios.do_delete_scenario(actor=request_actor(request), scenario_id=scenario_id)
    return Status(204, None)


@router.get("/compare", response=list[ScenarioWithResult])
@requires(Right.SIMULATION_VIEW)
def compare_scenarios(request: HttpRequest,
                      query: Query[CompareQuery]) -> list[ScenarioWithResult]:
    """2–4 finished scenarios of one model (``?ids=1&ids=2``), with their results."""
    chosen = queries.comparison(request_actor(request), ids=query.ids)
    return [ScenarioWithResult.full(s) for s in chosen]


@router.get("/presets", response=dict[str, Preset])
@requires(Right.SIMULATION_VIEW)
def list_presets(request: HttpRequest) -> dict[str, Preset]:
    """The starting points of the page: Hellewell's baseline and one lever changed each."""
    return {k: Preset(model=m, params=p) for k, (m, p) in spec.PRESETS.items()}


@router.get("/quarantine-versions", response=list[QuarantineVersionRead])
@requires(Right.SIMULATION_VIEW)
def list_quarantine_versions(request: HttpRequest) -> list[QuarantineVersionRead]:
    """Policy versions whose close-contact centralised days a scenario may take
    (``params.quarantine_policy``)."""
    return [QuarantineVersionRead(**vars(v)) for v in queries.quarantine_versions()]


def _fresh(request: HttpRequest, scenario_id: int) -> Scenario:
    return queries.scenario_for(request_actor(request), scenario_id=scenario_id)
