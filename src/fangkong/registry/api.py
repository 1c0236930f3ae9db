"""Registry API: the admin tree, buildings, persons (masked), venues, import and export.

Handlers stay thin: each resolves the actor, calls one query or action, and shapes the answer.
"""



import dataclasses
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from fangkong.api import Problem, request_actor, requires
from fangkong.core.errors import DomainError
from fangkong.core.models import AdminUnit
from fangkong.core.privacy import reveal
from fangkong.core.rights import Right
from fangkong.registry import io as registry_io
from fangkong.registry import queries
from fangkong.registry.downloads import csv_download, xlsx_download
from fangkong.registry.io_specs import SPECS
from fangkong.registry.models import Building, Venue
from fangkong.registry.schemas import (
    BuildingPage,
    ImportResult,
    PersonPage,
    PersonRead,
    Revealed,
    UnitRead,
    VenuePage,
)

router = Router(tags=["registry"])
MAX_UPLOAD = 50 * 1024 * 1024


class ImportRefused(ImportResult):
    """A refused file: nothing was imported; ``errors`` lists every bad line."""

    detail: str


@router.get("/units", response=list[UnitRead])
@requires(Right.REGISTRY_VIEW)
def list_units(request: HttpRequest, parent: int | None = None) -> list[AdminUnit]:
    """Children of ``parent``; without it, the caller's own node."""
    actor = request_actor(request)
    node = queries.get_unit(actor=actor, unit_id=parent) if parent is not None else None
    return list(queries.list_child_units(actor=actor, parent=node))


@router.get("/units/{unit_id}", response=UnitRead)
@requires(Right.REGISTRY_VIEW)
def get_unit(request: HttpRequest, unit_id: int) -> AdminUnit:
    return queries.get_unit(actor=request_actor(request), unit_id=unit_id)


@router.get("/grids/{grid_id}/buildings", response=BuildingPage)
@requires(Right.REGISTRY_VIEW)
def list_buildings(request: HttpRequest, grid_id: int, after: int | None = None
                   ) -> queries.Page[Building]:
    actor = request_actor(request)
    grid = queries.get_unit(actor=actor, unit_id=grid_id)
    return queries.list_buildings(actor=actor, grid=grid, after=after)


@router.get("/persons", response=PersonPage)
@requires(Right.REGISTRY_VIEW)
def search_persons(request: HttpRequest, q: str = "", grid: int | None = None,
                   after: int | None = None) -> dict[str, object]:
    """Search by name prefix, full or last-four ID number or phone; numbers come masked."""
    actor = request_actor(request)
    node = queries.get_unit(actor=actor, unit_id=grid) if grid is not None else None
    page = queries.search_persons(actor=actor, term=q, grid=node, after=after)
    return {"items": [PersonRead.masked(p) for p in page.items], "next_after": page.next_after}


@router.get("/persons/{person_id}", response=PersonRead)
@requires(Right.REGISTRY_VIEW)
def get_person(request: HttpRequest, person_id: int) -> PersonRead:
    return PersonRead.masked(queries.get_person(actor=request_actor(request),
                                                person_id=person_id))


@router.post("/persons/{person_id}/reveal", response=Revealed)
@requires(Right.PII_VIEW)
def reveal_person(request: HttpRequest, person_id: int) -> dict[str, str]:
    """The full ID-card and phone numbers; each call writes an audit row."""
    actor = request_actor(request)
    person = queries.get_person(actor=actor, person_id=person_id)
    return reveal(actor=actor, target=person,
                  fields={"id_number": person.id_number or "", "phone": person.phone})


@router.get("/venues", response=VenuePage)
@requires(Right.REGISTRY_VIEW)
def list_venues(request: HttpRequest, type: str = "", after: int | None = None
                ) -> queries.Page[Venue]:
    return queries.list_venues(actor=request_actor(request), after=after, kind=type)


@router.post("/import/{kind}", response={200: ImportResult, 422: ImportRefused | Problem})
@requires(Right.REGISTRY_IMPORT)
def import_file(request: HttpRequest, kind: str, file: UploadedFile = File(...),
                partial: bool = Form(False)) -> Status[Any]:
    """Validate every row; write nothing on any error unless ``partial`` is true. A refused
    file answers 422 with every bad line, as every other importer of the platform does; a
    partial import answers 200 with the lines it left out."""
    _check_kind(kind)
    if file.size is not None and file.size > MAX_UPLOAD:
        raise DomainError("file larger than 50 MB; split it", field="file")
    report = registry_io.do_import(actor=request_actor(request), kind=kind,
                                   name=file.name or "upload.csv", data=file.read(),
                                   partial=partial)
    if report.errors and not partial:
        detail = _("%(n)d lines refused; nothing stored") % {"n": len(report.errors)}
        return Status(422, {"detail": detail, **dataclasses.asdict(report)})
    return Status(200, report)


@router.get("/export/{kind}")
@requires(Right.REGISTRY_EXPORT)
def export_file(request: HttpRequest, kind: str, unit: int | None = None,
                format: str = "csv") -> HttpResponse | StreamingHttpResponse:
    """CSV streams in chunks; Excel goes through a temporary file."""
    _check_kind(kind)
    actor = request_actor(request)
    node = queries.get_unit(actor=actor, unit_id=unit) if unit is not None else actor.unit
    if node is None:
        raise DomainError("you are not bound to any unit", field="unit")
    if format not in ("csv", "xlsx"):
        raise DomainError("format must be csv or xlsx", field="format")
    rows = registry_io.export_rows(actor=actor, kind=kind, unit=node)
    filename = f"{kind}-{node.code}.{format}"
    return xlsx_download(rows, filename) if format == "xlsx" else csv_download(rows, filename)


def _check_kind(kind: str) -> None:
    if kind not in SPECS:
        raise DomainError(f"unknown kind {kind!r}; one of {', '.join(sorted(SPECS))}",
                          field="kind")
