"""Scans uploaded by door devices: what each gate decided offline, stored once.

A device verifies codes with no network (signature and expiry against cached public keys),
queues each decision, and uploads a batch ``{device, venue_id, events}`` when it can. A batch is
one transaction with one audit row; every event is stored once per ``(device, client_key)``
(a resent batch, or one whose answer was lost, stores nothing new); a bad event is reported by
its index and field and the rest are stored. A scan that admitted a person (``pass``) whose
pseudonym names a current code also records a venue ``Checkin`` (source ``gate``) for the
contact engine; a person turned away at the door was never inside, so a refused scan records no
check-in (it would make false contacts of everyone inside).

The device's decision is kept as it was made; the server checks only that it is coherent (a red
code or a failed signature never ``pass``) so a tampered upload cannot whitewash a stop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.healthcode.models import (
    Checkin,
    CheckinSource,
    Colour,
    GateScan,
    PersonCode,
    ScanResult,
)
from fangkong.registry.models import Venue

MAX_EVENTS = 500  # one upload; a device with more sends several batches
FUTURE_SKEW = dt.timedelta(minutes=10)  # a device clock a little ahead is tolerated
MAX_AGE = dt.timedelta(days=14)  # the contact engine looks back 14 days; older is noise
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
TEMPERATURE_RANGE = (Decimal("30.0"), Decimal("45.0"))

# What a device may give as the reason of its decision, in words for the gate page.
PASS_REASONS = {
    "green": gettext_lazy("Green code"),
    "restricted_admitted": gettext_lazy("Yellow code: restricted, admitted to this venue"),
}
STOP_REASONS = {
    "red": gettext_lazy("Red code: no entry"),
    "restricted": gettext_lazy("Yellow code: restricted, not admitted here"),
    "popup": gettext_lazy("Pop-up on the code: a test or a check is needed first"),
    "fever": gettext_lazy("Fever"),
    "expired": gettext_lazy("Code expired: ask for a refreshed code"),
    "not_yet_valid": gettext_lazy("Code not yet valid: check this device's clock"),
    "bad_signature": gettext_lazy("Forged or altered code"),
    "unknown_key": gettext_lazy("Signed by a key this device does not know: refresh the keys"),
    "malformed": gettext_lazy("Not a health code"),
    "no_keys": gettext_lazy("No keys on this device yet: connect once to load them"),
    "unsupported": gettext_lazy("This browser cannot verify codes (it needs https)"),
}
REASONS = {**PASS_REASONS, **STOP_REASONS}
PASS_COLOUR = {"green": Colour.GREEN, "restricted_admitted": Colour.YELLOW}


@dataclass(frozen=True)
class ScanEvent:
    client_key: str
    scanned_at: dt.datetime
    pseudonym: str
    colour: str
    result: str
    reason: str
    temperature: Decimal | None


@dataclass
class IngestAnswer:
    stored: int = 0
    duplicates: int = 0
    checkins: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "duplicates": self.duplicates,
                "rejected": len(self.errors), "checkins": self.checkins,
                "errors": self.errors}


class EventError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def do_ingest_scans(*, actor: Actor, device: str, venue_id: int,
                    events: list[Any]) -> IngestAnswer:
    """Store a device's batch; answer per event (stored, already stored, or why refused)."""
    actor.require(Right.HEALTHCODE_GATE)
    venue = get_scoped(Venue.objects.all(), actor, what="venue", pk=venue_id)
    device = _check_device(device)
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise DomainError(_("send a list of at most %(n)d events per batch") % {"n": MAX_EVENTS},
                          field="events")
    answer = IngestAnswer()
    good: dict[str, ScanEvent] = {}
    now = clock.now()
    for index, raw in enumerate(events):
        try:
            event = parse_event(raw, now=now)
        except EventError as exc:
            answer.errors.append({"index": index, "field": exc.field, "message": exc.message})
            continue
        if event.client_key in good:
            answer.duplicates += 1  # the same event twice in one batch
        else:
            good[event.client_key] = event
    with transaction.atomic():
        _store(actor=actor, venue=venue, device=device, good=good, answer=answer, now=now)
    return answer


def _check_device(device: str) -> str:
    device = (device or "").strip()
    if not KEY_PATTERN.match(device):
        raise DomainError(_("the device id must be 1 to 64 letters, digits or _.:-"),
                          field="device")
    return device


def _store(*, actor: Actor, venue: Venue, device: str, good: dict[str, ScanEvent],
           answer: IngestAnswer, now: dt.datetime) -> None:
    known = set(GateScan.objects.filter(device=device, client_key__in=list(good))
                .values_list("client_key", flat=True))
    fresh = [e for key, e in good.items() if key not in known]
    answer.duplicates += len(known)
    rows = [_scan_row(venue, device, e, now) for e in fresh]
    GateScan.objects.bulk_create(rows, ignore_conflicts=True)  # a racing resend stores once
    answer.stored = len(rows)
    answer.checkins = _record_checkins(venue, device, fresh, now)
    record(actor=actor, verb="healthcode.gate_scans.upload", target=venue,
           after={"device": device, "stored": answer.stored, "duplicates": answer.duplicates,
                  "rejected": len(answer.errors), "checkins": answer.checkins})


def _scan_row(venue: Venue, device: str, e: ScanEvent, now: dt.datetime) -> GateScan:
    row = GateScan(device=device, client_key=e.client_key, venue=venue, scanned_at=e.scanned_at,
                   pseudonym=e.pseudonym, colour=e.colour, result=e.result, reason=e.reason,
                   temperature=e.temperature, received_at=now)
    _place_like(row, venue)
    return row


def _record_checkins(venue: Venue, device: str, fresh: list[ScanEvent],
                     now: dt.datetime) -> int:
    admitted = [e for e in fresh if e.result == ScanResult.PASS and e.pseudonym]
    if not admitted:
        return 0
    people = dict(PersonCode.objects.filter(pseudonym__in={e.pseudonym for e in admitted})
                  .values_list("pseudonym", "person_id"))
    rows = []
    for e in admitted:
        if e.pseudonym in people:
            row = Checkin(person_id=people[e.pseudonym], venue=venue, ts=e.scanned_at,
                          source=CheckinSource.GATE, received_at=now,
                          client_key=checkin_key(device, e.client_key))
            _place_like(row, venue)
            rows.append(row)
    Checkin.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def checkin_key(device: str, client_key: str) -> str:
    """The check-in's own key: stable for one scan, apart from residents' own keys."""
    digest = hashlib.sha256(f"{device}\0{client_key}".encode()).hexdigest()[:40]
    return f"gate:{digest}"


def _place_like(row: Any, venue: Venue) -> None:
    row.district_id, row.street_id = venue.district_id, venue.street_id
    row.community_id, row.grid_id = venue.community_id, venue.grid_id


def parse_event(raw: Any, *, now: dt.datetime) -> ScanEvent:
    """One event as the device sent it, checked field by field (the first bad one is named)."""
    if not isinstance(raw, dict):
        raise EventError("event", _("each event must be an object"))
    key = raw.get("client_key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise EventError("client_key", _("a client key of 1 to 64 letters, digits or _.:- "
                                         "is required"))
    event = ScanEvent(
        client_key=key, scanned_at=_scanned_at(raw.get("scanned_at"), now),
        pseudonym=_pseudonym(raw.get("pseudonym")), colour=_choice(raw, "colour", Colour),
        result=_choice(raw, "result", ScanResult, blank=False), reason=_reason(raw),
        temperature=_temperature(raw.get("temperature")))
    _check_coherent(event)
    return event


def _scanned_at(value: Any, now: dt.datetime) -> dt.datetime:
    at = parse_datetime(value) if isinstance(value, str) else None
    if at is None or at.tzinfo is None:
        raise EventError("scanned_at", _("an ISO 8601 time with its offset is required"))
    if at > now + FUTURE_SKEW:
        raise EventError("scanned_at", _("the scan time is in the future"))
    if at < now - MAX_AGE:
        raise EventError("scanned_at", _("the scan is older than 14 days"))
    return at


def _pseudonym(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not KEY_PATTERN.match(value) or len(value) > 24:
        raise EventError("pseudonym", _("the pseudonym must be at most 24 url-safe characters"))
    return value


def _choice(raw: dict[str, Any], name: str, choices: Any, *, blank: bool = True) -> str:
    value = raw.get(name) or ""
    if (blank and value == "") or value in choices.values:
        return str(value)
    allowed = ", ".join(choices.values)
    raise EventError(name, _("%(field)s must be one of: %(allowed)s")
                     % {"field": name, "allowed": allowed})


def _reason(raw: dict[str, Any]) -> str:
    value = raw.get("reason") or ""
    if value not in REASONS:
        raise EventError("reason", _("unknown reason %(value)s") % {"value": str(value)[:40]})
    return str(value)


def _temperature(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        degrees = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise EventError("temperature", _("the temperature must be a number")) from None
    low, high = TEMPERATURE_RANGE
    if not low <= degrees <= high:
        raise EventError("temperature", _("the temperature must be between %(low)s and "
                                          "%(high)s °C") % {"low": low, "high": high})
    return degrees


def _check_coherent(e: ScanEvent) -> None:
    if e.result == ScanResult.PASS and e.reason not in PASS_REASONS:
        raise EventError("result", _("a scan stopped for this reason cannot pass"))
    if e.result == ScanResult.PASS and e.colour != PASS_COLOUR[e.reason]:
        raise EventError("colour", _("this colour cannot pass for this reason"))
    if e.result == ScanResult.STOP and e.reason in PASS_REASONS:
        raise EventError("reason", _("this reason admits; the result must be pass"))
    if e.reason in PASS_REASONS and not e.pseudonym:
        raise EventError("pseudonym", _("an admitted scan needs the code's pseudonym"))
