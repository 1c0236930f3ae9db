"""Forms of the campaign pages: they parse and type the input; the rules are the actions',
and a ``DomainError`` they raise goes back on the field it names (``add_domain_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.testing.models import POOL_SIZES, SampleKind, SiteKind
from fangkong.web.forms import WHEN, DomainForm

__all__ = ["WHEN", "DomainForm"]
POOL_CHOICES = [(str(n), _("single tube") if n == 1 else f"{n}-in-1") for n in POOL_SIZES]


class CampaignForm(DomainForm):
    code = forms.CharField(label=_("Code"), max_length=12,
                           help_text=_("short, printed on every tube, e.g. R3"))
    name = forms.CharField(label=_("Name"), max_length=128)
    starts_at = forms.DateTimeField(label=_("Start"), widget=WHEN)
    ends_at = forms.DateTimeField(label=_("End"), widget=WHEN)
    default_pool_size = forms.TypedChoiceField(label=_("Default pooling"), coerce=int,
                                               choices=POOL_CHOICES, initial="10")
    target_hours = forms.IntegerField(label=_("Hours to every result"), initial=24,
                                      min_value=1)


class SiteForm(DomainForm):
    code = forms.CharField(label=_("Code"), max_length=8)
    name = forms.CharField(label=_("Name"), max_length=128)
    grid = forms.TypedChoiceField(label=_("Grid"), coerce=int, choices=[])
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    tables = forms.IntegerField(label=_("Tables"), min_value=1, initial=2)
    opens_at = forms.DateTimeField(label=_("Opens"), widget=WHEN)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=WHEN)
    lab = forms.TypedChoiceField(label=_("Lab"), coerce=int, choices=[], required=False,
                                 empty_value=None)
    green_channel = forms.BooleanField(label=_("Green channel"), required=False, initial=True,
                                       help_text=_("a lane for the elderly, children and "
                                                   "the disabled"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args: Any, grids: list[tuple[int, str]], labs: list[tuple[int, str]],
                 edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = grids  # type: ignore[attr-defined]
        self.fields["lab"].choices = [("", "—"), *labs]  # type: ignore[attr-defined]
        if edit:  # code and grid place the site: fixed once added
            del self.fields["code"], self.fields["grid"]

    def action_values(self) -> dict[str, Any]:
        """The cleaned values under the actions' argument names."""
        data = dict(self.cleaned_data)
        renamed = {"grid": "grid_id", "lab": "lab_id"}
        return {renamed.get(k, k): v for k, v in data.items()}


class SlotsForm(DomainForm):
    minutes = forms.IntegerField(label=_("Slot length (minutes)"), initial=60, min_value=1)


class TubesForm(DomainForm):
    count = forms.IntegerField(label=_("Number of tubes"), min_value=1, initial=100)
    capacity = forms.TypedChoiceField(label=_("Pooling"), coerce=int, choices=POOL_CHOICES,
                                      initial="10")
    kind = forms.ChoiceField(label=_("Kind"), choices=SampleKind.choices,
                             initial=SampleKind.SCREENING)
