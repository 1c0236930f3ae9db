"""What a cold store records: its places, the batches entering the city through them (with
their certificates) and every movement, one at a time or as a CSV list. A batch is stored
once by its code and a movement once by its client key: sending the same again changes
nothing. A movement names the batch by code and the places by venue code; the recorder must
hold one end of it (the sender or the receiver)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.coldchain.models import Batch, ColdPlace, Movement, NatResult, PlaceKind
from fangkong.core import cells, clock
from fangkong.core.audit import record, snapshot
from fangkong.core.csvfile import read_csv_rows
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.registry.models import Venue

CSV_MAX_ROWS = 50_000


def _kg(value: decimal.Decimal | float | str, *, field: str = "quantity_kg") -> decimal.Decimal:
    try:
        kg = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation as exc:
        raise DomainError(_("%(field)s is not a number") % {"field": field},
                          field=field) from exc
    if not kg.is_finite() or kg <= 0 or kg >= 10**10:
        raise DomainError(_("%(field)s must be more than 0") % {"field": field}, field=field)
    return kg.quantize(decimal.Decimal("0.01"))


def _text(value: str, *, field: str, most: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required") % {"field": field}, field=field)
    if len(value) > most:
        raise DomainError(_("%(field)s has at most %(n)d characters")
                          % {"field": field, "n": most}, field=field)
    return value


def place_by_code(code: str, *, field: str) -> ColdPlace:
    """Any cold place of the city by its venue code (the other end of a movement may lie
    in another district)."""
    found = ColdPlace.objects.select_related("venue").filter(venue__venue_code=code).first()
    if found is None:
        raise DomainError(_("no cold-chain place has the venue code %(code)s")
                          % {"code": code}, field=field)
    return found


def _own_place(actor: Actor, code: str, *, field: str) -> ColdPlace:
    place = place_by_code(_text(code, field=field, most=32), field=field)
    if not scope(ColdPlace.objects.filter(pk=place.pk), actor).exists():
        raise DomainError(_("%(code)s is not a place of your unit") % {"code": code},
                          field=field)
    return place


# ---------------------------------------------------------------- places


def do_add_place(*, actor: Actor, venue_id: int, kind: str) -> ColdPlace:
    """A venue of the actor's area takes a cold-chain role (once)."""
    actor.require(Right.COLDCHAIN_RECORD)
    if kind not in PlaceKind.values:
        raise DomainError(_("unknown kind of place"), field="kind")
    with transaction.atomic():
        venue = get_scoped(Venue.objects.select_for_update(), actor, what="venue", pk=venue_id)
        if ColdPlace.objects.filter(venue=venue).exists():
            raise DomainError(_("this venue is already a cold-chain place"), field="venue_id")
        place = ColdPlace(venue=venue, kind=kind, created_at=clock.now())
        place.district_id, place.street_id = venue.district_id, venue.street_id
        place.community_id, place.grid_id = venue.community_id, venue.grid_id
        place.save()
        record(actor=actor, verb="coldchain.place.add", target=place, after=snapshot(place))
    return place


# ---------------------------------------------------------------- batches


@dataclass
class Stored:
    row: Any
    created: bool


def check_batch(*, actor: Actor, code: str, product: str, origin_country: str, port: str,
                arrived_at: dt.datetime | str, quantity_kg: decimal.Decimal | float | str,
                entry_place: str, nat_certificate: str = "", nat_result: str = "",
                disinfection_certificate: str = "", disinfected_on: dt.date | str | None = None,
                supervised_checked: bool | str = False) -> Batch:
    """An unsaved batch, its first bad field named."""
    result = (nat_result or NatResult.PENDING).strip().lower()
    if result not in NatResult.values:
        raise DomainError(_("nat_result is negative, positive or pending"), field="nat_result")
    day = cells.day(disinfected_on) if isinstance(disinfected_on, str) and \
        disinfected_on.strip() else disinfected_on or None
    if isinstance(disinfected_on, str) and disinfected_on.strip() and day is None:
        raise DomainError(_("disinfected_on is not a date"), field="disinfected_on")
    checked = supervised_checked if isinstance(supervised_checked, bool) else \
        supervised_checked.strip().lower() in ("1", "yes", "true", "y", "是")
    return Batch(
        code=_text(code, field="code", most=40), product=_text(product, field="product",
                                                               most=100),
        origin_country=_text(origin_country, field="origin_country", most=60),
        port=_text(port, field="port", most=60),
        arrived_at=cells.past_moment(arrived_at, field="arrived_at"), quantity_kg=_kg(quantity_kg),
        nat_certificate=_text(nat_certificate, field="nat_certificate", most=60,
                              required=False),
        nat_result=result, disinfection_certificate=_text(
            disinfection_certificate, field="disinfection_certificate", most=60,
            required=False),
        disinfected_on=day, supervised_checked=checked,
        entry_place=_own_place(actor, entry_place, field="entry_place"))


def do_record_batch(*, actor: Actor, **fields: Any) -> Stored:
    """A batch entering the city: stored with its movement from the port to its first
    store, both once (the code is the batch's key)."""
    actor.require(Right.COLDCHAIN_RECORD)
    batch = check_batch(actor=actor, **fields)
    with transaction.atomic():
        found = Batch.objects.filter(code=batch.code).first()
        if found is not None:
            return Stored(found, created=False)
        place = batch.entry_place
        batch.district_id, batch.street_id = place.district_id, place.street_id
        batch.community_id, batch.grid_id = place.community_id, place.grid_id
        batch.recorded_by_id, batch.recorded_at = actor.user_id, clock.now()
        batch.save()
        entry = _movement(actor, batch, None, place, when=batch.arrived_at,
                          kg=batch.quantity_kg, key=f"entry-{batch.code}"[:64])
        record(actor=actor, verb="coldchain.batch.record", target=batch,
               after=snapshot(batch) | {"entry_movement": entry.pk})
    return Stored(batch, created=True)


# ---------------------------------------------------------------- movements


def _movement(actor: Actor, batch: Batch, src: ColdPlace | None, dst: ColdPlace, *,
              when: dt.datetime, kg: decimal.Decimal, key: str) -> Movement:
    row = Movement(batch=batch, from_place=src, to_place=dst, moved_at=when, quantity_kg=kg,
                   client_key=key, recorded_by_id=actor.user_id, recorded_at=clock.now())
    row.district_id, row.street_id = dst.district_id, dst.street_id
    row.community_id, row.grid_id = dst.community_id, dst.grid_id
    row.save()
    return row


def do_record_movement(*, actor: Actor, batch_code: str, to_place: str, moved_at: Any,
                       quantity_kg: Any, client_key: str, from_place: str = "") -> Stored:
    """Part or all of a batch moved between two places (``from_place`` empty: from the
    port); the same client key again returns the first."""
    actor.require(Right.COLDCHAIN_RECORD)
    key = _text(client_key, field="client_key", most=64)
    found = Movement.objects.filter(client_key=key).first()
    if found is not None:
        return Stored(found, created=False)
    batch = Batch.objects.filter(code=_text(batch_code, field="batch_code", most=40)).first()
    if batch is None:
        raise DomainError(_("no batch has the code %(code)s") % {"code": batch_code},
                          field="batch_code")
    dst = place_by_code(_text(to_place, field="to_place", most=32), field="to_place")
    src = place_by_code(from_place.strip(), field="from_place") if from_place.strip() else None
    if src is not None and src.pk == dst.pk:
        raise DomainError(_("a movement goes between two places"), field="to_place")
    when = cells.past_moment(moved_at, field="moved_at")
    if when < batch.arrived_at:
        raise DomainError(_("moved_at is before the batch arrived"), field="moved_at")
    ends = [p.pk for p in (src, dst) if p is not None]
    if not scope(ColdPlace.objects.filter(pk__in=ends), actor).exists():
        raise DomainError(_("record the movements of your own places"), field="to_place")
    with transaction.atomic():
        row = _movement(actor, batch, src, dst, when=when, kg=_kg(quantity_kg), key=key)
        record(actor=actor, verb="coldchain.movement.record", target=row,
               after=snapshot(row))
    return Stored(row, created=True)


# ---------------------------------------------------------------- lists (CSV)

BATCH_COLUMNS = ["code", "product", "origin_country", "port", "arrived_at", "quantity_kg",
                 "entry_place"]
BATCH_OPTIONAL = ["nat_certificate", "nat_result", "disinfection_certificate",
                  "disinfected_on", "supervised_checked"]
MOVEMENT_COLUMNS = ["batch_code", "from_place", "to_place", "moved_at", "quantity_kg",
                    "client_key"]


@dataclass
class ListAnswer:
    stored: int = 0
    unchanged: int = 0
    errors: list[dict[str, object]] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


class ListRefused(DomainError):
    """Bad lines and no leave to store the good ones: nothing was stored."""

    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__(_("%(n)d lines refused; nothing stored") % {"n": len(errors)},
                         field="file")
        self.answer = ListAnswer(errors=errors)


def _import(*, actor: Actor, data: bytes, columns: list[str], optional: list[str],
            one: Callable[..., Stored], verb: str, store_good: bool) -> ListAnswer:
    """Each line in its own savepoint; every bad line is reported (line, field, message;
    the header is line 1); with one and no ``store_good``, nothing is stored."""
    actor.require(Right.COLDCHAIN_RECORD)
    rows = read_csv_rows(data, columns=columns, max_rows=CSV_MAX_ROWS)
    answer = ListAnswer()
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            values = {k: row.get(k, "") for k in columns} | \
                {k: row[k] for k in optional if k in row}
            try:
                with transaction.atomic():
                    stored = one(actor=actor, **values)
            except DomainError as exc:
                answer.errors.append({"line": line, "field": exc.field or "",
                                      "message": exc.message})
                continue
            answer.stored += stored.created
            answer.unchanged += not stored.created
        if answer.errors and not store_good:
            transaction.set_rollback(True)
        else:
            record(actor=actor, verb=verb, target=None, target_type="coldchain.list",
                   after={"lines": len(rows), **answer.as_dict()})
    if answer.errors and not store_good:
        raise ListRefused(answer.errors)
    return answer


def do_import_batches(*, actor: Actor, data: bytes, store_good: bool = False) -> ListAnswer:
    return _import(actor=actor, data=data, columns=BATCH_COLUMNS, optional=BATCH_OPTIONAL,
                   one=do_record_batch, verb="coldchain.batch.upload", store_good=store_good)


def do_import_movements(*, actor: Actor, data: bytes, store_good: bool = False) -> ListAnswer:
    return _import(actor=actor, data=data, columns=MOVEMENT_COLUMNS, optional=[],
                   one=do_record_movement, verb="coldchain.movement.upload",
                   store_good=store_good)
