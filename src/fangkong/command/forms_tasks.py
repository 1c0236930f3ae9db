"""Forms of the directive and task pages: they parse and type the input; the rules are the
actions', and a ``DomainError`` goes back on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.command.directives import TARGET_LEVELS, DirectiveInput
from fangkong.command.models import Group
from fangkong.command.task_actions import FILE_MAX, NOTE_MAX
from fangkong.core.jurisdiction import Actor, within
from fangkong.core.models import AdminUnit, Level
from fangkong.web.forms import WHEN, DomainForm
from fangkong.web.templatetags.fk import unit_name


def receivers(actor: Actor) -> list[AdminUnit]:
    """Districts and streets strictly below the actor's HQ, in tree order."""
    if actor.unit is None:
        return []
    return list(within(AdminUnit.objects.filter(level__in=TARGET_LEVELS,
                                                level__gt=actor.unit.level), actor.unit)
                .order_by("code"))


class DirectiveForm(DomainForm):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(label=_("Instructions"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5}))
    group = forms.ChoiceField(label=_("Working group"), choices=Group.choices)
    deadline = forms.DateTimeField(label=_("Deadline"), widget=WHEN)
    unit_ids = forms.TypedMultipleChoiceField(
        label=_("Receiving units"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple)
    all_streets_of = forms.TypedChoiceField(
        label=_("…or every street of a district"), coerce=int, required=False,
        empty_value=None)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = receivers(actor)
        self.fields["unit_ids"].choices = [  # type: ignore[attr-defined]
            (u.pk, f"{'— ' if u.level == Level.STREET else ''}{unit_name(u)}") for u in units]
        districts = [u for u in units if u.level == Level.DISTRICT]
        if actor.unit is not None and actor.unit.level == Level.DISTRICT:
            districts = [actor.unit]
        self.fields["all_streets_of"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *[(u.pk, unit_name(u)) for u in districts]]

    def data_input(self) -> DirectiveInput:
        data = self.cleaned_data
        return DirectiveInput(title=data["title"], body=data.get("body") or "",
                              group=data["group"], deadline=data["deadline"],
                              unit_ids=tuple(data.get("unit_ids") or ()),
                              all_streets_of=data.get("all_streets_of"))


class ProgressForm(DomainForm):
    progress = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)


class EvidenceForm(DomainForm):
    note = forms.CharField(label=_("Evidence note"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("pdf, png, jpeg, xlsx, csv or docx, at most 5 MB"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > FILE_MAX:
            raise forms.ValidationError(_("the file is larger than 5 MB"))
        return upload


class CloseForm(DomainForm):
    note = forms.CharField(label=_("Closing note"), max_length=NOTE_MAX, required=False)


class ReopenForm(DomainForm):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=NOTE_MAX)
