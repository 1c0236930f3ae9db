"""The scenario form: its parameter fields are made from the model's params dataclass
(``spec.fields_of``), so a field the model gains shows up without a change here; a preset
fills the initial values. The rules stay the action's: an error it raises lands on the field
it names (``DomainForm``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import Actor
from fangkong.simulation import queries, scenarios, spec
from fangkong.simulation.models import Scenario
from fangkong.web.forms import DomainForm

LABELS: dict[str, Any] = {
    "r0": _("R0 (reproduction number without control)"),
    "dispersion": _("Dispersion k (superspreading)"),
    "initial_cases": _("Initial cases"),
    "traced": _("Share of contacts traced"),
    "delay": _("Onset to isolation"),
    "delay_sampling": _("Delay drawn"),
    "presymptomatic": _("Share of transmission before symptoms"),
    "subclinical": _("Share of infections without symptoms"),
    "quarantine": _("Traced contacts quarantined before symptoms"),
    "test_delay": _("Test delay (days from onset to a result)"),
    "trace_delay": _("Trace delay (days to quarantine the contacts)"),
    "cap_cases": _("Stop a run at this many cases"),
    "cap_days": _("Stop a run after this many days"),
    "days": _("Days simulated"),
    "initial_infected": _("Initially infected"),
    "beta_household": _("Infection chance per day in the household"),
    "beta_venue": _("Infection chance per shared venue visit"),
    "trace_coverage": _("Share of contacts found"),
    "screening_interval": _("Days between mass screening rounds (0: none)"),
    "screening_coverage": _("Share of residents sampled in a round"),
    "pool_size": _("Samples per pooled tube"),
    "quarantine_days": _("Quarantine days"),
    "seal": _("Seal around a detected case"),
    "seal_days": _("Days an area stays sealed"),
}
CHOICE_LABELS: dict[str, Any] = {
    "short": _("short (mean 3.8 days)"), "long": _("long (mean 8.4 days)"),
    "none": _("none"), "grid": _("the grid"), "community": _("the community"),
    "street": _("the street"),
    "paper": _("once per run and generation (as published)"),
    "per_case": _("for each case"),
}
PRESET_LABELS: dict[str, Any] = {
    "hellewell": _("Hellewell baseline: R0 2.5, 20 cases, 60 % traced"),
    "hellewell_trace_80": _("Trace more: 80 % traced"),
    "test_delay_3": _("Test 3 days late (Kretzschmar)"),
    "agents_baseline": _("City baseline: 7-day quarantine, weekly screening, pools of 10"),
    "trace_faster": _("Trace faster: contacts in half a day, not two"),
    "test_more_often": _("Test more often: every 3 days, not 7"),
    "pool_20": _("Pool 20 instead of 10"),
    "quarantine_5": _("Quarantine 5 days instead of 7"),
    "seal_wider": _("Seal a wider area: the community, not the grid"),
}
DEFAULT_RUNS = {spec.BRANCHING: 500, spec.AGENTS: 10}


def _param_field(f: spec.Field) -> forms.Field:
    label = LABELS.get(f.name, f.name)
    if f.kind is bool:
        return forms.BooleanField(label=label, required=False)
    if f.choices:
        return forms.ChoiceField(label=label, required=False,
                                 choices=[(c, CHOICE_LABELS.get(c, c)) for c in f.choices])
    if f.kind is str:
        return forms.CharField(label=label, required=False)
    attrs = {"step": "1" if f.kind is int else "any"}
    attrs.update({k: f"{v:g}" for k, v in (("min", f.low), ("max", f.high)) if v is not None})
    if f.kind is int:
        return forms.IntegerField(label=label, required=False,
                                  widget=forms.NumberInput(attrs=attrs))
    return forms.FloatField(label=label, required=False, widget=forms.NumberInput(attrs=attrs))


class ScenarioForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=scenarios.NAME_MAX)
    model = forms.ChoiceField(choices=[(m, m) for m in spec.MODELS], widget=forms.HiddenInput)
    preset = forms.CharField(required=False, widget=forms.HiddenInput)
    runs = forms.IntegerField(label=_("Runs"))
    seed = forms.IntegerField(label=_("Seed"), min_value=0)

    def __init__(self, *args: Any, model: str, preset: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_name = model
        self.param_names = [f.name for f in spec.fields_of(model)]
        if model == spec.AGENTS:
            self._agent_fields()
        initial: dict[str, Any] = {f.name: f.default for f in spec.fields_of(model)}
        initial.update(spec.PRESETS[preset][1] if preset in spec.PRESETS else {})
        for f in spec.fields_of(model):
            self.fields[f.name] = _param_field(f)
        self.initial.update({**initial, "model": model, "preset": preset,
                             "runs": DEFAULT_RUNS[model], "seed": 1,
                             "name": PRESET_LABELS.get(preset, "")})

    def _agent_fields(self) -> None:
        self.fields["residents"] = forms.IntegerField(
            label=_("Synthetic residents (empty: the residents of your unit)"),
            required=False, min_value=0)
        versions = queries.quarantine_versions()
        self.fields["quarantine_policy"] = forms.ChoiceField(
            label=_("Quarantine days of a policy version"), required=False,
            choices=[("", _("— set the days below —"))] + [
                (v.name, _("%(name)s: %(c)s days centralised + %(h)s at home")
                 % {"name": v.name, "c": v.centralised_days, "h": v.home_days})
                for v in versions])

    def param_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.param_names]

    def create(self, *, actor: Actor) -> Scenario | None:
        return self.submit(self._create, actor=actor)

    def _create(self, *, actor: Actor, name: str, model: str, runs: int, seed: int,
                preset: str = "", residents: int | None = None, quarantine_policy: str = "",
                **params: Any) -> Scenario:
        params = {k: v for k, v in params.items() if v not in (None, "")}  # empty: default
        if quarantine_policy:
            params["quarantine_policy"] = quarantine_policy
            params.pop("quarantine_days", None)  # the version decides
        return scenarios.do_create_scenario(actor=actor, name=name, model=model, runs=runs,
                                            seed=seed, residents=residents or None,
                                            preset=preset, params=params)
