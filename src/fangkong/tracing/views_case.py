"""The case page's writes: reclassify, isolation and hospital transfer, the source link, the
interview entries, contact detection and drafting risk points. Each parses its form and calls
one action; a refusal re-renders the case page with the form showing it (422), success
redirects back to the case (post/redirect/get)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.tracing import queries
from fangkong.tracing.actions_cases import (
    do_add_entry,
    do_delete_entry,
    do_link_source,
    do_reclassify_case,
    do_update_case,
)
from fangkong.tracing.actions_risk import do_draft_risk_points
from fangkong.tracing.detection import DetectionResult, do_detect_contacts
from fangkong.tracing.forms import (
    CaseUpdateForm,
    DomainForm,
    EntryForm,
    ReclassifyForm,
    SourceForm,
)
from fangkong.tracing.models import ContactRule, ContactType
from fangkong.tracing.views import case_page_with, venue_choices
from fangkong.web.access import actor_of, needs


def _back(case_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("tracing_case", case_id=case_id)
    response["Location"] += f"#{anchor}" if anchor else ""
    return response


def _refused(request: HttpRequest, case_id: int, name: str, form: DomainForm,
             exc: DomainError | None = None, **extra: Any) -> HttpResponse:
    if exc is not None:
        form.add_domain_error(exc)
    return case_page_with(request, case_id, status=422, **{name: form}, **extra)


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def case_reclassify(request: HttpRequest, case_id: int) -> HttpResponse:
    form = ReclassifyForm(request.POST)
    if not form.is_valid():
        return _refused(request, case_id, "reclassify_form", form)
    try:
        do_reclassify_case(actor=actor_of(request), case_id=case_id,
                           classification=form.cleaned_data["classification"],
                           onset_date=form.cleaned_data["onset_date"])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _refused(request, case_id, "reclassify_form", form, exc)
    messages.success(request, _("Case reclassified."))
    return _back(case_id)


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def case_update(request: HttpRequest, case_id: int) -> HttpResponse:
    form = CaseUpdateForm(request.POST)
    if not form.is_valid():
        return _refused(request, case_id, "update_form", form)
    try:
        do_update_case(actor=actor_of(request), case_id=case_id, **form.values())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _refused(request, case_id, "update_form", form, exc)
    messages.success(request, _("Isolation and transfer saved."))
    return _back(case_id)


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def case_source(request: HttpRequest, case_id: int) -> HttpResponse:
    form = SourceForm(request.POST)
    queries.get_case(actor=actor_of(request), case_id=case_id)  # 404 here, not below
    if not form.is_valid():
        return _refused(request, case_id, "source_form", form)
    try:
        do_link_source(actor=actor_of(request), case_id=case_id,
                       source_case_id=form.cleaned_data["source_case"],
                       note=form.cleaned_data["note"])
    except NotFound:  # the source case: missing or outside the actor's area
        form.add_error("source_case", _("No case of that number in your jurisdiction."))
        return _refused(request, case_id, "source_form", form)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return _refused(request, case_id, "source_form", form, exc)
    messages.success(request, _("Source link saved."))
    return _back(case_id)


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def case_entry(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add one interview entry; ``find`` searches venues without JavaScript."""
    form = EntryForm(request.POST)
    chooser: dict[str, Any] = {"venue_term": request.POST.get("venue_q", "").strip()[:64],
               "chosen_venue": request.POST.get("venue", "")}
    if request.POST.get("find"):
        return case_page_with(request, case_id, entry_form=EntryForm(initial=request.POST.dict()),
                              venues=venue_choices(request, chooser["venue_term"]), **chooser)
    if not form.is_valid():
        return _refused(request, case_id, "entry_form", form, **chooser)
    data = form.cleaned_data
    try:
        do_add_entry(actor=actor_of(request), case_id=case_id, start=data["start"],
                     end=data["end"], place=data["place"], venue_id=data["venue"],
                     transport=data["transport"], companions=data["companions"],
                     note=data["note"])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _refused(request, case_id, "entry_form", form, exc, **chooser)
    messages.success(request, _("Place added to the trajectory."))
    return _back(case_id, "timeline")


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def entry_delete(request: HttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    do_delete_entry(actor=actor_of(request), entry_id=entry_id)
    messages.success(request, _("Place removed from the trajectory."))
    return _back(case_id, "timeline")


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def case_detect(request: HttpRequest, case_id: int) -> HttpResponse:
    """Run the contact engine for this case; the counts are shown once on the case page."""
    try:
        result = do_detect_contacts(actor=actor_of(request), case_id=case_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, _("Contact detection failed: %(reason)s") % {
            "reason": exc.message})
        return _back(case_id)
    request.session[f"tracing.detected.{case_id}"] = detection_summary(result)
    return _back(case_id, "detection")


def detection_summary(result: DetectionResult) -> dict[str, Any]:
    """What the page shows of a run, as plain values (kept in the session until shown):
    one chip per type and rule, in the order close, secondary, companion."""
    types, rules = dict(ContactType.choices), dict(ContactRule.choices)
    order = {t: i for i, t in enumerate(types)}
    keys = sorted(result.counts, key=lambda k: (order.get(k.partition("/")[0], 9), k))
    rows = []
    for key in keys:
        kind, _sep, rule = key.partition("/")
        rows.append({"type": kind, "rule": rule, "count": result.counts[key],
                     "type_label": str(types.get(kind, kind)),
                     "rule_label": str(rules.get(rule, rule))})
    return {"rows": rows, "new": result.new, "updated": result.updated,
            "unchanged": result.unchanged, "skipped": result.skipped,
            "removed": result.removed, "seconds": f"{result.seconds:.1f}"}


@require_POST
@needs(Right.RISKPOINT_PUBLISH)
def case_draft_risk(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        drafted = do_draft_risk_points(actor=actor_of(request), case_id=case_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(case_id, "risk-points")
    messages.success(request, ngettext("%(n)d risk point drafted; a second person reviews it.",
                                       "%(n)d risk points drafted; a second person reviews "
                                       "them.", len(drafted)) % {"n": len(drafted)})
    return _back(case_id, "risk-points")
