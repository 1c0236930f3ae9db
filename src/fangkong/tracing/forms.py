"""Forms of the tracing pages: they parse and type the input and name the field that is wrong.
The rules (one case per person, onset dates, no cycles of source links, which status may follow
which, what a transfer needs) are the actions'; a ``DomainError`` they raise is put back on the
field it names by ``add_domain_error``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.errors import DomainError
from fangkong.tracing.models import (
    Classification,
    ContactStatus,
    ContactType,
    Disposition,
    FoundIn,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _when(label: StrOrPromise, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DATETIME_WIDGET)


def _day(label: StrOrPromise, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET)


class DomainForm(forms.Form):
    """A form that can carry an action's refusal on the field it names."""

    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        if field is None and exc.field and exc.field.removesuffix("_id") in self.fields:
            field = exc.field.removesuffix("_id")
        self.add_error(field, exc.message)

    def values(self) -> dict[str, Any]:
        """Cleaned values with empty strings and missing choices left out."""
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class RegisterCaseForm(DomainForm):
    person = forms.IntegerField(label=_("Person"), min_value=1, widget=forms.HiddenInput,
                                error_messages={"required": _("Choose the person by searching "
                                                              "the registry.")})
    classification = forms.ChoiceField(label=_("Classification"),
                                       choices=Classification.choices)
    onset_date = _day(_("Onset date"))
    sample_date = _day(_("Sample date"), required=True)
    result_at = _when(_("Positive result reported"), required=True)
    found_in = forms.ChoiceField(label=_("Found"), choices=FoundIn.choices,
                                 initial=FoundIn.COMMUNITY, widget=forms.RadioSelect)


class ReclassifyForm(DomainForm):
    classification = forms.ChoiceField(label=_("Classification"),
                                       choices=Classification.choices)
    onset_date = _day(_("Onset date"))


class CaseUpdateForm(DomainForm):
    """Isolation and the hospital transfer (应转尽转); only the fields given are changed."""

    isolated_at = _when(_("Isolated at"))
    found_in = forms.ChoiceField(label=_("Found"), choices=[("", "—"), *FoundIn.choices],
                                 required=False)
    hospital = forms.CharField(label=_("Hospital"), max_length=128, required=False)
    transfer_requested_at = _when(_("Transfer requested at"))
    hospital_admitted_at = _when(_("Admitted to hospital at"))


class SourceForm(DomainForm):
    source_case = forms.CharField(label=_("Source case number"), required=False, max_length=12,
                                  help_text=_("Leave empty to remove the link."))
    note = forms.CharField(label=_("How the link was found"), required=False, max_length=200)

    def clean_source_case(self) -> int | None:
        raw = self.cleaned_data["source_case"].strip().lstrip("#")
        if not raw:
            return None
        if not raw.isdigit():
            raise forms.ValidationError(_("Give the case number, e.g. 12."))
        return int(raw)


class EntryForm(DomainForm):
    """One place and time told in the interview."""

    start = _when(_("Start time"), required=True)
    end = _when(_("End time"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    venue = forms.IntegerField(label=_("Venue"), min_value=1, required=False,
                               widget=forms.HiddenInput)
    transport = forms.CharField(label=_("Transport"), max_length=120, required=False)
    companions = forms.CharField(label=_("Companions named"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("venue") and "place" not in self.errors:
            self.add_error("place", _("Name the place or choose a venue."))
        return data


class AdvanceForm(DomainForm):
    """Move a contact one step on its way to control."""

    to_status = forms.ChoiceField(label=_("Step"), choices=[
        c for c in ContactStatus.choices if c[0] != ContactStatus.IDENTIFIED])
    disposition = forms.ChoiceField(label=_("Disposition"),
                                    choices=[("", "—"), *Disposition.choices], required=False)
    destination = forms.CharField(label=_("Destination"), max_length=200, required=False)


class ContactFilter(forms.Form):
    """The contacts list's filters; bad values fall back to 'all' rather than an error."""

    status = forms.ChoiceField(choices=[("", _("All statuses")), *ContactStatus.choices],
                               required=False)
    type = forms.ChoiceField(choices=[("", _("All types")), *ContactType.choices],
                             required=False)
    overdue = forms.BooleanField(required=False)

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else self.fields[name].initial

