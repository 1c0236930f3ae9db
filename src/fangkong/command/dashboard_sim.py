"""The dashboard's "latest scenarios" panel: the viewer's most recent finished simulations with
their headline figure. A scenario is not a figure per street, so it is read from the simulator
(through its own scoping query) rather than kept in the read model."""

from __future__ import annotations

from dataclasses import dataclass

from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.simulation import charts, queries
from fangkong.simulation.models import Scenario, ScenarioStatus, SimModel

LATEST = 5

# The headline of each model: the summary key, its label and its format (``charts.cell``).
HEADLINE: dict[str, tuple[str, str]] = {
    SimModel.BRANCHING: ("controlled", "share"),
    SimModel.AGENTS: ("attack_rate", "percent"),
}


@dataclass(frozen=True)
class ScenarioLine:
    id: int
    name: str
    model: str
    model_label: str
    headline: str  # "87.0 % (80.1–92.3)": the figure with its 95 % interval
    measure: str  # "controlled" or "attack_rate"


def latest_scenarios(actor: Actor, *, limit: int = LATEST) -> list[ScenarioLine] | None:
    """The actor's latest finished scenarios (newest first); None when the actor may not see
    scenarios at all (the panel is then not shown)."""
    if not actor.can(Right.SIMULATION_VIEW):
        return None
    found = queries.scenarios_for(actor, status=ScenarioStatus.DONE).defer(None)[:limit]
    return [_line(s) for s in found]


def _line(scenario: Scenario) -> ScenarioLine:
    key, fmt = HEADLINE.get(scenario.model, ("", ""))
    stat = (scenario.result or {}).get("summary", {}).get(key) if key else None
    return ScenarioLine(id=scenario.pk, name=scenario.name, model=scenario.model,
                        model_label=str(scenario.get_model_display()),  # type: ignore[attr-defined]
                        headline=charts.cell(stat, fmt), measure=key)


def compare_ids(lines: list[ScenarioLine]) -> list[int]:
    """The newest 2–4 scenarios of the newest one's model: what "compare" opens (the
    comparison takes one model at a time); empty when fewer than two share it."""
    if not lines:
        return []
    same = [line.id for line in lines if line.model == lines[0].model][:queries.COMPARE_MAX]
    return same if len(same) >= queries.COMPARE_MIN else []
