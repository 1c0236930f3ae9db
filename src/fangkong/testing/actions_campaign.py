"""Writes on campaigns, their sites, slots and tubes: each ``check_*`` validates and fetches
through scoping, each ``do_*`` performs in one transaction with its audit row inside.
Bookings are in ``actions_booking``.

A campaign-wide change (status) needs an actor whose subtree covers every area of the round
(a district officer cannot start or close a city-wide round); a site-level change needs the
site's grid in the actor's subtree."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, get_scoped, units_in_scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.testing.models import (
    POOL_SIZES,
    Campaign,
    CampaignArea,
    CampaignStatus,
    Lab,
    SampleKind,
    Site,
    SiteKind,
    Slot,
    Tube,
)
from fangkong.testing.policy import campaign_policy, plan_policy, policy_in_force
from fangkong.testing.queries import campaigns_for
from fangkong.testing.queries_campaign import area_for, areas_of, covers

MAX_SPAN = dt.timedelta(days=7)  # the guides: 2-5 days for the largest cities, 24 h since 2022
CAMPAIGN_CODE = re.compile(r"^[A-Za-z0-9_-]{1,12}$")  # tube codes embed it: keep them short
SITE_CODE = re.compile(r"^[A-Za-z0-9_]{1,8}$")
MAX_TABLES = 50
SLOT_MINUTES = 60  # PlanPolicy has no slot length: an hour, as Chaoyang's time slots
MAX_TUBES = 5000  # per issuance; a site uses about 700 people a table a round
SEQ_DIGITS = 5


def _aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None:
        raise DomainError(_("%(field)s needs a time zone offset") % {"field": name}, field=name)


def _pool(size: int, name: str, *, on: dt.date) -> None:
    largest = plan_policy(on=on).max_pool_size
    if size not in POOL_SIZES or size > largest:
        raise DomainError(_("the pool size must be one of %(sizes)s")
                          % {"sizes": ", ".join(str(s) for s in POOL_SIZES if s <= largest)},
                          field=name)


def check_create_campaign(*, actor: Actor, code: str, name: str, starts_at: dt.datetime,
                          ends_at: dt.datetime, areas: dict[int, int], default_pool_size: int,
                          target_hours: int) -> list[AdminUnit]:
    actor.require(Right.SCREENING_MANAGE)
    if not CAMPAIGN_CODE.match(code):
        raise DomainError(_("the code is 1 to 12 letters, digits, - or _"), field="code")
    if Campaign.objects.filter(code=code).exists():
        raise DomainError(_("another campaign has this code"), field="code")
    if not name.strip():
        raise DomainError(_("the name is required"), field="name")
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise DomainError(_("the end is not after the start"), field="ends_at")
    if ends_at - starts_at > MAX_SPAN:
        raise DomainError(_("a round lasts at most %(days)d days") % {"days": MAX_SPAN.days},
                          field="ends_at")
    if ends_at <= clock.now():
        raise DomainError(_("the end is already past"), field="ends_at")
    if not 1 <= target_hours <= MAX_SPAN.days * 24:
        raise DomainError(_("the target is 1 to %(n)d hours") % {"n": MAX_SPAN.days * 24},
                          field="target_hours")
    day = starts_at.date()
    _pool(default_pool_size, "default_pool_size", on=day)
    for size in areas.values():
        _pool(size, "areas", on=day)
    return _area_units(actor, list(areas))


def _area_units(actor: Actor, unit_ids: list[int]) -> list[AdminUnit]:
    """The chosen nodes, all in the actor's subtree and none inside another."""
    if not unit_ids:
        raise DomainError(_("choose at least one area"), field="areas")
    units = list(units_in_scope(actor).filter(pk__in=unit_ids))
    if len(units) != len(set(unit_ids)):
        raise DomainError(_("an area is outside your jurisdiction"), field="areas")
    for inner in units:
        for outer in units:
            if inner.pk != outer.pk and inner.level > outer.level and covers(outer, inner):
                raise DomainError(_("%(inner)s lies inside %(outer)s: choose one of them")
                                  % {"inner": inner.name, "outer": outer.name}, field="areas")
    return units


def do_create_campaign(*, actor: Actor, code: str, name: str, starts_at: dt.datetime,
                       ends_at: dt.datetime, areas: dict[int, int], default_pool_size: int = 10,
                       target_hours: int = 24) -> Campaign:
    """A planned round over ``areas`` (unit id → pool size), under the policy in force on its
    first day (stored, so a later policy does not change a running round)."""
    code, name = code.strip(), name.strip()
    with transaction.atomic():
        units = check_create_campaign(
            actor=actor, code=code, name=name, starts_at=starts_at, ends_at=ends_at,
            areas=areas, default_pool_size=default_pool_size, target_hours=target_hours)
        version = policy_in_force(on=starts_at.date())
        campaign = Campaign.objects.create(
            code=code, name=name, starts_at=starts_at, ends_at=ends_at,
            target_hours=target_hours, default_pool_size=default_pool_size,
            policy=version if version.pk else None, created_by_id=actor.user_id,
            created_at=clock.now())
        for unit in units:
            area = CampaignArea(campaign=campaign, unit=unit, pool_size=areas[unit.pk])
            area.place_in(unit)
            area.save()
        record(actor=actor, verb="screening.campaign.create", target=campaign,
               after={**snapshot(campaign), "areas": {str(k): v for k, v in areas.items()}})
    return campaign


def managed_campaign(actor: Actor, campaign_id: int) -> Campaign:
    """The campaign, locked, when the actor's subtree covers every one of its areas."""
    campaign = campaigns_for(actor).filter(pk=campaign_id).first()
    if campaign is None or actor.unit is None:
        raise NotFound("campaign")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not all(covers(actor.unit, area.unit) for area in areas_of(campaign)):
        raise PermissionDenied(_("this round covers areas outside your jurisdiction"))
    return campaign


NEXT_STATUS = {"start": ({CampaignStatus.PLANNED}, CampaignStatus.RUNNING),
               "close": ({CampaignStatus.PLANNED, CampaignStatus.RUNNING}, CampaignStatus.CLOSED)}


def do_set_status(*, actor: Actor, campaign_id: int, act: str) -> Campaign:
    """Start a planned round, or close a planned or running one (closing is final)."""
    actor.require(Right.SCREENING_MANAGE)
    if act not in NEXT_STATUS:
        raise DomainError(_("unknown action"), field="act")
    allowed, target = NEXT_STATUS[act]
    with transaction.atomic():
        campaign = managed_campaign(actor, campaign_id)
        if campaign.status not in allowed:
            raise Conflict(_("the round is %(status)s") % {
                "status": campaign.get_status_display()}, field="status")
        before = snapshot(campaign)
        campaign.status = target
        campaign.save(update_fields=["status"])
        record(actor=actor, verb=f"screening.campaign.{act}", target=campaign, before=before,
               after=snapshot(campaign))
    return campaign


def _open_campaign(actor: Actor, campaign_id: int) -> Campaign:
    campaign = campaigns_for(actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("campaign")
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("the round is closed"), field="status")
    return campaign


def _grid(actor: Actor, campaign: Campaign, grid_id: int) -> AdminUnit:
    grid = units_in_scope(actor).filter(pk=grid_id, level=Level.GRID).first()
    if grid is None:
        raise DomainError(_("choose a grid in your jurisdiction"), field="grid_id")
    if area_for(areas_of(campaign), grid) is None:
        raise DomainError(_("this grid is outside the round's areas"), field="grid_id")
    return grid


def _lab(lab_id: int | None, district_id: int | None) -> Lab | None:
    """A lab of the site's district, or a city-level lab (placed above every district)."""
    if lab_id is None:
        return None
    lab = Lab.objects.filter(Q(district_id=district_id) | Q(district_id__isnull=True),
                             pk=lab_id).first()
    if lab is None:
        raise DomainError(_("choose a lab of this district or of the city"), field="lab_id")
    return lab


def check_site_fields(*, campaign: Campaign, kind: str, tables: int, opens_at: dt.datetime,
                      closes_at: dt.datetime) -> None:
    if kind not in SiteKind.values:
        raise DomainError(_("unknown kind of site"), field="kind")
    if not 1 <= tables <= MAX_TABLES:
        raise DomainError(_("a site has 1 to %(n)d tables") % {"n": MAX_TABLES}, field="tables")
    _aware(opens_at, "opens_at")
    _aware(closes_at, "closes_at")
    if closes_at <= opens_at:
        raise DomainError(_("the site closes before it opens"), field="closes_at")
    if opens_at < campaign.starts_at or closes_at > campaign.ends_at:
        raise DomainError(_("the opening hours must lie inside the round"), field="opens_at")


def do_add_site(*, actor: Actor, campaign_id: int, code: str, name: str, grid_id: int,
                opens_at: dt.datetime, closes_at: dt.datetime, tables: int = 1,
                kind: str = SiteKind.FIXED, lab_id: int | None = None,
                green_channel: bool = True, address: str = "",
                lat: float | None = None, lon: float | None = None) -> Site:
    """A sampling site at a grid of the round (fixed, a mobile team, or a door-to-door team)."""
    actor.require(Right.SCREENING_MANAGE)
    code = code.strip()
    with transaction.atomic():
        campaign = _open_campaign(actor, campaign_id)
        if not SITE_CODE.match(code):
            raise DomainError(_("the code is 1 to 8 letters, digits or _"), field="code")
        if Site.objects.filter(campaign=campaign, code=code).exists():
            raise DomainError(_("another site of this round has this code"), field="code")
        if not name.strip():
            raise DomainError(_("the name is required"), field="name")
        check_site_fields(campaign=campaign, kind=kind, tables=tables, opens_at=opens_at,
                          closes_at=closes_at)
        grid = _grid(actor, campaign, grid_id)
        site = Site(campaign=campaign, code=code, name=name.strip(), kind=kind, tables=tables,
                    opens_at=opens_at, closes_at=closes_at, lab=_lab(lab_id, grid.district_id),
                    green_channel=green_channel, address=address.strip()[:200], lat=lat, lon=lon)
        site.place_in(grid)
        site.save()
        record(actor=actor, verb="screening.site.add", target=site, after=snapshot(site))
    return site


def _locked_site(actor: Actor, site_id: int) -> Site:
    site = get_scoped(Site.objects.select_for_update().select_related("campaign"), actor,
                      what="site", pk=site_id)
    if campaigns_for(actor).filter(pk=site.campaign_id).first() is None:
        raise NotFound("site")
    if site.campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("the round is closed"), field="status")
    return site


SITE_EDITABLE = ("name", "kind", "tables", "opens_at", "closes_at", "green_channel",
                 "address", "lat", "lon")


def do_edit_site(*, actor: Actor, site_id: int, lab_id: int | None = None,
                 **changes: Any) -> Site:
    """Change a site; its slots follow: empty slots outside the new hours go, capacities are
    recomputed for the tables, and a change that would strand a booking is refused."""
    actor.require(Right.SCREENING_MANAGE)
    unknown = sorted(set(changes) - set(SITE_EDITABLE))
    if unknown:
        raise DomainError(_("unknown field %(name)s") % {"name": unknown[0]}, field=unknown[0])
    with transaction.atomic():
        site = _locked_site(actor, site_id)
        before = snapshot(site)
        for name, value in changes.items():
            if value is not None:
                setattr(site, name, value.strip() if isinstance(value, str) else value)
        if not site.name:
            raise DomainError(_("the name is required"), field="name")
        check_site_fields(campaign=site.campaign, kind=site.kind, tables=site.tables,
                          opens_at=site.opens_at, closes_at=site.closes_at)
        if lab_id is not None:
            site.lab = _lab(lab_id, site.district_id)
        site.save()
        _refit_slots(site)
        record(actor=actor, verb="screening.site.edit", target=site, before=before,
               after=snapshot(site))
    return site


def _place_like(row: Any, site: Site) -> None:
    """Slots and tubes sit at their site's grid (copied: no query for the unit)."""
    row.district_id, row.street_id = site.district_id, site.street_id
    row.community_id, row.grid_id = site.community_id, site.grid_id


def slot_capacity(*, tables: int, rate_per_hour: float, minutes: float) -> int:
    """People a slot can take: tables × a table's swabs an hour × the slot's hours."""
    return math.floor(tables * rate_per_hour * minutes / 60)


def _refit_slots(site: Site) -> None:
    rate = campaign_policy(site.campaign).table_rate_per_hour
    for slot in Slot.objects.select_for_update().filter(site=site):
        inside = site.opens_at <= slot.starts_at and slot.ends_at <= site.closes_at
        minutes = (slot.ends_at - slot.starts_at).total_seconds() / 60
        capacity = slot_capacity(tables=site.tables, rate_per_hour=rate, minutes=minutes)
        if (not inside or capacity < slot.booked or site.kind == SiteKind.DOOR) and slot.booked:
            raise Conflict(_("a slot with bookings would be lost or overfull"), field="tables")
        if not inside or site.kind == SiteKind.DOOR:
            slot.delete()
        elif capacity != slot.capacity:
            slot.capacity = capacity
            slot.save(update_fields=["capacity"])


def do_open_slots(*, actor: Actor, site_id: int, minutes: int | None = None) -> list[Slot]:
    """Cut the site's opening hours into bookable slots (the last one may be shorter).
    Slots already there are replaced while none is booked."""
    actor.require(Right.SCREENING_MANAGE)
    length = minutes or SLOT_MINUTES
    if not 15 <= length <= 240:
        raise DomainError(_("a slot lasts 15 to 240 minutes"), field="minutes")
    with transaction.atomic():
        site = _locked_site(actor, site_id)
        if site.kind == SiteKind.DOOR:
            raise DomainError(_("a door-to-door team has no slots to book"), field="kind")
        if Slot.objects.filter(site=site, booked__gt=0).exists():
            raise Conflict(_("slots are booked already; edit the site instead"), field="minutes")
        Slot.objects.filter(site=site).delete()
        rate = campaign_policy(site.campaign).table_rate_per_hour
        slots, start = [], site.opens_at
        while start < site.closes_at:
            end = min(start + dt.timedelta(minutes=length), site.closes_at)
            minutes_here = (end - start).total_seconds() / 60
            capacity = slot_capacity(tables=site.tables, rate_per_hour=rate,
                                     minutes=minutes_here)
            if capacity:
                slot = Slot(site=site, starts_at=start, ends_at=end, capacity=capacity)
                _place_like(slot, site)
                slots.append(slot)
            start = end
        Slot.objects.bulk_create(slots)
        record(actor=actor, verb="screening.slots.open", target=site,
               after={"minutes": length, "slots": len(slots),
                      "capacity": sum(s.capacity for s in slots)})
    return slots


def do_issue_tubes(*, actor: Actor, site_id: int, count: int, capacity: int,
                   kind: str = SampleKind.SCREENING) -> list[Tube]:
    """Barcodes for a site: ``<campaign>-<site>-<seq>`` (retests ``…-R<seq>``), numbered on
    from the site's last issue; unique across the city as campaign and site codes are."""
    actor.require(Right.SCREENING_MANAGE)
    if kind not in SampleKind.values:
        raise DomainError(_("unknown kind of tube"), field="kind")
    if kind == SampleKind.RETEST and capacity != 1:
        raise DomainError(_("a retest tube holds one person"), field="capacity")
    if not 1 <= count <= MAX_TUBES:
        raise DomainError(_("issue 1 to %(n)d tubes at a time") % {"n": MAX_TUBES},
                          field="count")
    with transaction.atomic():
        site = _locked_site(actor, site_id)
        _pool(capacity, "capacity", on=site.campaign.starts_at.date())
        prefix = f"{site.campaign.code}-{site.code}-{'R' if kind == SampleKind.RETEST else ''}"
        done = Tube.objects.filter(site=site, kind=kind, code__startswith=prefix).count()
        if done + count >= 10 ** SEQ_DIGITS:
            raise DomainError(_("this site has no numbers left for that many tubes"),
                              field="count")
        tubes = [Tube(campaign=site.campaign, site=site, kind=kind, capacity=capacity,
                      code=f"{prefix}{done + n:0{SEQ_DIGITS}d}") for n in range(1, count + 1)]
        for tube in tubes:
            _place_like(tube, site)
        try:
            with transaction.atomic():
                made = Tube.objects.bulk_create(tubes)
        except IntegrityError as exc:
            raise Conflict(_("a tube code is taken; issue again"), field="count") from exc
        record(actor=actor, verb="screening.tubes.issue", target=site,
               after={"count": count, "capacity": capacity, "kind": kind,
                      "first": tubes[0].code, "last": tubes[-1].code})
    return made
