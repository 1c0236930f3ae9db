"""Scenario actions and their job: a bad parameter is refused naming the field, with nothing
written; runs are capped per model; each write has its audit row; the job runs the model and
stores the bands; the same seed gives the same numbers; the second district sees nothing.
``sim_users`` and ``make`` are shared with the page, API and browser tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from fangkong.core import clock, jobs
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AuditLog
from fangkong.simulation import queries, runner, scenarios
from fangkong.simulation.models import Scenario, ScenarioStatus
from tests.factories import City, make_user

Capture = Callable[..., Any]


def sim_users(city: City) -> dict[str, User]:
    """A commander in district 1, an officer in district 2, a viewer, the city admin."""
    d1, d2 = city.districts
    return {
        "commander1": make_user("commander1", unit=d1.unit, roles=["commander"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "viewer1": make_user("viewer1", unit=d1.unit, roles=["viewer"]),
        "admin": make_user("admin", unit=city.unit, roles=["city_admin"]),
    }


def make(actor: Actor, **fields: Any) -> Scenario:
    """A small branching scenario (fast) with ``fields`` overriding the defaults."""
    values: dict[str, Any] = {"name": "Baseline", "model": "branching",
                              "params": {"traced": 0.6, "cap_days": 140}, "runs": 40, "seed": 7}
    values.update(fields)
    return scenarios.do_create_scenario(actor=actor, **values)


@pytest.fixture
def people(city: City) -> dict[str, Actor]:
    return {name: actor_for(user) for name, user in sim_users(city).items()}


def test_create_queues_runs_and_stores_the_bands(
        people: dict[str, Actor], django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = make(people["commander1"])
    s = Scenario.objects.get(pk=made.pk)
    assert s.status == ScenarioStatus.DONE and s.progress == 100 and s.finished_at
    assert s.district_id == people["commander1"].unit.pk  # type: ignore[union-attr]
    assert s.params["traced"] == 0.6 and s.params["r0"] == 2.5  # defaults stored too
    band = s.result["series"]["new_infections"]
    assert len(band["p5"]) == s.result["steps"] == 140 // 7 + 1
    assert all(a <= b <= c for a, b, c in zip(band["p5"], band["p50"], band["p95"],
                                              strict=True))
    controlled = s.result["summary"]["controlled"]
    assert controlled["n"] == 40 and controlled["low"] <= controlled["value"] <= controlled["high"]
    verbs = list(AuditLog.objects.filter(target_id=str(s.pk)).order_by("pk")
                 .values_list("verb", flat=True))
    assert verbs == ["simulation.scenario.create", "simulation.scenario.done"]


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(
        people: dict[str, Actor], django_capture_on_commit_callbacks: Capture) -> None:
    boss = people["commander1"]
    with django_capture_on_commit_callbacks(execute=True):
        a = make(boss, seed=11)
        b = make(boss, seed=11, name="Again")
        c = make(boss, seed=12, name="Other seed")
    first = Scenario.objects.get(pk=a.pk).result
    assert first == Scenario.objects.get(pk=b.pk).result
    assert first["series"] != Scenario.objects.get(pk=c.pk).result["series"]
    with django_capture_on_commit_callbacks(execute=True):
        scenarios.do_run_scenario(actor=boss, scenario_id=a.pk)
    assert Scenario.objects.get(pk=a.pk).result == first
    assert AuditLog.objects.filter(verb="simulation.scenario.run", target_id=str(a.pk)).exists()


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"params": {"traced": 1.5}}, "traced", "between 0 and 1"),
    ({"params": {"tracing": 0.5}}, "tracing", "unknown parameter"),
    ({"params": {"delay": "soon"}}, "delay", "one of: short, long, none"),
    ({"params": {"initial_cases": 2.5}}, "initial_cases", "a whole number"),
    ({"params": {"quarantine": "yes"}}, "quarantine", "true or false"),
    ({"runs": 2001}, "runs", "between 1 and 2000"),
    ({"runs": 0}, "runs", "between 1 and 2000"),
    ({"model": "agents", "runs": 51}, "runs", "between 1 and 50"),
    ({"model": "agents", "runs": 2, "params": {"days": 365}}, "days", "between 1 and 180"),
    ({"model": "agents", "runs": 2, "residents": 5_000_000}, "residents", "200000"),
    ({"model": "sir"}, "model", "unknown model"),
    ({"name": "  "}, "name", "name"),
    ({"seed": -1}, "seed", "between 0"),
])
def test_bad_input_names_the_field_and_writes_nothing(
        people: dict[str, Actor], fields: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(DomainError) as caught:
        make(people["commander1"], **fields)
    assert caught.value.field == field and words in caught.value.message
    assert not Scenario.objects.exists() and not AuditLog.objects.exists()


def test_the_quarantine_days_come_from_the_policy_version(people: dict[str, Actor]) -> None:
    boss = people["commander1"]
    versions = {v.name: v for v in queries.quarantine_versions()}
    assert versions["9th edition"].centralised_days == 7
    assert versions["20 measures"].centralised_days == 5
    draft = scenarios.check_create_scenario(
        actor=boss, name="5 days", model="agents", runs=2, seed=1,
        params={"quarantine_policy": "20 measures"})
    assert draft.params["quarantine_days"] == 5
    assert draft.params["quarantine_policy"] == "20 measures"
    with pytest.raises(DomainError) as caught:
        scenarios.check_create_scenario(actor=boss, name="x", model="agents", runs=2, seed=1,
                                        params={"quarantine_policy": "20 measures",
                                                "quarantine_days": 7})
    assert caught.value.field == "quarantine_days"
    with pytest.raises(DomainError) as unknown:
        scenarios.check_create_scenario(actor=boss, name="x", model="agents", runs=2, seed=1,
                                        params={"quarantine_policy": "10th edition"})
    assert unknown.value.field == "quarantine_policy"


def test_rights_and_the_second_district(
        people: dict[str, Actor], django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = make(people["commander1"])
    with pytest.raises(PermissionDenied):
        make(people["viewer1"])
    other = people["officer2"]
    assert not queries.scenarios_for(other).exists()
    for attempt in (lambda: queries.scenario_for(other, scenario_id=made.pk),
                    lambda: scenarios.do_run_scenario(actor=other, scenario_id=made.pk),
                    lambda: scenarios.do_delete_scenario(actor=other, scenario_id=made.pk)):
        with pytest.raises(NotFound):
            attempt()
    assert queries.scenario_for(people["admin"], scenario_id=made.pk).pk == made.pk
    scenarios.do_delete_scenario(actor=people["commander1"], scenario_id=made.pk)
    assert not Scenario.objects.exists()
    assert AuditLog.objects.filter(verb="simulation.scenario.delete",
                                   district_id=made.district_id).exists()


def test_a_queued_scenario_is_not_run_twice_but_a_stale_run_is(
        people: dict[str, Actor]) -> None:
    boss = people["commander1"]
    made = make(boss)  # no commit in this test: the job was not run
    with pytest.raises(Conflict):
        scenarios.do_run_scenario(actor=boss, scenario_id=made.pk)
    Scenario.objects.filter(pk=made.pk).update(
        status=ScenarioStatus.RUNNING, started_at=clock.now() - dt.timedelta(hours=2))
    assert scenarios.do_run_scenario(actor=boss, scenario_id=made.pk).status == "queued"


def test_a_running_scenario_is_taken_over_only_by_a_redelivered_job(
        people: dict[str, Actor]) -> None:
    """A worker killed mid-run leaves the scenario "running"; the job queued again for it
    (core/jobs.py) runs it to the end, while a second copy of a live job leaves it alone."""
    made = make(people["commander1"])  # no commit in this test: the job was not run
    Scenario.objects.filter(pk=made.pk).update(status=ScenarioStatus.RUNNING,
                                               started_at=clock.now(), progress=30)
    assert runner.do_execute_scenario(scenario_id=made.pk).status == "running"  # type: ignore[union-attr]
    token = jobs._redelivery.set(True)
    try:
        done = runner.do_execute_scenario(scenario_id=made.pk)
    finally:
        jobs._redelivery.reset(token)
    assert done is not None and done.status == ScenarioStatus.DONE and done.progress == 100


def test_a_failed_run_keeps_its_error(people: dict[str, Actor]) -> None:
    made = make(people["commander1"])
    Scenario.objects.filter(pk=made.pk).update(params={"traced": "broken"})
    done = runner.do_execute_scenario(scenario_id=made.pk)
    assert done is not None and done.status == ScenarioStatus.FAILED
    assert "traced" in done.error and done.result == {}
    assert runner.do_execute_scenario(scenario_id=made.pk).status == "failed"  # type: ignore[union-attr]


def test_a_deleted_scenario_stops_its_run(people: dict[str, Actor],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    made = make(people["commander1"], runs=400, params={"traced": 0.2, "cap_days": 140})

    def delete_midway(scenario: Scenario, **kwargs: Any) -> dict[str, Any]:
        Scenario.objects.filter(pk=scenario.pk).delete()
        kwargs["progress"](200)
        raise AssertionError("the progress callback should have stopped the run")

    monkeypatch.setattr(runner, "execute", delete_midway)
    assert runner.do_execute_scenario(scenario_id=made.pk) is None
    assert not Scenario.objects.exists()
