"""Forms of the facility, assignment and batch pages: they parse and type the input; the rules
are the actions', and their ``DomainError`` goes back on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import Actor, units_in_scope
from fangkong.core.models import Level
from fangkong.quarantine.facilities import MAX_CAPACITY, MAX_FLOORS, MAX_PER_FLOOR
from fangkong.quarantine.models import DutyRole
from fangkong.web.forms import WHEN, DomainForm

PICKER_LIMIT = 400


class FacilityForm(DomainForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=128)
    unit_id = forms.TypedChoiceField(label=_("Placed at"), coerce=int,
                                     help_text=_("a district or a street"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Duty desk phone"), max_length=20, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = [] if actor.unit is None else (
            units_in_scope(actor).filter(level__in=[Level.DISTRICT, Level.STREET])
            .order_by("code")[:PICKER_LIMIT])
        self.fields["unit_id"].choices = [  # type: ignore[attr-defined]
            (u.pk, ("" if u.level == Level.DISTRICT else "· ") + u.name) for u in units]

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["address"], data["phone"] = data["address"] or "", data["phone"] or ""
        return data


class RoomsForm(DomainForm):
    first_floor = forms.IntegerField(label=_("First floor"), initial=1, min_value=-5,
                                     max_value=200)
    floors = forms.IntegerField(label=_("Floors"), initial=1, min_value=1, max_value=MAX_FLOORS)
    rooms_per_floor = forms.IntegerField(label=_("Rooms per floor"), initial=10, min_value=1,
                                         max_value=MAX_PER_FLOOR)
    capacity = forms.IntegerField(label=_("People per room"), initial=1, min_value=1,
                                  max_value=MAX_CAPACITY,
                                  help_text=_("more than one only for a family kept together"))
    accessible = forms.BooleanField(label=_("Accessible"), required=False)


class ShiftForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=64)
    role = forms.ChoiceField(label=_("Duty"), choices=DutyRole.choices)
    starts_at = forms.DateTimeField(label=_("From"), widget=WHEN)
    ends_at = forms.DateTimeField(label=_("Until"), widget=WHEN)


class BatchForm(DomainForm):
    facility_id = forms.TypedChoiceField(label=_("Facility"), coerce=int)
    vehicle = forms.CharField(label=_("Vehicle"), max_length=32, required=False,
                              help_text=_("plate number"))
    depart_at = forms.DateTimeField(label=_("Departs"), widget=WHEN, required=False)
    order_ids = forms.TypedMultipleChoiceField(label=_("People"), coerce=int,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, facilities: list[tuple[int, str]],
                 orders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility_id"].choices = facilities  # type: ignore[attr-defined]
        self.fields["order_ids"].choices = orders  # type: ignore[attr-defined]
