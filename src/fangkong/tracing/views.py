"""Tracing pages: the cases list with the register form, the case page (details, interview,
merged timeline, contacts, risk points) and the person and venue choosers. Thin: each view
declares its right (``@needs``), parses a form and calls one ``tracing.queries`` read or one
action; scoping, rules and the audit row are theirs. The case page's writes are in
``views_case``, contacts in ``views_contacts``, risk points in ``views_risk``, charts in
``views_charts``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.registry import queries as registry_queries
from fangkong.registry.queries import Page
from fangkong.tracing import queries
from fangkong.tracing.actions_cases import do_register_case
from fangkong.tracing.forms import (
    CaseUpdateForm,
    EntryForm,
    ReclassifyForm,
    RegisterCaseForm,
    SourceForm,
)
from fangkong.tracing.models import Case, Classification, ContactType
from fangkong.web.access import actor_of, int_param, needs

PAGE_SIZE = 50
PICK_SIZE = 8
CONTACT_ROWS = 200  # rows of a case's contacts shown before "show all"


def page_of(rows: list[Any], size: int | None = None) -> Page[Any]:
    """Rows fetched with ``limit=size + 1``: the extra row only says there is a next page."""
    size = PAGE_SIZE if size is None else size
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_after=rows[-1].pk if more and rows else None)


# ---------------------------------------------------------------- cases list and register


@needs(Right.TRACING_VIEW)
def cases_page(request: HttpRequest) -> HttpResponse:
    return _cases_page(request, form=RegisterCaseForm())


def _cases_page(request: HttpRequest, *, form: RegisterCaseForm, status: int = 200,
                **extra: Any) -> HttpResponse:
    actor = actor_of(request)
    q = request.GET.get("q", "").strip()[:64]
    classification = request.GET.get("classification", "")
    classification = classification if classification in Classification.values else ""
    rows = queries.cases_for(actor=actor, after=int_param(request, "after"), q=q,
                             classification=classification, limit=PAGE_SIZE + 1)
    context = {"page": page_of(rows), "q": q, "classification": classification,
               "classifications": Classification.choices, "form": form,
               "can_investigate": actor.can(Right.TRACING_INVESTIGATE),
               "person_term": "", "chosen_person": form.data.get("person", ""), **extra}
    return render(request, "tracing/cases.html", context, status=status)


@require_POST
@needs(Right.TRACING_INVESTIGATE)
def case_register(request: HttpRequest) -> HttpResponse:
    form = RegisterCaseForm(request.POST)
    if request.POST.get("find"):  # the chooser without JavaScript: search, keep the form
        term = request.POST.get("person_q", "").strip()[:64]
        return _cases_page(request, form=RegisterCaseForm(initial=request.POST.dict()),
                           person_term=term, people=person_choices(request, term))
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = do_register_case(
                actor=actor_of(request), person_id=data["person"],
                classification=data["classification"], sample_date=data["sample_date"],
                result_at=data["result_at"], onset_date=data["onset_date"],
                found_in=data["found_in"])
        except NotFound:
            form.add_error("person", _("That person is not in your jurisdiction."))
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Case #%(id)s registered.") % {"id": case.pk})
            return redirect("tracing_case", case_id=case.pk)
    return _cases_page(request, form=form, status=422)


def person_choices(request: HttpRequest, term: str) -> list[Any]:
    if not term:
        return []
    return registry_queries.search_persons(actor=actor_of(request), term=term,
                                           size=PICK_SIZE).items


@needs(Right.TRACING_INVESTIGATE)
def pick_person(request: HttpRequest) -> HttpResponse:
    """The register form's person chooser (htmx swaps it in as one types)."""
    term = request.GET.get("person_q", "").strip()[:64]
    return render(request, "tracing/_pick_person.html",
                  {"person_term": term, "people": person_choices(request, term)})


@needs(Right.TRACING_INVESTIGATE)
def pick_venue(request: HttpRequest) -> HttpResponse:
    """The interview form's venue chooser."""
    term = request.GET.get("venue_q", "").strip()[:64]
    return render(request, "tracing/_pick_venue.html",
                  {"venue_term": term, "venues": venue_choices(request, term)})


def venue_choices(request: HttpRequest, term: str) -> list[Any]:
    if not term:
        return []
    actor = actor_of(request)
    return registry_queries.search_venues(actor=actor, term=term, size=PICK_SIZE,
                                          city_wide=actor.can(Right.TRACING_INVESTIGATE)).items


# ---------------------------------------------------------------- the case page


@needs(Right.TRACING_VIEW)
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_page_with(request, case_id)


def case_page_with(request: HttpRequest, case_id: int, *, status: int = 200,
                   **forms: Any) -> HttpResponse:
    """The case page; ``forms`` replaces a blank form by a bound one that failed."""
    actor = actor_of(request)
    case = queries.get_case(actor=actor, case_id=case_id)
    contact_type = request.GET.get("type", "")
    contact_type = contact_type if contact_type in ContactType.values else ""
    everyone = queries.contacts_of_case(actor=actor, case=case)
    context: dict[str, Any] = {
        "case": case, "steps": _steps(case),
        "timeline": _by_day(queries.timeline_for(actor=actor, case=case)),
        **_contacts_table(everyone, contact_type, show_all=request.GET.get("all") == "1"),
        "contact_counts": _type_counts(everyone), "contact_type": contact_type,
        "risk_points": [p for p in queries.risk_points_for(actor=actor) if p.case_id == case.pk],
        "detected": request.session.pop(f"tracing.detected.{case.pk}", None),
        "can_investigate": actor.can(Right.TRACING_INVESTIGATE),
        "can_publish": actor.can(Right.RISKPOINT_PUBLISH),
        "reclassify_form": ReclassifyForm(initial={"classification": "confirmed"}),
        "update_form": CaseUpdateForm(initial=_update_initial(case)),
        "source_form": SourceForm(initial={
            "source_case": case.source_case_id or "", "note": case.source_note}),
        "entry_form": EntryForm(), "venue_term": "", "chosen_venue": "",
    }
    context.update(forms)
    return render(request, "tracing/case.html", context, status=status)


def _update_initial(case: Case) -> dict[str, Any]:
    return {"isolated_at": case.isolated_at, "found_in": case.found_in,
            "hospital": case.hospital, "transfer_requested_at": case.transfer_requested_at,
            "hospital_admitted_at": case.hospital_admitted_at}


def _steps(case: Case) -> list[dict[str, Any]]:
    """The case's milestones in order, each with the time since the positive result."""
    marks = [(_("Positive result"), case.result_at), (_("Confirmed"), case.confirmed_at),
             (_("Contacts detected"), case.contacts_run_at), (_("Isolated"), case.isolated_at),
             (_("Transfer requested"), case.transfer_requested_at),
             (_("Admitted to hospital"), case.hospital_admitted_at)]
    return [{"label": label, "when": when,
             "after": _hours(when - case.result_at) if when and i else ""}
            for i, (label, when) in enumerate(marks)]


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return _("%(h).1f h") % {"h": hours}


def _by_day(items: list[queries.TimelineItem]) -> list[tuple[dt.date, list[Any]]]:
    """Timeline rows grouped by the city's calendar day of their start."""
    def day(item: queries.TimelineItem) -> dt.date:
        return timezone.localtime(item.start).date()

    return [(d, list(group)) for d, group in groupby(items, key=day)]


def _contacts_table(contacts: list[Any], contact_type: str, *, show_all: bool
                    ) -> dict[str, Any]:
    """The rows of the case's contacts table, at most ``CONTACT_ROWS`` unless all are asked
    for (a case at a station can have thousands), each with the name of the close contact a
    secondary one came through: that person is a contact of the same case, so the name comes
    from the list already loaded instead of one more read per row."""
    names = {c.person_id: c.person.name for c in contacts}
    rows = [c for c in contacts if not contact_type or c.contact_type == contact_type]
    shown = rows if show_all else rows[:CONTACT_ROWS]
    return {"contacts": [(c, names.get(c.via_person_id, "")) for c in shown],
            "contacts_total": len(rows), "contacts_hidden": len(rows) - len(shown),
            "contacts_controlled": sum(c.status == "transferred" for c in rows)}


def _type_counts(contacts: list[Any]) -> list[dict[str, Any]]:
    counts = Counter(c.contact_type for c in contacts)
    return [{"type": value, "label": label, "count": counts[value]}
            for value, label in ContactType.choices if counts[value]]
