"""API shapes of tracing resources. Persons leave the server masked; the full numbers go
through the audited reveal (``/contacts/{id}/reveal`` or the registry's)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from fangkong.core.privacy import mask_id_number, mask_phone
from fangkong.registry.models import Person
from fangkong.tracing.models import Case, Contact, RiskPoint


class PersonBrief(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    grid_id: int | None

    @staticmethod
    def masked(person: Person) -> PersonBrief:
        return PersonBrief(id=person.pk, name=person.name,
                           id_number=mask_id_number(person.id_number or ""),
                           phone=mask_phone(person.phone), grid_id=person.grid_id)


class CaseRead(Schema):
    id: int
    person: PersonBrief
    external_id: int | None
    classification: str
    converted_at: dt.datetime | None
    onset_date: dt.date | None
    sample_date: dt.date
    result_at: dt.datetime
    confirmed_at: dt.datetime
    isolated_at: dt.datetime | None
    found_in: str
    origin: str
    hospital: str
    transfer_requested_at: dt.datetime | None
    hospital_admitted_at: dt.datetime | None
    source_case_id: int | None
    source_note: str
    contacts_run_at: dt.datetime | None
    district_id: int | None
    grid_id: int | None

    @staticmethod
    def of(case: Case) -> CaseRead:
        fields = {name: getattr(case, name) for name in CaseRead.model_fields
                  if name not in ("id", "person")}
        return CaseRead(id=case.pk, person=PersonBrief.masked(case.person), **fields)


class CasePage(Schema):
    items: list[CaseRead]
    next_after: int | None


class CaseCreate(Schema):
    person_id: int
    classification: str
    sample_date: dt.date
    result_at: dt.datetime
    onset_date: dt.date | None = None
    found_in: str = "community"
    isolated_at: dt.datetime | None = None
    external_id: int | None = None


class CaseReclassify(Schema):
    classification: str
    onset_date: dt.date | None = None


class CaseUpdate(Schema):
    isolated_at: dt.datetime | None = None
    found_in: str | None = None
    hospital: str | None = None
    transfer_requested_at: dt.datetime | None = None
    hospital_admitted_at: dt.datetime | None = None


class SourceLink(Schema):
    source_case_id: int | None
    note: str = ""


class EntryCreate(Schema):
    start: dt.datetime
    end: dt.datetime | None = None
    place: str = ""
    venue_id: int | None = None
    transport: str = ""
    companions: str = ""
    note: str = ""


class EntryRead(Schema):
    id: int
    case_id: int
    start: dt.datetime
    end: dt.datetime | None
    place: str
    venue_id: int | None
    transport: str
    companions: str
    note: str


class TimelineItemRead(Schema):
    start: dt.datetime
    end: dt.datetime | None
    kind: str
    place: str
    venue_id: int | None
    venue_name: str
    detail: str
    entry_id: int | None


class DetectionRead(Schema):
    case_id: int
    counts: dict[str, int]
    by_type: dict[str, int]
    new: int
    updated: int
    unchanged: int
    skipped: int
    removed: int
    seconds: float


class ContactRead(Schema):
    id: int
    person: PersonBrief
    index_case_id: int
    contact_type: str
    rule: str
    via_person_id: int | None
    venue_id: int | None
    cell: str
    first_exposure: dt.datetime
    last_exposure: dt.datetime
    overlap_minutes: int | None
    identified_at: dt.datetime
    status: str
    owner_id: int | None
    notified_at: dt.datetime | None
    located_at: dt.datetime | None
    transferred_at: dt.datetime | None
    disposition: str
    destination: str
    escalated_at: dt.datetime | None
    district_id: int | None
    grid_id: int | None

    @staticmethod
    def of(contact: Contact) -> ContactRead:
        fields = {name: getattr(contact, name) for name in ContactRead.model_fields
                  if name not in ("id", "person")}
        return ContactRead(id=contact.pk, person=PersonBrief.masked(contact.person), **fields)


class ContactPage(Schema):
    items: list[ContactRead]
    next_after: int | None


class ContactAdvance(Schema):
    to_status: str
    disposition: str = ""
    destination: str = ""


class ContactAssign(Schema):
    owner_id: int | None


class ContactRevealed(Schema):
    id_number: str
    phone: str


class RiskPointRead(Schema):
    id: int
    case_id: int | None
    venue_id: int | None
    venue_name: str
    place: str
    start: dt.datetime
    end: dt.datetime
    status: str
    district_id: int | None
    created_by_id: int | None
    reviewed_by_id: int | None
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None

    @staticmethod
    def of(point: RiskPoint) -> RiskPointRead:
        fields = {name: getattr(point, name) for name in RiskPointRead.model_fields
                  if name not in ("id", "venue_name")}
        return RiskPointRead(id=point.pk, venue_name=point.venue.name if point.venue else "",
                             **fields)


class PublicRiskPoint(Schema):
    """What the public sees: a place and a time, never a person."""

    place: str
    venue_name: str
    address: str
    start: dt.datetime
    end: dt.datetime
    district: str


class FunnelRowRead(Schema):
    case_id: int
    district_id: int | None
    result_at: dt.datetime
    confirmed_at: dt.datetime
    identified_at: dt.datetime | None
    controlled_at: dt.datetime | None
    hours_to_confirm: float | None
    hours_to_identify: float | None
    hours_to_control: float | None
    total_hours: float | None
    within_24h: bool | None


class DistrictFunnelRead(Schema):
    district_id: int | None
    district: str
    cases: int
    controlled: int
    share_within_24h: float | None
    median_to_confirm: float | None
    median_to_identify: float | None
    median_to_control: float | None
    median_total: float | None


class FunnelRead(Schema):
    cases: list[FunnelRowRead]
    districts: list[DistrictFunnelRead]


class ClusterRead(Schema):
    id: int
    size: int
    case_ids: list[int]
    first_date: dt.date
    last_date: dt.date
