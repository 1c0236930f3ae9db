"""Forms of the risk-area pages: they parse and type the input, the actions hold the rules,
and a ``DomainError`` goes back on the field it names. Pickers list what is in the actor's
scope (communities and grids, buildings, recent cases), capped so a page stays small."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import Actor, scope, units_in_scope
from fangkong.core.models import Level
from fangkong.registry.models import Building
from fangkong.risk.models import RiskLevel
from fangkong.tracing.models import Case
from fangkong.web.forms import WHEN, DomainForm

PICKER_LIMIT = 400
CASE_LIMIT = 200


class DesignateForm(DomainForm):
    level = forms.ChoiceField(label=_("Level"), choices=RiskLevel.choices)
    unit_id = forms.TypedChoiceField(label=_("Community or grid"), coerce=int, required=False,
                                     empty_value=None)
    building_id = forms.TypedChoiceField(label=_("or one building"), coerce=int,
                                         required=False, empty_value=None)
    name = forms.CharField(label=_("Public wording"), max_length=200,
                           help_text=_("as the public notice names the area"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    case_ids = forms.TypedMultipleChoiceField(label=_("Cases"), coerce=int, required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 6}))
    started_at = forms.DateTimeField(label=_("In force from"), widget=WHEN, required=False,
                                     help_text=_("empty: now"))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [("", "—"), *unit_choices(actor)]  # type: ignore[attr-defined]
        self.fields["building_id"].choices = [("", "—"), *building_choices(actor)]  # type: ignore[attr-defined]
        self.fields["case_ids"].choices = case_choices(actor)  # type: ignore[attr-defined]

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["case_ids"] = list(data.get("case_ids") or [])
        if data.get("started_at") is None:
            data.pop("started_at", None)
        return data


def unit_choices(actor: Actor) -> list[tuple[int, str]]:
    if actor.unit is None:
        return []
    units = (units_in_scope(actor).filter(level__in=[Level.COMMUNITY, Level.GRID])
             .order_by("code")[:PICKER_LIMIT])
    return [(u.pk, ("" if u.level == Level.COMMUNITY else "· ") + u.name) for u in units]


def building_choices(actor: Actor) -> list[tuple[int, str]]:
    rows = scope(Building.objects.select_related("grid"), actor).order_by("grid__code", "pk")
    return [(b.pk, f"{b.name} ({b.grid.name if b.grid else ''})") for b in rows[:PICKER_LIMIT]]


def case_choices(actor: Actor) -> list[tuple[int, str]]:
    """Recent cases in scope by number and report day (no personal data in the picker)."""
    rows = scope(Case.objects.select_related("grid"), actor).order_by("-result_at")
    return [(c.pk, f"#{c.pk} · {timezone.localtime(c.result_at):%Y-%m-%d} · "
                   f"{c.grid.name if c.grid else ''}") for c in rows[:CASE_LIMIT]]


class RaiseForm(DomainForm):
    level = forms.ChoiceField(label=_("Raise to"), choices=RiskLevel.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LinkCaseForm(DomainForm):
    case_id = forms.IntegerField(label=_("Case number"), min_value=1)


class GateForm(DomainForm):
    name = forms.CharField(label=_("Gate name"), max_length=100)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)


class DecideForm(DomainForm):
    approve = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
