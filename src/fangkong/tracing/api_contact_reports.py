"""Possible contacts told by hand, under /api/v1/tracing/contact-reports: the tracers' list,
a report by staff, confirm against an index case, dismiss. Handlers stay thin."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.jurisdiction import get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.tracing.contact_reports import (
    do_confirm_contact_report,
    do_dismiss_contact_report,
    do_report_possible_contact,
    get_report,
    reports_for,
)
from fangkong.tracing.models import ContactReport, ReportSource
from fangkong.tracing.schemas import PersonBrief

router = Router(tags=["tracing"])


class ContactReportRead(Schema):
    id: int
    person: PersonBrief
    source: str
    source_ref: str
    reported_at: dt.datetime
    exposure_on: dt.date
    place: str
    about_case: str
    status: str
    index_case_id: int | None
    contact_id: int | None
    decided_by_id: int | None
    decided_at: dt.datetime | None
    note: str
    district_id: int | None
    grid_id: int | None

    @staticmethod
    def of(report: ContactReport) -> "ContactReportRead":
        fields = {name: getattr(report, name) for name in ContactReportRead.model_fields
                  if name not in ("id", "person")}
        return ContactReportRead(id=report.pk, person=PersonBrief.masked(report.person),
                                 **fields)


class ContactReportPage(Schema):
    items: list[ContactReportRead]
    next_after: int | None


class ContactReportCreate(Schema):
    person_id: int
    source: str = ReportSource.STAFF
    source_ref: str
    exposure_on: dt.date
    place: str = ""
    about_case: str = ""
    note: str = ""


class ContactReportConfirm(Schema):
    case_id: int
    first_exposure: dt.datetime | None = None
    last_exposure: dt.datetime | None = None
    note: str = ""


class ContactReportDismiss(Schema):
    note: str


@router.get("/contact-reports", response=ContactReportPage)
@requires(Right.TRACING_INVESTIGATE)
def list_reports(request: HttpRequest, status: str = "new", after: int | None = None,
                 limit: int = 50) -> dict[str, object]:
    """Newest first; ``status`` empty: all; ``after`` is the previous page's ``next_after``."""
    limit = max(1, min(limit, 200))
    items = reports_for(actor=request_actor(request), status=status, after=after, limit=limit)
    return {"items": [ContactReportRead.of(r) for r in items],
            "next_after": items[-1].pk if len(items) == limit else None}


@router.get("/contact-reports/{report_id}", response=ContactReportRead)
@requires(Right.TRACING_INVESTIGATE)
def read_report(request: HttpRequest, report_id: int) -> ContactReportRead:
    return ContactReportRead.of(get_report(actor=request_actor(request), report_id=report_id))


@router.post("/contact-reports", response={200: ContactReportRead, 201: ContactReportRead})
@requires(Right.TRACING_INVESTIGATE)
def add_report(request: HttpRequest, body: ContactReportCreate) -> Status[ContactReportRead]:
    """201 when stored, 200 when ``source_ref`` was already sent (the stored one)."""
    actor = request_actor(request)
    person = get_scoped(Person.objects.all(), actor, what="person", pk=body.person_id)
    report, new = do_report_possible_contact(
        actor=actor, person=person, **body.dict(exclude={"person_id"}))
    return Status(201 if new else 200, ContactReportRead.of(report))


@router.post("/contact-reports/{report_id}/confirm", response=ContactReportRead)
@requires(Right.TRACING_INVESTIGATE)
def confirm_report(request: HttpRequest, report_id: int,
                   body: ContactReportConfirm) -> ContactReportRead:
    return ContactReportRead.of(do_confirm_contact_report(
        actor=request_actor(request), report_id=report_id, **body.dict()))


@router.post("/contact-reports/{report_id}/dismiss", response=ContactReportRead)
@requires(Right.TRACING_INVESTIGATE)
def dismiss_report(request: HttpRequest, report_id: int,
                   body: ContactReportDismiss) -> ContactReportRead:
    return ContactReportRead.of(do_dismiss_contact_report(
        actor=request_actor(request), report_id=report_id, note=body.note))
