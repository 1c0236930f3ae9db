"""The demo's scenarios: created by the commander at the city, run synchronously, the branching
pair and the agent trio on the city's own residents all done; seeding again adds nothing."""

from __future__ import annotations

import pytest

from fangkong.simulation import demo_scenarios
from fangkong.simulation.models import Scenario
from tests.factories import City, make_user


def test_the_demo_scenarios_run_and_seed_once(city: City,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    make_user("commander", unit=city.unit, roles=["commander"])
    small = [(name, preset, min(runs, 30), days and 20)
             for name, preset, runs, days in demo_scenarios.PLAN]
    monkeypatch.setattr(demo_scenarios, "PLAN", small)
    counts = demo_scenarios.seed_scenarios(seed=5)
    assert counts["scenarios"] == counts["done"] == len(small)
    made = Scenario.objects.order_by("pk")
    assert [s.preset for s in made] == [p for _n, p, _r, _d in small]
    assert all(s.district_id is None and s.created_by is not None for s in made)  # the city
    agents = [s for s in made if s.model == "agents"]
    assert agents and all(s.result["population"] == len(city.districts[0].persons) * 2
                          for s in agents)
    assert agents[0].result["steps"] == 20
    assert demo_scenarios.seed_scenarios(seed=5)["scenarios"] == 0
