"""Scenario actions: create (checked, then queued), run again, delete; each one transaction
with its audit row inside, the job queued after commit (``runner`` is the job's body).

A scenario is placed at its creator's unit. Its parameters are checked field by field
(``spec``); a quarantine policy version named in them fills ``quarantine_days`` from the
database (the close contacts' centralised days), and the name is kept with the days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.simulation import spec
from fangkong.simulation.models import Scenario, ScenarioStatus
from fangkong.simulation.queries import quarantine_versions

NAME_MAX = 120
STALE_AFTER = dt.timedelta(hours=1)  # a run this old was lost with its worker
NO_RESULT = ("result",)
# The kinds ``spec`` names in a type error, marked for translation.
KIND_WORDS = (gettext_noop("a number"), gettext_noop("a whole number"),
              gettext_noop("true or false"), gettext_noop("a population"))


def spec_message(exc: spec.SpecError) -> str:
    """The translated message of a scenario input error."""
    v = exc.values
    if exc.code == "unknown":
        return _("unknown parameter %(name)s") % v
    if exc.code == "type":
        return _("%(name)s must be %(kind)s") % {"name": v["name"], "kind": _(v["kind"])}
    if exc.code == "range":
        return _("%(name)s must lie between %(low)s and %(high)s") % v
    if exc.code == "choice":
        return _("%(name)s must be one of: %(choices)s") % v
    if exc.code == "invalid":
        return str(v["text"])
    return _("unknown model; one of: %(choices)s") % v


def domain_error(exc: spec.SpecError) -> DomainError:
    return DomainError(spec_message(exc), field=exc.field)


@dataclass(frozen=True)
class Draft:
    name: str
    model: str
    params: dict[str, Any]
    runs: int
    seed: int
    residents: int | None
    preset: str


def check_create_scenario(*, actor: Actor, name: str, model: str, params: dict[str, Any],
                          runs: int, seed: int, residents: int | None = None,
                          preset: str = "") -> Draft:
    """The right, a node to place it at, a name, and parameters the model accepts within
    the caps. Returns what will be stored."""
    actor.require(Right.SIMULATION_RUN)
    if actor.unit is None:
        raise DomainError(_("you are bound to no unit"), field="unit")
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise DomainError(_("a name of 1 to %(n)s characters is needed") % {"n": NAME_MAX},
                          field="name")
    if not isinstance(params, dict):
        raise DomainError(_("the parameters must be an object"), field="params")
    if preset and preset not in spec.PRESETS:
        raise DomainError(_("unknown preset %(p)s") % {"p": preset}, field="preset")
    raw = _with_policy(model, dict(params))
    try:
        spec.check_size(model=model, runs=runs, seed=seed,
                        residents=residents if model == spec.AGENTS else None)
        parsed = spec.parse_params(model, raw)
    except spec.SpecError as exc:
        raise domain_error(exc) from exc
    return Draft(name=name, model=model, params=spec.stored_params(model, parsed, raw),
                 runs=runs, seed=seed, residents=residents if model == spec.AGENTS else None,
                 preset=preset)


def _with_policy(model: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Fill quarantine_days from the named policy version; a different explicit value is
    refused rather than silently overridden."""
    name = raw.get("quarantine_policy")
    if model != spec.AGENTS or name in (None, ""):
        raw.pop("quarantine_policy", None)
        return raw
    version = next((v for v in quarantine_versions() if v.name == name), None)
    if version is None:
        raise DomainError(_("unknown quarantine policy version %(name)s") % {"name": name},
                          field="quarantine_policy")
    given = raw.get("quarantine_days")
    if given is not None and given != version.centralised_days:
        raise DomainError(_("%(name)s quarantines close contacts %(n)s days centralised, "
                            "not %(given)s") % {"name": name, "n": version.centralised_days,
                                                "given": given}, field="quarantine_days")
    raw["quarantine_days"] = version.centralised_days
    return raw


def do_create_scenario(*, actor: Actor, name: str, model: str, params: dict[str, Any],
                       runs: int, seed: int, residents: int | None = None,
                       preset: str = "") -> Scenario:
    """Store a queued scenario at the actor's unit and queue its run after commit."""
    draft = check_create_scenario(actor=actor, name=name, model=model, params=params,
                                  runs=runs, seed=seed, residents=residents, preset=preset)
    assert actor.unit is not None
    with transaction.atomic():
        scenario = Scenario(unit=actor.unit, name=draft.name, model=draft.model,
                            preset=draft.preset, params=draft.params, runs=draft.runs,
                            seed=draft.seed, residents=draft.residents,
                            status=ScenarioStatus.QUEUED, created_by_id=actor.user_id,
                            created_at=clock.now())
        scenario.place_in(actor.unit)
        scenario.save(force_insert=True)
        record(actor=actor, verb="simulation.scenario.create", target=scenario,
               after=snapshot(scenario, exclude=NO_RESULT))
        _enqueue_on_commit(scenario.pk)
    return scenario


def check_run_scenario(*, actor: Actor, scenario_id: int) -> Scenario:
    """The right, a scenario in scope, not waiting or running (unless its run is stale)."""
    actor.require(Right.SIMULATION_RUN)
    scenario = get_scoped(Scenario.objects.select_for_update(), actor, what="scenario",
                          pk=scenario_id)
    busy = scenario.status == ScenarioStatus.QUEUED or (
        scenario.status == ScenarioStatus.RUNNING and scenario.started_at is not None
        and scenario.started_at > clock.now() - STALE_AFTER)
    if busy:
        raise Conflict(_("the scenario is already queued or running"), field="status")
    return scenario


def do_run_scenario(*, actor: Actor, scenario_id: int) -> Scenario:
    """Run a scenario again with its seed (the same numbers come back) after a failure or a
    lost worker; queued after commit."""
    with transaction.atomic():
        scenario = check_run_scenario(actor=actor, scenario_id=scenario_id)
        before = snapshot(scenario, exclude=NO_RESULT)
        scenario.status, scenario.progress, scenario.error = ScenarioStatus.QUEUED, 0, ""
        scenario.result, scenario.started_at, scenario.finished_at = {}, None, None
        scenario.save(update_fields=["status", "progress", "error", "result", "started_at",
                                     "finished_at"])
        record(actor=actor, verb="simulation.scenario.run", target=scenario, before=before,
               after=snapshot(scenario, exclude=NO_RESULT))
        _enqueue_on_commit(scenario.pk)
    return scenario


def do_delete_scenario(*, actor: Actor, scenario_id: int) -> None:
    """Delete a scenario in scope (a run in progress notices and stops)."""
    actor.require(Right.SIMULATION_RUN)
    with transaction.atomic():
        scenario = get_scoped(Scenario.objects.select_for_update(), actor, what="scenario",
                              pk=scenario_id)
        record(actor=actor, verb="simulation.scenario.delete", target=scenario,
               before=snapshot(scenario, exclude=NO_RESULT))
        scenario.delete()


def _enqueue_on_commit(scenario_id: int) -> None:
    def enqueue() -> None:
        from fangkong.simulation.jobs_scenarios import run_scenario  # the job imports runner

        run_scenario(scenario_id)

    transaction.on_commit(enqueue)
