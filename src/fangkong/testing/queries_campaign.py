"""Reads of the campaign part: which area (and pool size) covers a row, the sites of a round
with their slot totals, bookable slots for a resident, bookings, and the door-to-door list.
Every list goes through ``core.jurisdiction.scope``; the rules come from ``channels``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import LEVEL_FIELD, Level, Placed
from fangkong.registry.models import Person
from fangkong.testing import channels
from fangkong.testing.models import (
    Booking,
    Campaign,
    CampaignArea,
    Sample,
    SampleKind,
    Site,
    SiteKind,
    Slot,
)
from fangkong.testing.queries import campaigns_for
from fangkong.tracing.models import Contact


def areas_of(campaign: Campaign) -> list[CampaignArea]:
    return list(campaign.areas.select_related("unit").order_by("unit__level", "unit__code"))


def covers(area_unit: Any, row: Placed) -> bool:
    """Whether ``row`` (a Placed row, an AdminUnit included) lies at or under the unit."""
    if area_unit.level == Level.CITY:
        return True
    return bool(getattr(row, f"{LEVEL_FIELD[Level(area_unit.level)]}_id") == area_unit.pk)


def area_for(areas: list[CampaignArea], row: Placed) -> CampaignArea | None:
    """The deepest area of the round covering ``row``; None when the round does not."""
    found = [a for a in areas if covers(a.unit, row)]
    return max(found, key=lambda a: a.unit.level) if found else None


def in_areas(areas: list[CampaignArea], *, via: str = "") -> Q:
    """A filter for rows placed under any of ``areas`` (nothing when there are none)."""
    q = Q(pk__in=[])
    for area in areas:
        if area.unit.level == Level.CITY:
            return Q()
        q |= Q(**{f"{via}{LEVEL_FIELD[Level(area.unit.level)]}_id": area.unit.pk})
    return q


def has_open_contact(person: Person, *, on: dt.date) -> bool:
    """An open close or secondary contact (channels.contact_is_open) on ``on``."""
    since = on - dt.timedelta(days=channels.OPEN_CONTACT_DAYS + 1)
    rows = Contact.objects.filter(
        person=person, contact_type__in=channels.SINGLE_TUBE_CONTACTS,
        last_exposure__date__gte=since).values_list("contact_type", "last_exposure")
    return any(channels.contact_is_open(contact_type=kind, on=on,
                                        last_exposure=timezone.localdate(last))
               for kind, last in rows)


def pool_size_for(campaign: Campaign, person: Person, *, on: dt.date | None = None) -> int:
    """The tube size for this resident in this round: 1 for open contacts and pool-1 areas,
    else their area's pool size (the round's default outside every area)."""
    area = area_for(areas_of(campaign), person)
    size = area.pool_size if area else campaign.default_pool_size
    day = on or timezone.localdate(max(campaign.starts_at, clock.now()))
    return channels.tube_size(open_contact=has_open_contact(person, on=day), area_pool_size=size)


def site_rows(actor: Actor, campaign: Campaign) -> QuerySet[Site]:
    """Sites in scope with their slot count, booked and capacity totals."""
    return (scope(Site.objects.filter(campaign=campaign), actor)
            .select_related("grid", "lab")
            .annotate(slot_count=Count("slots"), slot_booked=Sum("slots__booked"),
                      slot_capacity=Sum("slots__capacity"))
            .order_by("code"))


def get_site(actor: Actor, site_id: int) -> Site:
    """A site in scope whose round the actor sees (otherwise the same NotFound)."""
    site = (scope(Site.objects.filter(campaign__in=campaigns_for(actor)), actor)
            .select_related("campaign", "grid", "lab").filter(pk=site_id).first())
    if site is None:
        raise NotFound("site")
    return site


def bookable_slots(campaign: Campaign, person: Person) -> list[Slot]:
    """Slots a resident may pick through their link: at the bookable sites (fixed or mobile)
    of their own community, not yet over, with room left."""
    from django.db.models import F

    return list(Slot.objects.filter(
        site__campaign=campaign, community_id=person.community_id, ends_at__gt=clock.now(),
        booked__lt=F("capacity")).exclude(site__kind=SiteKind.DOOR)
        .select_related("site").order_by("starts_at", "site__code"))


def bookings_for(actor: Actor, campaign: Campaign, *, limit: int = 200) -> list[Booking]:
    return list(scope(Booking.objects.filter(campaign=campaign), actor)
                .select_related("person", "slot__site").order_by("-created_at")[:limit])


def booking_of(campaign: Campaign, person: Person) -> Booking | None:
    return (Booking.objects.filter(campaign=campaign, person=person)
            .select_related("slot__site").first())


@dataclass
class DoorRow:
    person: Person
    reasons: list[str] = field(default_factory=list)
    sampled: bool = False


def door_list(actor: Actor, campaign: Campaign, *, limit: int = 500) -> list[DoorRow]:
    """Residents in scope and in the round's areas who are sampled at home (channels
    .on_door_list), by address; ``sampled`` once their screening sample is in."""
    flags = Q()
    for flag in channels.DOOR_FLAGS:
        flags |= Q(**{flag: True})
    people = (scope(Person.objects.filter(flags, in_areas(areas_of(campaign))), actor)
              .filter(inactive_since__isnull=True, purged=False, temporary=False)
              .select_related("grid").order_by("grid_id", "address", "pk")[:limit])
    rows = [DoorRow(p, channels.door_reasons(p)) for p in people if channels.on_door_list(p)]
    done = set(Sample.objects.filter(campaign=campaign, kind=SampleKind.SCREENING,
                                     person_id__in=[r.person.pk for r in rows])
               .values_list("person_id", flat=True))
    for row in rows:
        row.sampled = row.person.pk in done
    return rows


def persons_for_booking(actor: Actor, campaign: Campaign, q: str, *, limit: int = 20
                        ) -> list[Person]:
    """Residents in scope and in the round, by name or the last four digits of a number."""
    term = q.strip()
    if not term:
        return []
    match = Q(name__icontains=term)
    if term.isdigit() and len(term) == 4:
        match = Q(id_last4=term) | Q(phone_last4=term)
    return list(scope(Person.objects.filter(match, in_areas(areas_of(campaign))), actor)
                .filter(inactive_since__isnull=True, purged=False)
                .select_related("grid").order_by("name", "pk")[:limit])
