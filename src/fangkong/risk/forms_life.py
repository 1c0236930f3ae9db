"""Forms of the pages of life in an area: they parse and type the input; the rules are the
actions', and a ``DomainError`` goes back on the field it names (``DomainForm``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.risk.models import CareStatus, PassPurpose, Priority, RequestKind
from fangkong.web.forms import WHEN, DomainForm

Choices = list[tuple[Any, str]]


class RequestForm(DomainForm):
    household_id = forms.TypedChoiceField(label=_("Household"), coerce=int, choices=[])
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestKind.choices)
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, required=False, empty_value=None,
        choices=[("", _("by kind")), *Priority.choices])
    details = forms.CharField(label=_("Details"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, households: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household_id"].choices = households  # type: ignore[attr-defined]


class ResidentRequestForm(DomainForm):
    kind = forms.ChoiceField(label=_("What do you need?"), choices=RequestKind.choices,
                             widget=forms.RadioSelect)
    details = forms.CharField(label=_("Details"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("what, how much, for whom; no ID numbers"))
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CareForm(DomainForm):
    person_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("How is the person?"), choices=CareStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    request_kind = forms.ChoiceField(
        label=_("Open a request"), required=False,
        choices=[("", _("no request")), *RequestKind.choices])

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["request_kind"] = data.get("request_kind") or None
        return data


class PassForm(DomainForm):
    household_id = forms.TypedChoiceField(label=_("Household"), coerce=int, choices=[])
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PassPurpose.choices)
    holder_id = forms.TypedChoiceField(label=_("Holder"), coerce=int, required=False,
                                       empty_value=None, choices=[])
    valid_from = forms.DateTimeField(label=_("Valid from"), required=False, widget=WHEN,
                                     help_text=_("empty: now"))

    def __init__(self, *args: Any, households: Choices, holders: Choices,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household_id"].choices = households  # type: ignore[attr-defined]
        self.fields["holder_id"].choices = [("", "—"), *holders]  # type: ignore[attr-defined]
