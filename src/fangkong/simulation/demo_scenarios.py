"""The demo's scenarios: Hellewell's baseline against tracing 80 % of contacts (branching
process), and on the demo city's own residents the city baseline against tracing faster and
pooling 20 instead of 10 (agent model), created by the commander and run here, synchronously
and small, so the simulator's list and comparison are not empty. A worker that also picks the
jobs up finds them done. Seeded once: a scenario whose name exists at the city is skipped."""

from __future__ import annotations

import time

from django.contrib.auth.models import User

from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.simulation import runner, scenarios, spec
from fangkong.simulation.models import Scenario, ScenarioStatus

# (name, preset, runs, days of the agent model)
PLAN = [
    ("Hellewell 基线（追踪 60% 密接）", "hellewell", 500, None),
    ("追踪 80% 密接", "hellewell_trace_80", 500, None),
    ("本市基线", "agents_baseline", 8, 90),
    ("加快流调", "trace_faster", 8, 90),
    ("20 混 1 替代 10 混 1", "pool_20", 8, 90),
]


def _actor() -> Actor | None:
    """The demo's commander, or (before the logins exist) the city as the system."""
    user = User.objects.filter(username="commander").first()
    if user is not None:
        actor = actor_for(user)
        if actor.can(Right.SIMULATION_RUN) and actor.unit is not None:
            return actor
    city = AdminUnit.objects.filter(level=Level.CITY).order_by("pk").first()
    if city is None:
        return None
    return Actor(user_id=None, username=runner.SYSTEM_NAME, unit=city,
                 rights=frozenset({Right.SIMULATION_VIEW, Right.SIMULATION_RUN}))


def seed_scenarios(*, seed: int = 2022) -> dict[str, int]:
    """Create and run the plan's scenarios from ``seed``; counts of made and done."""
    started = time.monotonic()
    actor = _actor()
    if actor is None or actor.unit is None:
        return {"scenarios": 0, "done": 0, "seconds": 0}
    existing = set(Scenario.objects.filter(unit=actor.unit).values_list("name", flat=True))
    made = []
    for name, preset, runs, days in PLAN:
        if name in existing:
            continue
        model, params = spec.PRESETS[preset]
        params = {**params, **({"days": days} if days else {})}
        scenario = scenarios.do_create_scenario(actor=actor, name=name, model=model,
                                                params=params, runs=runs, seed=seed,
                                                preset=preset)
        made.append(runner.do_execute_scenario(scenario_id=scenario.pk))
    return {"scenarios": len(made),
            "done": sum(1 for s in made if s is not None and s.status == ScenarioStatus.DONE),
            "seconds": round(time.monotonic() - started)}
