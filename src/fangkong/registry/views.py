"""Registry pages: the map of the actor's units, grid → building → household → person, search,
venues, and file import/export. Thin: each view checks one right (``@needs``) and calls
``registry.queries`` / ``registry.io``; scoping and masking happen there."""

from __future__ import annotations

import csv
import zipfile
from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.approvals import do_request
from fangkong.core.errors import DomainError
from fangkong.core.models import AdminUnit, Level
from fangkong.core.privacy import reveal
from fangkong.core.rights import Right
from fangkong.registry import io as registry_io
from fangkong.registry import queries
from fangkong.registry.corrections import KIND as CORRECTION
from fangkong.registry.downloads import csv_download, xlsx_download
from fangkong.registry.io_specs import SPECS
from fangkong.registry.models import VenueType
from fangkong.web.access import actor_of, int_param, needs
from fangkong.web.crumbs import crumbs_for
from fangkong.web.geo import child_counts, children_collection

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXPORT_KINDS = tuple(registry_io.MODELS)


@needs(Right.REGISTRY_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    unit = actor_of(request).unit
    if unit is None:
        return render(request, "registry/no_unit.html")
    return _unit_page(request, unit)


@needs(Right.REGISTRY_VIEW)
def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _unit_page(request, queries.get_unit(actor=actor_of(request), unit_id=unit_id))


def _unit_page(request: HttpRequest, unit: AdminUnit) -> HttpResponse:
    actor = actor_of(request)
    rows = child_counts(actor=actor, unit=unit)
    context = {
        "unit": unit, "rows": rows, "crumbs": crumbs_for(actor=actor, place=unit),
        "is_grid": unit.level == Level.GRID,
        "total": sum(r["residents"] for r in rows),
        "can_export": actor.can(Right.REGISTRY_EXPORT),
    }
    return render(request, "registry/unit.html", context)


@needs(Right.REGISTRY_VIEW)
def unit_children_geojson(request: HttpRequest, unit_id: int) -> JsonResponse:
    actor = actor_of(request)
    unit = queries.get_unit(actor=actor, unit_id=unit_id)
    return JsonResponse(children_collection(actor=actor, unit=unit, language=get_language()))


@needs(Right.REGISTRY_VIEW)
def grid_buildings(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = actor_of(request)
    grid = queries.get_unit(actor=actor, unit_id=unit_id)
    if grid.level != Level.GRID:
        raise Http404("not a grid")
    page = queries.list_buildings(actor=actor, grid=grid, after=int_param(request, "after"))
    context = {"grid": grid, "page": page, "crumbs": crumbs_for(actor=actor, place=grid)}
    return render(request, "registry/buildings.html", context)


@needs(Right.REGISTRY_VIEW)
def building_page(request: HttpRequest, building_id: int) -> HttpResponse:
    actor = actor_of(request)
    building = queries.get_building(actor=actor, building_id=building_id)
    households = queries.list_households(actor=actor, building=building)
    context = {"building": building, "households": households,
               "crumbs": crumbs_for(actor=actor, place=building)}
    return render(request, "registry/building.html", context)


@needs(Right.REGISTRY_VIEW)
def household_page(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = actor_of(request)
    household = queries.get_household(actor=actor, household_id=household_id)
    members = queries.list_members(actor=actor, household=household)
    context = {"household": household, "members": members,
               "crumbs": crumbs_for(actor=actor, place=household)}
    return render(request, "registry/household.html", context)


@needs(Right.REGISTRY_VIEW)
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, person_id, revealed=None)


@require_POST
@needs(Right.PII_VIEW)
def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """Show the full numbers once, in this response only; the read is audited."""
    actor = actor_of(request)
    person = queries.get_person(actor=actor, person_id=person_id)
    fields = {"id_number": person.id_number or "", "phone": person.phone or ""}
    return _person_page(request, person_id, revealed=reveal(actor=actor, target=person,
                                                            fields=fields))


@require_POST
@needs(Right.REGISTRY_CORRECT)
def person_correct(request: HttpRequest, person_id: int) -> HttpResponse:
    """Ask for a correction of the ID or phone number; a second user must approve it."""
    actor = actor_of(request)
    person = queries.get_person(actor=actor, person_id=person_id)
    field = request.POST.get("field", "")
    try:
        do_request(actor=actor, kind=CORRECTION, target_id=str(person.pk),
                   payload={field: request.POST.get("value", "").strip()},
                   reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _person_page(request, person_id, revealed=None, correction_error=exc.message,
                            status=422)
    messages.success(request, _("Correction requested; it applies once a second person "
                                "approves it."))
    return redirect("person", person_id=person.pk)


def _person_page(request: HttpRequest, person_id: int, revealed: dict[str, str] | None,
                 correction_error: str = "", status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    person = queries.get_person(actor=actor, person_id=person_id)
    context = {"person": person, "revealed": revealed,
               "can_reveal": queries.can_reveal(actor),
               "can_correct": actor.can(Right.REGISTRY_CORRECT),
               "correction_error": correction_error,
               "crumbs": crumbs_for(actor=actor, place=person)}
    return render(request, "registry/person.html", context, status=status)


@needs(Right.REGISTRY_VIEW)
def persons(request: HttpRequest) -> HttpResponse:
    term = request.GET.get("q", "").strip()[:64]
    page = queries.search_persons(actor=actor_of(request), term=term,
                                  after=int_param(request, "after"))
    return render(request, "registry/persons.html", {"q": term, "page": page})


@needs(Right.REGISTRY_VIEW)
def venues(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("type", "")
    kind = kind if kind in VenueType.values else ""
    page = queries.list_venues(actor=actor_of(request), after=int_param(request, "after"),
                               kind=kind)
    return render(request, "registry/venues.html",
                  {"page": page, "kind": kind, "kinds": VenueType.choices})


@needs(Right.REGISTRY_EXPORT)
def export_page(request: HttpRequest) -> HttpResponseBase:
    """The form, or (with ``kind``) the file: CSV streamed row by row, XLSX from a temp file."""
    actor = actor_of(request)
    unit_id = int_param(request, "unit")
    unit = queries.get_unit(actor=actor, unit_id=unit_id) if unit_id else actor.unit
    kind = request.GET.get("kind", "")
    if unit is None or kind not in EXPORT_KINDS:
        return render(request, "registry/export.html",
                      {"unit": unit, "kinds": EXPORT_KINDS, "crumbs": _crumbs(request, unit)})
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    rows = registry_io.export_rows(actor=actor, kind=kind, unit=unit)
    filename = f"{kind}-{unit.code}-{timezone.localdate():%Y%m%d}.{fmt}"
    return xlsx_download(rows, filename) if fmt == "xlsx" else csv_download(rows, filename)


def _crumbs(request: HttpRequest, unit: AdminUnit | None) -> list[AdminUnit]:
    return crumbs_for(actor=actor_of(request), place=unit) if unit is not None else []


@needs(Right.REGISTRY_IMPORT)
def import_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"kinds": EXPORT_KINDS, "kind": request.POST.get("kind", ""),
                               "columns": {k: list(SPECS[k].columns) for k in EXPORT_KINDS}}
    if request.method == "POST":
        context.update(_import_upload(request))
    return render(request, "registry/import.html", context)


def _import_upload(request: HttpRequest) -> dict[str, Any]:
    """Check (and import, when clean or when partial import was asked for) one uploaded file."""
    upload = request.FILES.get("file")
    kind = request.POST.get("kind", "")
    if kind not in EXPORT_KINDS:
        return {"error": _("Choose what the file contains.")}
    if upload is None or not upload.name:
        return {"error": _("Choose a CSV or Excel file.")}
    if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm")):
        return {"error": _("The file must end in .csv or .xlsx.")}
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        return {"error": _("The file is larger than 20 MB; split it into parts.")}
    partial = request.POST.get("partial") == "on"
    try:
        report = registry_io.do_import(actor=actor_of(request), kind=kind, name=upload.name,
                                       data=upload.read(), partial=partial)
    except (ValueError, csv.Error, zipfile.BadZipFile) as exc:
        return {"error": _("The file could not be read: %(reason)s") % {"reason": exc}}
    return {"report": report, "partial": partial, "filename": upload.name}
