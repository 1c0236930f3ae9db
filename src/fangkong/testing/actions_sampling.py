"""Sampling at the table: the checks every upload and lookup share, and the live lookup a
sampler's phone makes while online.

A sampler holds no PII right and works at one node of the tree, yet must identify any
resident who walks up to the table, wherever they live. So only the *site* goes through the
scoping function; persons are looked up city-wide by their ID number and leave the server
masked (name and number), which is all a table needs to confirm who stands there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.privacy import mask_id_number
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.synth.idcard import is_valid
from fangkong.testing.models import (
    CampaignArea,
    CampaignStatus,
    Hold,
    HoldStatus,
    Sample,
    SampleKind,
    Site,
)
from fangkong.testing.queries import campaigns_for
from fangkong.tracing.models import Contact

MAX_EVENTS = 5000  # one batch; a table fills ~120 tubes an hour, so this is hours of work
FUTURE_SKEW = dt.timedelta(minutes=10)  # a device clock may run a little ahead
# Until the quarantine module records releases, a tracing contact counts as open (must go
# single-tube) this long after their last exposure: the longest quarantine plus monitoring
# of the editions in reference/china-practice.md (14 days of the early editions).
CONTACT_OPEN_DAYS = 14
EVENT_TYPES = ("open", "scan", "seal")


@dataclass(frozen=True, kw_only=True)
class Event:
    """One thing done at the table, stamped by the device's clock."""

    type: str  # open | scan | seal
    tube: str
    at: dt.datetime
    id_number: str = ""
    name: str = ""  # typed for a visitor not in the registry
    phone: str = ""
    channel: str = ""  # site | green | door; empty: from the site's kind


@dataclass(frozen=True, kw_only=True)
class Batch:
    """One upload from a device; ``client_key`` is made on the device, once per batch."""

    client_key: str
    campaign_id: int
    site_id: int
    device: str = ""
    events: list[Event] = field(default_factory=list)


class Code(StrEnum):
    """The answer to one event, shown at the table."""

    OK = "ok"
    VISITOR_REGISTERED = "visitor_registered"
    UNKNOWN_TUBE = "unknown_tube"
    TUBE_OF_ANOTHER_CAMPAIGN = "tube_of_another_campaign"
    TUBE_OF_ANOTHER_SITE = "tube_of_another_site"
    TUBE_FULL = "tube_full"
    TUBE_SEALED = "tube_sealed"
    TUBE_EMPTY = "tube_empty"
    ALREADY_SAMPLED = "already_sampled"
    BAD_ID_NUMBER = "bad_id_number"
    SINGLE_TUBE_REQUIRED = "single_tube_required"
    NOT_ON_HOLD = "not_on_hold"
    BAD_TIME = "bad_time"


ACCEPTED = frozenset({Code.OK, Code.VISITOR_REGISTERED})

MESSAGES: dict[str, Promise] = {
    Code.OK: gettext_lazy("Done."),
    Code.VISITOR_REGISTERED: gettext_lazy(
        "Not in the registry: registered as a visitor at this site and sampled."),
    Code.UNKNOWN_TUBE: gettext_lazy("Tube %(tube)s was never issued: use another tube."),
    Code.TUBE_OF_ANOTHER_CAMPAIGN: gettext_lazy(
        "Tube %(tube)s belongs to another round: use a tube of this round."),
    Code.TUBE_OF_ANOTHER_SITE: gettext_lazy(
        "Tube %(tube)s was issued to another site: use a tube of this site."),
    Code.TUBE_FULL: gettext_lazy(
        "Tube %(tube)s is full (%(capacity)s people): seal it and open a new tube."),
    Code.TUBE_SEALED: gettext_lazy("Tube %(tube)s is already sealed: open a new tube."),
    Code.TUBE_EMPTY: gettext_lazy("Tube %(tube)s is empty: nothing to seal."),
    Code.ALREADY_SAMPLED: gettext_lazy(
        "%(person)s %(id)s was already sampled in this round: not added again."),
    Code.BAD_ID_NUMBER: gettext_lazy(
        "ID number %(id)s is not valid (check digit): scan or type it again."),
    Code.SINGLE_TUBE_REQUIRED: gettext_lazy(
        "%(person)s %(id)s must be swabbed alone: use a single tube."),
    Code.NOT_ON_HOLD: gettext_lazy(
        "%(id)s is not held for a retest in this round: a retest tube is only for them."),
    Code.BAD_TIME: gettext_lazy("The device clock is ahead: the time is in the future."),
}


def render(answer: dict[str, Any], *, resent: bool) -> dict[str, Any]:
    """A stored answer with each item's message in the language of this request."""
    items = []
    for item in answer.get("items", []):
        params = {"tube": "", "person": "", "id": "", "capacity": "", **item}
        items.append({**item, "code": str(item["code"]),
                      "message": (str(MESSAGES[item["code"]]) % params).strip()})
    return {**answer, "items": items, "resent": resent}


def normalise_id(raw: str) -> str:
    """Scanners and thumbs add spaces and a lower-case x."""
    return "".join(raw.split()).upper()


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜: enough to confirm the person at the table."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def check_site(*, actor: Actor, site_id: int, campaign_id: int | None = None) -> Site:
    """The site, if it lies in the actor's subtree and its campaign is visible and has
    started (a closed round still takes the uploads of samples taken while it ran)."""
    actor.require(Right.SCREENING_SAMPLE)
    campaigns = campaigns_for(actor)
    if campaign_id is not None:
        campaigns = campaigns.filter(pk=campaign_id)
    site = get_scoped(Site.objects.select_related("campaign")
                      .filter(campaign__in=campaigns.values("pk")),
                      actor, what="site", pk=site_id)
    if site.campaign.status == CampaignStatus.PLANNED:
        raise Conflict(_("the round has not started yet"), field="campaign")
    return site


def check_batch(*, actor: Actor, batch: Batch) -> Site:
    """Shape of the whole batch; a bad event does not fail the batch (it gets its answer)."""
    key = batch.client_key.strip()
    if not 8 <= len(key) <= 64 or not key.isascii():
        raise DomainError(_("the client key must be 8 to 64 ASCII characters"),
                          field="client_key")
    if len(batch.events) > MAX_EVENTS:
        raise DomainError(_("at most %(n)s events in one batch") % {"n": MAX_EVENTS},
                          field="events")
    for n, event in enumerate(batch.events):
        if event.type not in EVENT_TYPES:
            raise DomainError(_("event %(n)s: unknown type %(type)s")
                              % {"n": n, "type": event.type}, field="events")
        if event.at.tzinfo is None:
            raise DomainError(_("event %(n)s: the time needs a time zone offset")
                              % {"n": n}, field="events")
    return check_site(actor=actor, site_id=batch.site_id, campaign_id=batch.campaign_id)


def single_tube_reasons(*, campaign_id: int, persons: Iterable[Person]) -> dict[int, str]:
    """Persons (by pk) who must be swabbed alone: an open tracing contact, or a campaign
    area in single-tube mode (pool size 1). Two queries whatever the number of persons."""
    persons = [p for p in persons if p.pk is not None]
    reasons: dict[int, str] = {}
    single_units = set(CampaignArea.objects.filter(campaign_id=campaign_id, pool_size=1)
                       .values_list("unit_id", flat=True))
    if single_units:
        for p in persons:
            if {p.district_id, p.street_id, p.community_id, p.grid_id} & single_units:
                reasons[p.pk] = "area"
    cutoff = clock.now() - dt.timedelta(days=CONTACT_OPEN_DAYS)
    contacts = Contact.objects.filter(person_id__in=[p.pk for p in persons],
                                      last_exposure__gte=cutoff)
    for pk in contacts.values_list("person_id", flat=True):
        reasons[pk] = "contact"
    return reasons


@dataclass(frozen=True, kw_only=True)
class Lookup:
    """What the table learns about one ID number, all of it masked."""

    id_number: str  # masked
    valid: bool
    known: bool
    name: str = ""  # masked
    temporary: bool = False
    already_sampled: bool = False
    on_hold: bool = False
    single_tube: bool = False
    reason: str = ""  # contact | area


def lookup_person(*, actor: Actor, site_id: int, id_number: str) -> Lookup:
    """Online check before the swab: is this a resident, sampled already in this round,
    held for a retest, or to be swabbed alone? Unknown but valid: a visitor to register."""
    site = check_site(actor=actor, site_id=site_id)
    number = normalise_id(id_number)
    masked = mask_id_number(number)
    person = Person.objects.filter(id_number=number).first() if number else None
    if person is None:
        return Lookup(id_number=masked, valid=is_valid(number), known=False)
    campaign_id = site.campaign_id
    sampled = Sample.objects.filter(campaign_id=campaign_id, person=person,
                                    kind=SampleKind.SCREENING).exists()
    held = Hold.objects.filter(campaign_id=campaign_id, person=person,
                               status=HoldStatus.HELD, retest__isnull=True).exists()
    reason = single_tube_reasons(campaign_id=campaign_id, persons=[person]).get(person.pk, "")
    return Lookup(id_number=masked, valid=True, known=True, name=mask_name(person.name),
                  temporary=person.temporary, already_sampled=sampled, on_hold=held,
                  single_tube=bool(reason), reason=reason)


def site_tubes(*, actor: Actor, site_id: int) -> tuple[Site, list[dict[str, object]]]:
    """The tubes issued to a site and still usable, for the device's offline checks."""
    site = check_site(actor=actor, site_id=site_id)
    rows = (site.tubes.filter(status__in=["issued", "open"])
            .order_by("code").values("code", "capacity", "kind", "status", "members"))
    return site, [dict(row) for row in rows]
