"""What a scenario is, without Django: its parameters checked field by field against the
model's dataclass, the caps that keep one request from asking for a day of CPU, the presets
a commander starts from, and running it to the bands the page draws.

The page, the API, the job and the command line all go through :func:`parse_params` and
:func:`simulate`, so a scenario means the same everywhere. Errors are :class:`SpecError`
with the field, a code and its values; ``scenarios`` turns them into translated messages."""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fangkong.simulation import compare

if TYPE_CHECKING:
    from fangkong.simulation.population import Population

BRANCHING, AGENTS = "branching", "agents"
MODELS = (BRANCHING, AGENTS)

# Caps per model: a page or API request may not ask for more.
MAX_RUNS = {BRANCHING: 2000, AGENTS: 50}
MAX_DAYS = 180  # agent model
MIN_RESIDENTS, MAX_RESIDENTS = 1_000, 200_000  # a synthetic population for the agent model
MAX_SEED = 2**32 - 1

# Keys kept with the stored parameters that are not fields of the dataclass.
META_KEYS = {AGENTS: frozenset({"quarantine_policy"}), BRANCHING: frozenset()}

# Allowed values of the fields the models know; a field not listed here is still checked
# for its type (and a number for being finite and not negative).
RANGES: dict[str, tuple[float, float]] = {
    "r0": (0.0, 10.0), "dispersion": (0.01, 10.0), "initial_cases": (1, 1000),
    "traced": (0.0, 1.0), "presymptomatic": (0.01, 0.99), "subclinical": (0.0, 1.0),
    "test_delay": (0.0, 30.0), "trace_delay": (0.0, 30.0), "cap_cases": (1, 20_000),
    "cap_days": (119, 730), "days": (1, MAX_DAYS), "initial_infected": (1, 10_000),
    "beta_household": (0.0, 1.0), "beta_venue": (0.0, 1.0), "trace_coverage": (0.0, 1.0),
    "screening_interval": (0, 90), "screening_coverage": (0.0, 1.0), "pool_size": (1, 50),
    "quarantine_days": (0, 28), "seal_days": (0, 90),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "delay": ("short", "long", "none"),
    "delay_sampling": ("paper", "per_case"),
    "seal": ("none", "grid", "community", "street"),
}


class SpecError(ValueError):
    """A bad scenario input: ``field`` names it, ``code`` and ``values`` say what is wrong
    (codes: unknown, type, range, choice, model, and invalid: a rule of the model's own
    checks, whose English text is in ``values["text"]``)."""

    def __init__(self, *, field: str, code: str, **values: Any) -> None:
        self.field, self.code, self.values = field, code, values
        super().__init__(f"{field}: {code} {values}")


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    kind: type  # int, float, bool or str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


def fields_of(model: str) -> list[Field]:
    """The parameters of a model, in the dataclass's order, with their kind and bounds
    (the page's form and the command line's flags are made from these)."""
    cls = model_class(model)
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        if kind not in (int, float, bool, str):
            continue
        low, high = RANGES.get(f.name, (None, None))
        out.append(Field(name=f.name, kind=kind, default=f.default, low=low, high=high,
                         choices=CHOICES.get(f.name, ())))
    return out


def model_class(model: str) -> type:
    """The params dataclass of a model (imported on demand: the branching process needs
    none of the agent model's code)."""
    if model == BRANCHING:
        from fangkong.simulation.branching import BranchingParams

        return BranchingParams
    if model == AGENTS:
        from fangkong.simulation.agents import AgentParams

        return AgentParams
    raise SpecError(field="model", code="model", choices=", ".join(MODELS))


def parse_params(model: str, raw: Mapping[str, Any]) -> Any:
    """The model's params dataclass from ``raw`` (missing keys take the defaults); an unknown
    key, a value of the wrong type or out of its range is a :class:`SpecError`."""
    known = {f.name: f for f in fields_of(model)}
    values = {}
    for key, value in raw.items():
        if key in META_KEYS[model]:
            continue
        if key not in known:
            raise SpecError(field=key, code="unknown", name=key)
        values[key] = _coerce(known[key], value)
    try:
        return model_class(model)(**values)
    except ValueError as exc:  # the dataclass's own checks: "<field> <rule>, got <value>"
        text = str(exc)
        name = text.split(" ", 1)[0]
        raise SpecError(field=name if name in known else "params", code="invalid",
                        text=text) from exc


def _coerce(f: Field, value: Any) -> Any:
    if f.kind is bool:
        if not isinstance(value, bool):
            raise SpecError(field=f.name, code="type", name=f.name, kind="true or false")
        return value
    if f.kind is str:
        if not isinstance(value, str) or (f.choices and value not in f.choices):
            raise SpecError(field=f.name, code="choice", name=f.name,
                            choices=", ".join(f.choices))
        return value
    number = _number(f, value)
    low = 0.0 if f.low is None else f.low
    if number < low or (f.high is not None and number > f.high):
        raise SpecError(field=f.name, code="range", name=f.name, low=_show(low),
                        high="∞" if f.high is None else _show(f.high))
    return number


def _number(f: Field, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        kind = "a whole number" if f.kind is int else "a number"
        raise SpecError(field=f.name, code="type", name=f.name, kind=kind)
    if f.kind is int:
        if value != int(value):
            raise SpecError(field=f.name, code="type", name=f.name, kind="a whole number")
        return int(value)
    return float(value)


def _show(x: float) -> str:
    return f"{x:g}"


def check_size(*, model: str, runs: int, seed: int, residents: int | None = None) -> None:
    """The caps: runs per model, the seed's range, the synthetic population's size."""
    model_class(model)
    if not 1 <= runs <= MAX_RUNS[model]:
        raise SpecError(field="runs", code="range", name="runs", low="1",
                        high=str(MAX_RUNS[model]))
    if not 0 <= seed <= MAX_SEED:
        raise SpecError(field="seed", code="range", name="seed", low="0", high=str(MAX_SEED))
    if residents is not None and not MIN_RESIDENTS <= residents <= MAX_RESIDENTS:
        raise SpecError(field="residents", code="range", name="residents",
                        low=str(MIN_RESIDENTS), high=str(MAX_RESIDENTS))


def stored_params(model: str, params: Any, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every field's value (defaults included, so a later change of a default does not
    change a stored scenario) plus the meta keys given (the quarantine policy's name)."""
    out: dict[str, Any] = dataclasses.asdict(params)
    out.update({k: raw[k] for k in META_KEYS[model] if k in raw})
    return out


def simulate(*, model: str, params: Any, runs: int, seed: int,
             population: Population | None = None, workers: int = 1,
             progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run the scenario ``runs`` times from ``seed`` and summarise it (``compare``): the
    same inputs give the same result, whatever ``workers``."""
    if model == BRANCHING:
        from fangkong.simulation.branching import simulate_branching

        res = simulate_branching(params, runs=runs, seed=seed, progress=progress)
        return compare.branching_summary(
            weekly=res.weekly_cases, cumulative=res.cumulative, controlled=res.controlled,
            effective_r=res.effective_r, runs=runs, seed=seed)
    if population is None:
        raise SpecError(field="population", code="type", name="population",
                        kind="a population")
    from fangkong.simulation.agents import run_many

    done = run_many(population, params, runs=runs, seed=seed, workers=workers,
                    progress=progress)
    return compare.agent_summary(done, population=population.size, runs=runs, seed=seed)


# ------------------------------------------------------------------------------ presets
# Each agent preset changes one lever of the agent baseline, so a comparison with it answers
# one "what if". The baseline: 9th-edition quarantine (7 days), weekly screening in pools of
# 10, 60 % of contacts traced two days after a positive, the grid of a case sealed.
AGENT_BASELINE: dict[str, Any] = {
    "trace_coverage": 0.6, "trace_delay": 2.0, "test_delay": 1.0, "screening_interval": 7,
    "screening_coverage": 0.9, "pool_size": 10, "quarantine_days": 7, "seal": "grid",
    "seal_days": 14,
}
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "hellewell": (BRANCHING, {"r0": 2.5, "initial_cases": 20, "traced": 0.6,
                              "delay": "short", "presymptomatic": 0.15}),
    "hellewell_trace_80": (BRANCHING, {"r0": 2.5, "initial_cases": 20, "traced": 0.8,
                                       "delay": "short", "presymptomatic": 0.15}),
    "test_delay_3": (BRANCHING, {"r0": 2.5, "initial_cases": 20, "traced": 0.8,
                                 "delay": "short", "presymptomatic": 0.15, "test_delay": 3.0}),
    "agents_baseline": (AGENTS, AGENT_BASELINE),
    "trace_faster": (AGENTS, {**AGENT_BASELINE, "trace_delay": 0.5}),
    "test_more_often": (AGENTS, {**AGENT_BASELINE, "screening_interval": 3}),
    "pool_20": (AGENTS, {**AGENT_BASELINE, "pool_size": 20}),
    "quarantine_5": (AGENTS, {**AGENT_BASELINE, "quarantine_days": 5}),
    "seal_wider": (AGENTS, {**AGENT_BASELINE, "seal": "community"}),
}
