"""Bookings of time slots (分时段、分楼错峰): by staff on a resident's behalf, or by the
resident through a signed link that staff hand out. One booking per person and round (a
database constraint), and a slot's ``booked`` counter only grows by a conditional UPDATE
(``booked < capacity``), so two residents racing for the last place cannot both get it.

The link is the credential: ``django.core.signing`` with its own salt, carrying the round,
the person and the round's end (the link dies then, or when the round is closed)."""

from __future__ import annotations

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.testing import channels
from fangkong.testing.models import Booking, Campaign, CampaignStatus, SiteKind, Slot
from fangkong.testing.queries import campaigns_for
from fangkong.testing.queries_campaign import area_for, areas_of

LINK_SALT = "fangkong.screening.booking-link"


def link_actor(person: Person, *, ip: str | None = None) -> Actor:
    """Who the audit names for a resident acting through their link: no user, no scope."""
    return Actor(user_id=None, username=f"booking-link:{person.pk}", unit=None, ip=ip)


def booking_token(campaign: Campaign, person: Person) -> str:
    return signing.dumps({"c": campaign.pk, "p": person.pk,
                          "e": int(campaign.ends_at.timestamp())}, salt=LINK_SALT)


def read_token(token: str) -> tuple[Campaign, Person]:
    """The round and resident of a link; tampered, expired, closed or unknown all raise the
    same NotFound, so a guessed link learns nothing."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
        campaign_id, person_id, expires = int(data["c"]), int(data["p"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("booking link") from None
    if clock.now().timestamp() >= expires:
        raise NotFound("booking link")
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    person = Person.objects.filter(pk=person_id, inactive_since__isnull=True,
                                   purged=False).select_related("grid").first()
    if (campaign is None or person is None or campaign.status == CampaignStatus.CLOSED
            or clock.now() >= campaign.ends_at):
        raise NotFound("booking link")
    return campaign, person


def _round_and_person(actor: Actor, campaign_id: int, person_id: int) -> tuple[Campaign, Person]:
    campaign = campaigns_for(actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("campaign")
    person = get_scoped(Person.objects.filter(inactive_since__isnull=True, purged=False),
                        actor, what="person", pk=person_id)
    if area_for(areas_of(campaign), person) is None:
        raise DomainError(_("this resident lives outside the round's areas"), field="person_id")
    if campaign.status == CampaignStatus.CLOSED or clock.now() >= campaign.ends_at:
        raise Conflict(_("the round is over"), field="status")
    return campaign, person


def do_make_link(*, actor: Actor, campaign_id: int, person_id: int) -> str:
    """A booking link for a resident (audited: it lets its holder book in their name)."""
    actor.require(Right.SCREENING_MANAGE)
    with transaction.atomic():
        campaign, person = _round_and_person(actor, campaign_id, person_id)
        record(actor=actor, verb="screening.booking.link", target=person,
               after={"campaign": campaign.pk, "expires": campaign.ends_at.isoformat()})
    return booking_token(campaign, person)


def check_book(*, campaign: Campaign, person: Person, slot: Slot) -> None:
    if slot.site.campaign_id != campaign.pk:
        raise DomainError(_("this slot belongs to another round"), field="slot_id")
    if slot.site.kind == SiteKind.DOOR:
        raise DomainError(_("a door-to-door team has no slots to book"), field="slot_id")
    if slot.ends_at <= clock.now():
        raise Conflict(_("this slot is over"), field="slot_id")
    if Booking.objects.filter(campaign=campaign, person=person).exists():
        raise Conflict(_("already booked in this round: cancel that booking first"),
                       field="person_id")


def _book(actor: Actor, campaign: Campaign, person: Person, slot: Slot) -> Booking:
    """Inside the caller's transaction: take a place, then the booking (the constraint
    settles two requests for one person; the rollback returns the place)."""
    check_book(campaign=campaign, person=person, slot=slot)
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
        booked=F("booked") + 1)
    if not taken:
        raise Conflict(_("this slot is full: choose another"), field="slot_id")
    green = slot.site.green_channel and channels.green_channel(
        person, on=timezone.localdate(slot.starts_at))
    booking = Booking(campaign=campaign, slot=slot, person=person, green_channel=green,
                      created_at=clock.now())
    booking.district_id, booking.street_id = person.district_id, person.street_id
    booking.community_id, booking.grid_id = person.community_id, person.grid_id
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        raise Conflict(_("already booked in this round: cancel that booking first"),
                       field="person_id") from exc
    record(actor=actor, verb="screening.booking.create", target=booking,
           after=snapshot(booking))
    return booking


def do_book(*, actor: Actor, campaign_id: int, person_id: int, slot_id: int) -> Booking:
    """Staff book a slot in their area for a resident of the round."""
    actor.require(Right.SCREENING_MANAGE)
    with transaction.atomic():
        campaign, person = _round_and_person(actor, campaign_id, person_id)
        slot = get_scoped(Slot.objects.select_related("site"), actor, what="slot", pk=slot_id)
        return _book(actor, campaign, person, slot)


def do_book_by_link(*, token: str, slot_id: int, ip: str | None = None) -> Booking:
    """The resident books one of the slots of their community (``bookable_slots``)."""
    with transaction.atomic():
        campaign, person = read_token(token)
        slot = Slot.objects.select_related("site").filter(
            pk=slot_id, site__campaign=campaign, community_id=person.community_id).first()
        if slot is None:
            raise DomainError(_("choose one of the slots listed"), field="slot_id")
        return _book(link_actor(person, ip=ip), campaign, person, slot)


def _cancel(actor: Actor, booking: Booking) -> None:
    before = snapshot(booking)
    Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    record(actor=actor, verb="screening.booking.cancel", target=booking, before=before)
    booking.delete()


def do_cancel_booking(*, actor: Actor, booking_id: int) -> None:
    actor.require(Right.SCREENING_MANAGE)
    with transaction.atomic():
        booking = get_scoped(Booking.objects.select_for_update(), actor, what="booking",
                             pk=booking_id)
        if campaigns_for(actor).filter(pk=booking.campaign_id).first() is None:
            raise NotFound("booking")
        _cancel(actor, booking)


def do_cancel_by_link(*, token: str, ip: str | None = None) -> None:
    with transaction.atomic():
        campaign, person = read_token(token)
        booking = Booking.objects.select_for_update().filter(campaign=campaign,
                                                             person=person).first()
        if booking is None:
            raise Conflict(_("there is no booking to cancel"), field="slot_id")
        if booking.slot.starts_at <= clock.now():
            raise Conflict(_("this slot has begun: it can no longer be cancelled"),
                           field="slot_id")
        _cancel(link_actor(person, ip=ip), booking)
