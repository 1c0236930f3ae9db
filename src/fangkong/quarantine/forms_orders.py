"""Forms of the order pages: they parse and type the input; the rules are the actions', and
a ``DomainError`` goes back on the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.quarantine.care import SYMPTOMS
from fangkong.quarantine.models import OrderReason, OrderStatus
from fangkong.web.forms import WHEN, DomainForm

REASONS = [(r.value, r.label) for r in OrderReason if r != OrderReason.OTHER]


class OrderFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("open")), ("all", _("all")),
                                        *OrderStatus.choices])
    reason = forms.ChoiceField(label=_("Reason"), required=False,
                               choices=[("", _("any")), *REASONS])
    facility = forms.IntegerField(label=_("Facility"), required=False, min_value=1)
    grid = forms.IntegerField(label=_("Grid"), required=False, min_value=1)


class PersonOrderForm(DomainForm):
    person_id = forms.IntegerField(label=_("Person number"), min_value=1)
    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS)
    exposure_at = forms.DateTimeField(label=_("Last exposure"), widget=WHEN, required=False,
                                      help_text=_("empty when unknown: day 1 is today"))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class CheckForm(DomainForm):
    temperature = forms.DecimalField(label=_("Temperature (°C)"), max_digits=3,
                                     decimal_places=1)
    symptoms = forms.MultipleChoiceField(label=_("Symptoms"), required=False,
                                         choices=list(SYMPTOMS.items()),
                                         widget=forms.CheckboxSelectMultiple)
    mood = forms.TypedChoiceField(label=_("Mood"), coerce=int, initial=4, choices=[
        (1, _("1 very low")), (2, _("2 low")), (3, _("3 fair")), (4, _("4 fine")),
        (5, _("5 good"))])
    needs_support = forms.BooleanField(label=_("Asks for psychological support"),
                                       required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CancelForm(DomainForm):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=2000,
                             widget=forms.TextInput(attrs={"placeholder": _("why")}))
