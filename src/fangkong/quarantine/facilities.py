"""Quarantine facilities (集中隔离点): register, open and close them, add rooms, change a room's
state, keep the duty roster, and count what each holds.

A facility is Placed where it stands; its rooms and shifts are scoped through ``facility__``.
A room becomes occupied only through assignment and is left only through release (which sets
it to disinfecting): the manual transitions here are ready ↔ out of service and
disinfecting → ready once cleaned.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope, units_in_scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.quarantine.models import (
    DutyRole,
    DutyShift,
    Facility,
    FacilityStatus,
    OrderStatus,
    QuarantineOrder,
    Room,
    RoomState,
)

CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
PHONE = re.compile(r"^[0-9+\- ]{0,20}$")
MAX_FLOORS, MAX_PER_FLOOR, MAX_CAPACITY = 60, 99, 6
MAX_SHIFT = dt.timedelta(days=31)  # closed-loop staff rotate at least monthly
# Manual room transitions; occupied is entered by assignment and left by release only.
ROOM_MOVES = {(RoomState.READY, RoomState.OUT_OF_SERVICE),
              (RoomState.OUT_OF_SERVICE, RoomState.READY),
              (RoomState.DISINFECTING, RoomState.READY)}


@dataclass(frozen=True)
class Occupancy:
    """One facility's rooms by state, its ready beds and the people in it or on their way."""

    ready: int = 0
    occupied: int = 0
    disinfecting: int = 0
    out: int = 0
    beds_ready: int = 0
    people_in: int = 0
    people_expected: int = 0

    @property
    def rooms(self) -> int:
        return self.ready + self.occupied + self.disinfecting + self.out


def facilities_for(actor: Actor) -> QuerySet[Facility]:
    """The facilities the actor may see, by code."""
    return scope(Facility.objects.select_related("district", "street"), actor).order_by("code")


def rooms_for(actor: Actor) -> QuerySet[Room]:
    return scope(Room.objects.select_related("facility"), actor, via="facility__")


def get_facility(actor: Actor, facility_id: int, *, for_update: bool = False) -> Facility:
    qs = Facility.objects.select_for_update() if for_update else Facility.objects.all()
    return get_scoped(qs, actor, what="facility", pk=facility_id)


def occupancy(facility_qs: QuerySet[Facility]) -> dict[int, Occupancy]:
    """Counts per facility id, in two grouped queries whatever the number of facilities."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in facility_qs.values_list("pk", flat=True)}
    rooms = (Room.objects.filter(facility__in=facility_qs).values("facility_id", "state")
             .annotate(n=Count("id"), beds=Sum("capacity")))
    for row in rooms:
        c = counts[row["facility_id"]]
        c[row["state"]] = row["n"]
        if row["state"] == RoomState.READY:
            c["beds_ready"] = row["beds"] or 0
    people = (QuarantineOrder.objects.filter(facility__in=facility_qs, status__in=[
        OrderStatus.AWAITING, OrderStatus.IN_FACILITY]).values("facility_id", "status")
        .annotate(n=Count("id")))
    for person in people:
        key = "people_in" if person["status"] == OrderStatus.IN_FACILITY else "people_expected"
        counts[person["facility_id"]][key] = person["n"]
    return {pk: Occupancy(**c) for pk, c in counts.items()}


def _unit(actor: Actor, unit_id: int) -> AdminUnit:
    unit = units_in_scope(actor).filter(pk=unit_id).first()
    if unit is None or unit.level < Level.DISTRICT:
        raise DomainError(_("choose a district, street, community or grid in your "
                            "jurisdiction"), field="unit_id")
    return unit


def check_register_facility(*, actor: Actor, code: str, name: str, unit_id: int,
                            lat: float | None, lon: float | None, phone: str) -> AdminUnit:
    actor.require(Right.QUARANTINE_MANAGE)
    if not CODE.match(code):
        raise DomainError(_("the code is 1 to 32 letters, digits, - or _"), field="code")
    if Facility.objects.filter(code=code).exists():
        raise DomainError(_("another facility has this code"), field="code")
    if not name or len(name) > 128:
        raise DomainError(_("the name has 1 to 128 characters"), field="name")
    if (lat is None) != (lon is None):
        raise DomainError(_("give both latitude and longitude, or neither"), field="lat")
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError(_("the position is not on the map"), field="lat")
    if not PHONE.match(phone):
        raise DomainError(_("the phone has only digits, +, - and spaces"), field="phone")
    return _unit(actor, unit_id)


def do_register_facility(*, actor: Actor, code: str, name: str, unit_id: int,
                         address: str = "", lat: float | None = None, lon: float | None = None,
                         phone: str = "") -> Facility:
    """Register a facility on standby (audited, one transaction)."""
    code, name, address, phone = code.strip(), name.strip(), address.strip(), phone.strip()
    with transaction.atomic():
        unit = check_register_facility(actor=actor, code=code, name=name, unit_id=unit_id,
                                       lat=lat, lon=lon, phone=phone)
        facility = Facility(code=code, name=name, address=address[:200], lat=lat, lon=lon,
                            phone=phone, status=FacilityStatus.STANDBY, created_at=clock.now())
        facility.place_in(unit)
        try:
            with transaction.atomic():
                facility.save(force_insert=True)
        except IntegrityError as exc:
            raise Conflict(_("another facility has this code"), field="code") from exc
        record(actor=actor, verb="quarantine.facility.register", target=facility,
               after=snapshot(facility))
    return facility


def people_in(facility: Facility) -> int:
    return QuarantineOrder.objects.filter(facility=facility, status__in=[
        OrderStatus.AWAITING, OrderStatus.IN_FACILITY]).count()


def do_set_facility_status(*, actor: Actor, facility_id: int, status: str) -> Facility:
    """Open, stand by or close a facility; closing waits until nobody is in it or on the way."""
    actor.require(Right.QUARANTINE_MANAGE)
    if status not in FacilityStatus.values:
        raise DomainError(_("unknown facility status"), field="status")
    with transaction.atomic():
        facility = get_facility(actor, facility_id, for_update=True)
        if facility.status == status:
            return facility
        if status == FacilityStatus.CLOSED and (n := people_in(facility)):
            raise Conflict(_("%(n)d people are in this facility or assigned to it: release "
                             "or move them before closing it") % {"n": n}, field="status")
        before = snapshot(facility)
        facility.status = status
        facility.save(update_fields=["status"])
        record(actor=actor, verb="quarantine.facility.status", target=facility, before=before,
               after=snapshot(facility))
    return facility


def _room_numbers(floors: int, rooms_per_floor: int, first_floor: int) -> list[tuple[int, str]]:
    return [(f, f"{f}{i:02d}") for f in range(first_floor, first_floor + floors)
            for i in range(1, rooms_per_floor + 1)]


def check_add_rooms(*, floors: int, rooms_per_floor: int, capacity: int,
                    first_floor: int) -> None:
    if not 1 <= floors <= MAX_FLOORS:
        raise DomainError(_("floors: 1 to %(n)d") % {"n": MAX_FLOORS}, field="floors")
    if not 1 <= rooms_per_floor <= MAX_PER_FLOOR:
        raise DomainError(_("rooms per floor: 1 to %(n)d") % {"n": MAX_PER_FLOOR},
                          field="rooms_per_floor")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(_("a room holds 1 to %(n)d people") % {"n": MAX_CAPACITY},
                          field="capacity")
    if not -5 <= first_floor <= 200 or first_floor + floors - 1 > 200:
        raise DomainError(_("the first floor is between -5 and 200"), field="first_floor")


def do_add_rooms(*, actor: Actor, facility_id: int, floors: int, rooms_per_floor: int,
                 capacity: int = 1, accessible: bool = False, first_floor: int = 1) -> list[Room]:
    """Add rooms numbered floor + two digits (301, 302 …); an existing number refuses all."""
    actor.require(Right.QUARANTINE_MANAGE)
    check_add_rooms(floors=floors, rooms_per_floor=rooms_per_floor, capacity=capacity,
                    first_floor=first_floor)
    numbers = _room_numbers(floors, rooms_per_floor, first_floor)
    with transaction.atomic():
        facility = get_facility(actor, facility_id, for_update=True)
        taken = sorted(Room.objects.filter(facility=facility, number__in=[n for _f, n in numbers])
                       .values_list("number", flat=True))
        if taken:
            raise DomainError(_("rooms already exist: %(numbers)s")
                              % {"numbers": ", ".join(taken[:10])}, field="first_floor")
        now = clock.now()
        rooms = Room.objects.bulk_create([
            Room(facility=facility, number=n, floor=f, capacity=capacity, accessible=accessible,
                 state=RoomState.READY, state_since=now) for f, n in numbers])
        record(actor=actor, verb="quarantine.room.add", target=facility, after={
            "numbers": [n for _f, n in numbers], "capacity": capacity,
            "accessible": accessible})
    return rooms


def do_set_room_state(*, actor: Actor, room_id: int, state: str) -> Room:
    """Take a room out of service, bring it back, or mark it cleaned after disinfection."""
    actor.require(Right.QUARANTINE_MANAGE)
    if state not in RoomState.values:
        raise DomainError(_("unknown room state"), field="state")
    with transaction.atomic():
        room = rooms_for(actor).select_for_update(of=("self",)).filter(pk=room_id).first()
        if room is None:
            raise NotFound("room")
        if room.state == state:
            return room
        if state == RoomState.OCCUPIED:
            raise Conflict(_("a room becomes occupied only by assigning people to it"),
                           field="state")
        if room.state == RoomState.OCCUPIED:
            raise Conflict(_("room %(n)s is occupied: it is freed when its people are "
                             "released") % {"n": room.number}, field="state")
        if (room.state, state) not in ROOM_MOVES:
            raise Conflict(_("a room being disinfected can only become ready once cleaned"),
                           field="state")
        before = snapshot(room)
        room.state, room.state_since = state, clock.now()
        room.save(update_fields=["state", "state_since"])
        record(actor=actor, verb="quarantine.room.state", target=room, before=before,
               after=snapshot(room))
    return room


def shifts_of(facility: Facility, *, since: dt.datetime | None = None) -> QuerySet[DutyShift]:
    """Shifts still running or to come (all of them if ``since`` is None)."""
    qs = DutyShift.objects.filter(facility=facility).select_related("user")
    if since is not None:
        qs = qs.filter(ends_at__gt=since)
    return qs.order_by("starts_at", "id")


def _staff(actor: Actor, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, profile__unit__in=units_in_scope(actor)).first()
    if user is None:
        raise DomainError(_("choose a user in your jurisdiction"), field="user_id")
    return user


def do_add_shift(*, actor: Actor, facility_id: int, name: str, role: str,
                 starts_at: dt.datetime, ends_at: dt.datetime,
                 user_id: int | None = None) -> DutyShift:
    """Put someone on the facility's duty roster."""
    actor.require(Right.QUARANTINE_MANAGE)
    name = name.strip()
    if not name or len(name) > 64:
        raise DomainError(_("the name has 1 to 64 characters"), field="name")
    if role not in DutyRole.values:
        raise DomainError(_("unknown duty role"), field="role")
    if ends_at <= starts_at:
        raise DomainError(_("the shift ends after it starts"), field="ends_at")
    if ends_at - starts_at > MAX_SHIFT:
        raise DomainError(_("a shift lasts at most %(n)d days") % {"n": MAX_SHIFT.days},
                          field="ends_at")
    with transaction.atomic():
        facility = get_facility(actor, facility_id)
        shift = DutyShift.objects.create(facility=facility, user=_staff(actor, user_id),
                                         name=name, role=role, starts_at=starts_at,
                                         ends_at=ends_at)
        record(actor=actor, verb="quarantine.shift.add", target=shift, after=snapshot(shift))
    return shift
