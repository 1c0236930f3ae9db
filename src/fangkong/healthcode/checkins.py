"""Venue check-in (场所码). Every venue has a code: a signed URL (``django.core.signing``
Signer, salt ``healthcode.venue``) so a code cannot be forged or guessed from a venue's
number. A resident records a check-in from their own page (through their signed link),
typing or pasting the code; the page keeps unsent check-ins on the phone and uploads them when
the network returns, so every upload is a batch of ``{venue_token, ts, client_key}``.

Each item is stored once per (person, client key) (a database constraint settles two uploads
racing), and each bad item is refused with its index, field and reason while the rest are
stored: a forged venue code, a time in the future (beyond a small clock skew) or older than
the tracing window. Rows are Placed at the venue, and the export writes them to the contact
engine's ``checkins`` files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.errors import DomainError, NotFound
from fangkong.healthcode.models import Checkin, CheckinSource
from fangkong.healthcode.resident import link_actor
from fangkong.registry.models import Person, Venue

VENUE_SALT = "healthcode.venue"
MAX_ITEMS = 200
MAX_AGE = dt.timedelta(days=14)  # older check-ins are past every contact window
CLOCK_SKEW = dt.timedelta(minutes=2)  # a phone's clock may run this far ahead
KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
IN_URL = re.compile(r"/v/([^/?#\s]+)/?")


# ---------------------------------------------------------------- the venue's code


def _signer() -> signing.Signer:
    return signing.Signer(salt=VENUE_SALT)


def venue_token(venue: Venue) -> str:
    return _signer().sign(str(venue.pk))


def venue_code_url(venue: Venue) -> str:
    """The path a venue's poster encodes (``request.build_absolute_uri`` makes it whole)."""
    return reverse("public_healthcode_venue", args=[venue_token(venue)])


def token_of(text: str) -> str:
    """The venue token in what a resident typed or pasted: the poster's URL or the bare
    token."""
    text = text.strip()
    found = IN_URL.search(text)
    return found.group(1) if found else text


def read_venue_token(text: str) -> Venue:
    """The venue of a code; forged, altered and unknown codes all raise NotFound."""
    try:
        venue_id = int(_signer().unsign(token_of(text)))
    except (signing.BadSignature, ValueError):
        raise NotFound("venue code") from None
    venue = Venue.objects.filter(pk=venue_id).first()
    if venue is None:
        raise NotFound("venue code")
    return venue


# ---------------------------------------------------------------- recording


@dataclass
class CheckinCounts:
    stored: int = 0
    duplicate: int = 0
    refused: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "duplicate": self.duplicate, "refused": self.refused,
                "errors": self.errors}


def _timestamp(raw: Any) -> dt.datetime:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise DomainError(_("a time is required"), field="ts")
    try:
        when = (dt.datetime.fromtimestamp(float(raw), tz=dt.UTC)
                if isinstance(raw, int | float) else dt.datetime.fromisoformat(raw))
    except (ValueError, OverflowError, OSError):
        raise DomainError(_("not a time: use ISO 8601 with an offset"), field="ts") from None
    if when.tzinfo is None:
        raise DomainError(_("the time needs an offset (e.g. +08:00 or Z)"), field="ts")
    return when


def check_item(raw: Any, *, now: dt.datetime, venues: dict[str, Venue]) -> Checkin:
    """One uploaded item as an unsaved row, or DomainError naming the field."""
    if not isinstance(raw, dict):
        raise DomainError(_("each item is an object"), field="item")
    key = raw.get("client_key")
    if not isinstance(key, str) or not KEY.match(key):
        raise DomainError(_("a client key of 8 to 64 letters, digits or - _ . :"),
                          field="client_key")
    when = _timestamp(raw.get("ts"))
    if when > now + CLOCK_SKEW:
        raise DomainError(_("the time is in the future"), field="ts")
    if when < now - MAX_AGE:
        raise DomainError(_("older than %(days)d days: no longer taken")
                          % {"days": MAX_AGE.days}, field="ts")
    text = raw.get("venue_token")
    if not isinstance(text, str) or not text.strip():
        raise DomainError(_("a venue code is required"), field="venue_token")
    token = token_of(text)
    if token not in venues:
        try:
            venues[token] = read_venue_token(token)
        except NotFound:
            raise DomainError(_("not a valid venue code"), field="venue_token") from None
    venue = venues[token]
    row = Checkin(venue=venue, ts=when, source=CheckinSource.RESIDENT, client_key=key,
                  received_at=now)
    row.district_id, row.street_id = venue.district_id, venue.street_id
    row.community_id, row.grid_id = venue.community_id, venue.grid_id
    return row


def _checked(person: Person, items: Sequence[Any], now: dt.datetime,
             counts: CheckinCounts) -> dict[str, Checkin]:
    """Valid new rows by client key; refusals and repeats go into ``counts``."""
    venues: dict[str, Venue] = {}
    rows: dict[str, Checkin] = {}
    for index, raw in enumerate(items):
        try:
            row = check_item(raw, now=now, venues=venues)
        except DomainError as exc:
            counts.refused += 1
            counts.errors.append({"index": index, "field": exc.field, "reason": exc.message})
            continue
        if row.client_key in rows:
            counts.duplicate += 1
        else:
            row.person = person
            rows[row.client_key] = row
    return rows


def do_record_checkins(*, person: Person, items: Any, ip: str | None = None,
                       now: dt.datetime | None = None) -> CheckinCounts:
    """Store a resident's uploaded check-ins once each; the answer counts stored, repeated
    and refused items and names each refusal by index."""
    if not isinstance(items, list | tuple) or not items:
        raise DomainError(_("send a list of check-ins"), field="items")
    if len(items) > MAX_ITEMS:
        raise DomainError(_("at most %(n)d check-ins per upload") % {"n": MAX_ITEMS},
                          field="items")
    when = now or clock.now()
    counts = CheckinCounts()
    rows = _checked(person, items, when, counts)
    with transaction.atomic():
        known = set(Checkin.objects.filter(person=person, client_key__in=list(rows))
                    .values_list("client_key", flat=True))
        new = [row for key, row in rows.items() if key not in known]
        Checkin.objects.bulk_create(new, ignore_conflicts=True)
        counts.duplicate += len(known)
        counts.stored = len(new)
        if new:
            record(actor=link_actor(person, ip=ip), verb="healthcode.checkin.record",
                   target=person, after={"stored": len(new),
                                         "venues": sorted({r.venue_id for r in new})})
    return counts
