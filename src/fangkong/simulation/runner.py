"""The run of a scenario (the job's body): claim it, build the population the agent model
needs, run the model through ``spec.simulate`` with the progress written back, store the
bands or the error. Safe to deliver twice: only a queued scenario is claimed (or a running
one when the job was queued again because its worker died), and the result is stored only
while the scenario is still running (deleted or re-queued → dropped)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from fangkong.core import clock, jobs
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import Level
from fangkong.core.rights import Right
from fangkong.simulation import spec
from fangkong.simulation.models import Scenario, ScenarioStatus

log = logging.getLogger(__name__)

SYSTEM_NAME = "system:simulation"
ERROR_MAX = 2000
NO_RESULT = ("result",)


class Cancelled(Exception):
    """The scenario was deleted or re-queued while it ran."""


def system_actor() -> Actor:
    return Actor(user_id=None, username=SYSTEM_NAME, unit=None,
                 rights=frozenset({Right.SIMULATION_VIEW, Right.SIMULATION_RUN}))


def do_execute_scenario(*, scenario_id: int) -> Scenario | None:
    """Run a queued scenario to its stored result; any error marks it failed with it."""
    scenario = _claim(scenario_id)
    if scenario is None:
        return Scenario.objects.filter(pk=scenario_id).first()
    try:
        result = execute(scenario, progress=_progress_writer(scenario))
    except Cancelled:
        log.info("scenario %s: cancelled while running", scenario_id)
        return None
    except Exception as exc:
        log.exception("scenario %s failed", scenario_id)
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        return _finish(scenario_id, status=ScenarioStatus.FAILED, error=message[:ERROR_MAX])
    return _finish(scenario_id, status=ScenarioStatus.DONE, result=result)


def execute(scenario: Scenario, *, progress: Callable[[int], None] | None = None,
            workers: int = 1) -> dict[str, Any]:
    """The scenario's result from its stored parameters and seed (nothing is written)."""
    params = spec.parse_params(scenario.model, scenario.params)
    population = None
    if scenario.model == spec.AGENTS:
        population = _population(scenario)
    return spec.simulate(model=scenario.model, params=params, runs=scenario.runs,
                         seed=scenario.seed, population=population, workers=workers,
                         progress=progress)


def _population(scenario: Scenario) -> Any:
    if scenario.residents:
        from fangkong.simulation.population import population_from_synth

        return population_from_synth(residents=scenario.residents, seed=scenario.seed)
    from fangkong.simulation.population_db import population_from_database

    unit_id = None if scenario.unit.level == Level.CITY else scenario.unit_id
    population = population_from_database(unit_id=unit_id)
    if population.size == 0:
        raise DomainError("the unit has no residents to simulate", field="residents")
    return population


def _claim(scenario_id: int) -> Scenario | None:
    with transaction.atomic():
        scenario = (Scenario.objects.select_for_update().select_related("unit")
                    .filter(pk=scenario_id).first())
        # A redelivered job takes over the run its dead worker left "running".
        claimable = {ScenarioStatus.QUEUED} | (
            {ScenarioStatus.RUNNING} if jobs.is_redelivery() else set())
        if scenario is None or scenario.status not in claimable:
            return None
        scenario.status, scenario.started_at, scenario.progress = (
            ScenarioStatus.RUNNING, clock.now(), 0)
        scenario.save(update_fields=["status", "started_at", "progress"])
    return scenario


def _progress_writer(scenario: Scenario) -> Callable[[int], None]:
    """A callback for the models: ``done`` runs of ``scenario.runs``; writes the percentage
    when it moves by at least 2 points, and stops the run if the row is gone or re-queued."""
    shown = [0]
    started = scenario.started_at

    def progress(done: int) -> None:
        percent = min(99, int(100 * done / max(scenario.runs, 1)))
        if percent - shown[0] < 2:
            return
        shown[0] = percent
        updated = Scenario.objects.filter(pk=scenario.pk, status=ScenarioStatus.RUNNING,
                                          started_at=started).update(progress=percent)
        if not updated:
            raise Cancelled

    return progress


def _finish(scenario_id: int, *, status: str, result: dict[str, Any] | None = None,
            error: str = "") -> Scenario | None:
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().filter(pk=scenario_id).first()
        if scenario is None or scenario.status != ScenarioStatus.RUNNING:
            return scenario
        before = snapshot(scenario, exclude=NO_RESULT)
        scenario.status, scenario.error, scenario.result = status, error, result or {}
        scenario.progress = 100 if status == ScenarioStatus.DONE else scenario.progress
        scenario.finished_at = clock.now()
        scenario.save(update_fields=["status", "error", "result", "progress", "finished_at"])
        verb = ("simulation.scenario.done" if status == ScenarioStatus.DONE
                else "simulation.scenario.fail")
        record(actor=system_actor(), verb=verb, target=scenario, before=before,
               after=snapshot(scenario, exclude=NO_RESULT))
    return scenario
