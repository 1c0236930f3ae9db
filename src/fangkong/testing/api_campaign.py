"""Screening API: campaigns, their sites and slots, tube issuance, bookings (staff, and the
booking links handed to residents) and the door-to-door list. Handlers stay thin: resolve
the actor, call one query or action, shape it. Phone numbers leave masked unless PII_VIEW."""

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.audit import record
from fangkong.core.privacy import mask_phone
from fangkong.core.rights import Right
from fangkong.testing import actions_booking, actions_campaign, queries, queries_campaign
from fangkong.testing.models import Booking, Campaign, Site, Slot

router = Router()


class CampaignAreaRead(Schema):
    unit_id: int
    unit_name: str
    level: int
    pool_size: int


class CampaignRead(Schema):
    id: int
    code: str
    name: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    target_hours: int
    default_pool_size: int
    policy: str
    areas: list[CampaignAreaRead]

    @staticmethod
    def of(c: Campaign) -> "CampaignRead":
        areas = [CampaignAreaRead(unit_id=a.unit.pk, unit_name=a.unit.name, level=a.unit.level,
                                  pool_size=a.pool_size) for a in queries_campaign.areas_of(c)]
        return CampaignRead(id=c.pk, code=c.code, name=c.name, status=c.status,
                            starts_at=c.starts_at, ends_at=c.ends_at, areas=areas,
                            target_hours=c.target_hours, default_pool_size=c.default_pool_size,
                            policy=c.policy.name if c.policy else "")


class CampaignCreate(Schema):
    code: str
    name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    areas: dict[int, int]  # unit id → pool size (1, 5, 10 or 20)
    default_pool_size: int = 10
    target_hours: int = 24


class CampaignStatusChange(Schema):
    act: str


class SiteRead(Schema):
    id: int
    campaign_id: int
    code: str
    name: str
    kind: str
    grid_id: int | None
    address: str
    lat: float | None
    lon: float | None
    tables: int
    green_channel: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    lab_id: int | None

    @staticmethod
    def of(site: Site) -> "SiteRead":
        return SiteRead(**{name: getattr(site, name) for name in SiteRead.model_fields})


class SiteCreate(Schema):
    code: str
    name: str
    grid_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    tables: int = 1
    kind: str = "fixed"
    lab_id: int | None = None
    green_channel: bool = True
    address: str = ""
    lat: float | None = None
    lon: float | None = None


class SiteUpdate(Schema):
    name: str | None = None
    kind: str | None = None
    tables: int | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    lab_id: int | None = None
    green_channel: bool | None = None
    address: str | None = None


class SlotRead(Schema):
    id: int
    site_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int

    @staticmethod
    def of(slot: Slot) -> "SlotRead":
        return SlotRead(**{name: getattr(slot, name) for name in SlotRead.model_fields})


class SlotsOpen(Schema):
    minutes: int | None = None


class TubeIssue(Schema):
    count: int
    capacity: int = 10
    kind: str = "screening"


class TubesRead(Schema):
    count: int
    capacity: int
    kind: str
    codes: list[str]


class BookingRead(Schema):
    id: int
    campaign_id: int
    slot: SlotRead
    site_id: int
    person_id: int
    person_name: str
    green_channel: bool
    created_at: dt.datetime

    @staticmethod
    def of(b: Booking) -> "BookingRead":
        return BookingRead(id=b.pk, campaign_id=b.campaign_id, slot=SlotRead.of(b.slot),
                           site_id=b.slot.site_id, person_id=b.person_id,
                           person_name=b.person.name, green_channel=b.green_channel,
                           created_at=b.created_at)


class BookingCreate(Schema):
    person_id: int
    slot_id: int


class LinkCreate(Schema):
    person_id: int


class LinkRead(Schema):
    url: str
    expires_at: dt.datetime


class DoorRead(Schema):
    person_id: int
    name: str
    phone: str
    address: str
    grid_id: int | None
    reasons: list[str]
    sampled: bool


@router.get("/campaigns", response=list[CampaignRead])
@requires(Right.SCREENING_VIEW)
def list_campaigns(request: HttpRequest) -> list[CampaignRead]:
    rows = queries.campaigns_for(request_actor(request)).order_by("-starts_at", "-pk")[:200]
    return [CampaignRead.of(c) for c in rows]


@router.post("/campaigns", response={201: CampaignRead})
@requires(Right.SCREENING_MANAGE)
def create_campaign(request: HttpRequest, body: CampaignCreate) -> Status[CampaignRead]:
    campaign = actions_campaign.do_create_campaign(actor=request_actor(request), **body.dict())
    return Status(201, CampaignRead.of(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignRead)
@requires(Right.SCREENING_VIEW)
def get_campaign(request: HttpRequest, campaign_id: int) -> CampaignRead:
    return CampaignRead.of(queries.get_campaign(request_actor(request), campaign_id))


@router.post("/campaigns/{campaign_id}/status", response=CampaignRead)
@requires(Right.SCREENING_MANAGE)
def set_status(request: HttpRequest, campaign_id: int, body: CampaignStatusChange) -> CampaignRead:
    """``act`` is ``start`` (planned → running) or ``close`` (final); the caller's subtree
    must cover every area of the round."""
    return CampaignRead.of(actions_campaign.do_set_status(
        actor=request_actor(request), campaign_id=campaign_id, act=body.act))


@router.get("/campaigns/{campaign_id}/sites", response=list[SiteRead])
@requires(Right.SCREENING_VIEW)
def list_sites(request: HttpRequest, campaign_id: int) -> list[SiteRead]:
    actor = request_actor(request)
    return [SiteRead.of(s) for s in queries.sites_for(actor, queries.get_campaign(
        actor, campaign_id))]


@router.post("/campaigns/{campaign_id}/sites", response={201: SiteRead})
@requires(Right.SCREENING_MANAGE)
def add_site(request: HttpRequest, campaign_id: int, body: SiteCreate) -> Status[SiteRead]:
    site = actions_campaign.do_add_site(actor=request_actor(request), campaign_id=campaign_id,
                                        **body.dict())
    return Status(201, SiteRead.of(site))


@router.get("/sites/{site_id}", response=SiteRead)
@requires(Right.SCREENING_VIEW)
def get_site(request: HttpRequest, site_id: int) -> SiteRead:
    return SiteRead.of(queries_campaign.get_site(request_actor(request), site_id))


@router.patch("/sites/{site_id}", response=SiteRead)
@requires(Right.SCREENING_MANAGE)
def edit_site(request: HttpRequest, site_id: int, body: SiteUpdate) -> SiteRead:
    return SiteRead.of(actions_campaign.do_edit_site(
        actor=request_actor(request), site_id=site_id, **body.dict(exclude_none=True)))


@router.get("/sites/{site_id}/slots", response=list[SlotRead])
@requires(Right.SCREENING_VIEW)
def list_slots(request: HttpRequest, site_id: int) -> list[SlotRead]:
    site = queries_campaign.get_site(request_actor(request), site_id)
    return [SlotRead.of(s) for s in site.slots.all()]


@router.post("/sites/{site_id}/slots", response={201: list[SlotRead]})
@requires(Right.SCREENING_MANAGE)
def open_slots(request: HttpRequest, site_id: int, body: SlotsOpen) -> Status[list[SlotRead]]:
    """Cut the opening hours into slots (replacing unbooked ones); capacity = tables × the
    policy's swabs per table an hour × the slot's hours."""
    slots = actions_campaign.do_open_slots(actor=request_actor(request), site_id=site_id,
                                           minutes=body.minutes)
    return Status(201, [SlotRead.of(s) for s in slots])


@router.post("/sites/{site_id}/tubes", response={201: TubesRead})
@requires(Right.SCREENING_MANAGE)
def issue_tubes(request: HttpRequest, site_id: int, body: TubeIssue) -> Status[TubesRead]:
    tubes = actions_campaign.do_issue_tubes(actor=request_actor(request), site_id=site_id,
                                            **body.dict())
    return Status(201, TubesRead(count=len(tubes), capacity=body.capacity, kind=body.kind,
                                 codes=[t.code for t in tubes]))


@router.get("/campaigns/{campaign_id}/bookings", response=list[BookingRead])
@requires(Right.SCREENING_VIEW)
def list_bookings(request: HttpRequest, campaign_id: int) -> list[BookingRead]:
    actor = request_actor(request)
    campaign = queries.get_campaign(actor, campaign_id)
    return [BookingRead.of(b) for b in queries_campaign.bookings_for(actor, campaign)]


@router.post("/campaigns/{campaign_id}/bookings", response={201: BookingRead})
@requires(Right.SCREENING_MANAGE)
def book(request: HttpRequest, campaign_id: int, body: BookingCreate) -> Status[BookingRead]:
    """Book on a resident's behalf; 409 when the slot is full or they have a booking."""
    booking = actions_booking.do_book(actor=request_actor(request), campaign_id=campaign_id,
                                      **body.dict())
    return Status(201, BookingRead.of(booking))


@router.delete("/bookings/{booking_id}", response={204: None})
@requires(Right.SCREENING_MANAGE)
def cancel_booking(request: HttpRequest, booking_id: int) -> Status[None]:
    actions_booking.do_cancel_booking(actor=request_actor(request), booking_id=booking_id)
    return Status(204, None)


@router.post("/campaigns/{campaign_id}/booking-links", response={201: LinkRead})
@requires(Right.SCREENING_MANAGE)
def make_link(request: HttpRequest, campaign_id: int, body: LinkCreate) -> Status[LinkRead]:
    """A signed link the resident opens without an account; it expires at the round's end."""
    actor = request_actor(request)
    token = actions_booking.do_make_link(actor=actor, campaign_id=campaign_id,
                                         person_id=body.person_id)
    url = request.build_absolute_uri(reverse("screening_public_booking", args=[token]))
    ends = queries.get_campaign(actor, campaign_id).ends_at
    return Status(201, LinkRead(url=url, expires_at=ends))


@router.get("/campaigns/{campaign_id}/door-to-door", response=list[DoorRead])
@requires(Right.SCREENING_VIEW)
def door_to_door(request: HttpRequest, campaign_id: int) -> list[DoorRead]:
    """Residents sampled at home; full phone numbers only with PII_VIEW (the read audited)."""
    actor = request_actor(request)
    campaign = queries.get_campaign(actor, campaign_id)
    rows = queries_campaign.door_list(actor, campaign)
    full = actor.can(Right.PII_VIEW)
    if full and rows:
        record(actor=actor, verb="pii.read", target=None, target_type="screening.door_list",
               after={"campaign": campaign.pk, "persons": [r.person.pk for r in rows]})
    return [DoorRead(person_id=r.person.pk, name=r.person.name, address=r.person.address,
                     phone=r.person.phone if full else mask_phone(r.person.phone),
                     grid_id=r.person.grid_id, reasons=r.reasons, sampled=r.sampled)
            for r in rows]
