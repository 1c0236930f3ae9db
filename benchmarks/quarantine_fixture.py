"""Tables for bench_quarantine.py, bulk-inserted (the fixture is not what is measured):
users, hotels with their rooms, and orders; runs inside a configured Django process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from fangkong.core import clock
from fangkong.core.models import AdminUnit, Level, Profile
from fangkong.quarantine.logic_rooms import RoomSlot
from fangkong.quarantine.models import (
    Facility,
    FacilityStatus,
    OrderKind,
    OrderReason,
    QuarantineOrder,
    QuarantinePolicy,
    Room,
)
from fangkong.registry.models import Person

BATCH = 5000


def make_user(name: str, unit: AdminUnit, role: str) -> User:
    user = User.objects.create_user(name, password="bench-only")
    Profile.objects.create(user=user, unit=unit, roles=[role])
    return user


def grids_by_district() -> dict[int, list[AdminUnit]]:
    out: dict[int, list[AdminUnit]] = {}
    for grid in AdminUnit.objects.filter(level=Level.GRID).order_by("code"):
        out.setdefault(grid.district_id or 0, []).append(grid)
    return out


def make_hotels(prefix: str, sizes: Sequence[int], slots: Sequence[RoomSlot] | None = None
                ) -> list[Facility]:
    """Hotels in use, the n-th in a grid of district n mod districts; rooms from ``slots``
    (their facility is the hotel's position, from 1) or ``sizes[i]`` single rooms."""
    grids = grids_by_district()
    districts = sorted(grids)
    now = clock.now()
    hotels = []
    for i in range(len(sizes)):
        district = grids[districts[i % len(districts)]]
        hotel = Facility(code=f"{prefix}-{i + 1:03d}", name=f"{prefix} hotel {i + 1}",
                         status=FacilityStatus.ACTIVE, created_at=now)
        hotel.place_in(district[(i // len(districts) * 7) % len(district)])
        hotels.append(hotel)
    with transaction.atomic():
        Facility.objects.bulk_create(hotels, batch_size=BATCH)
        hotels = list(Facility.objects.filter(code__startswith=f"{prefix}-").order_by("code"))
        if slots is None:
            slots = [RoomSlot(key=0, facility=i + 1, capacity=1) for i, n in enumerate(sizes)
                     for _ in range(n)]
        Room.objects.bulk_create(_rooms(hotels, slots, now), batch_size=BATCH)
    return hotels


def _rooms(hotels: list[Facility], slots: Sequence[RoomSlot], now: dt.datetime) -> list[Room]:
    seen: dict[int, int] = {}
    rooms = []
    for s in slots:
        i = seen[s.facility] = seen.get(s.facility, 0) + 1
        floor = (i - 1) // 10 + 1
        rooms.append(Room(facility=hotels[s.facility - 1], number=f"{floor}{(i - 1) % 10 + 1:02d}",
                          floor=floor, capacity=s.capacity, accessible=s.accessible,
                          state_since=now))
    return rooms


def make_orders(person_ids: Sequence[int], *, policy: QuarantinePolicy, status: str,
                kind: str = OrderKind.CENTRALISED, reason: str = OrderReason.CLOSE,
                starts: Sequence[dt.date], rooms: Sequence[Room | None] | None = None,
                centralised_days: int = 0, home_days: int = 0) -> None:
    """One order per person, in the given order (ids grow with it), placed at their home."""
    places = {p["pk"]: p for p in Person.objects.filter(pk__in=list(person_ids)).values(
        "pk", "district_id", "street_id", "community_id", "grid_id")}
    now = clock.now()
    orders = []
    for n, pid in enumerate(person_ids):
        start = starts[n % len(starts)]
        room = rooms[n] if rooms else None
        central_end = start + dt.timedelta(days=centralised_days - 1) if centralised_days else None
        fields: dict[str, Any] = {k: v for k, v in places[pid].items() if k != "pk"}
        orders.append(QuarantineOrder(
            person_id=pid, kind=kind, reason=reason, policy=policy, status=status,
            starts_on=start, centralised_until=central_end,
            ends_on=start + dt.timedelta(days=centralised_days + home_days - 1),
            facility_id=room.facility_id if room else None, room=room,
            arrived_at=now if room else None, created_at=now, **fields))
    with transaction.atomic():
        QuarantineOrder.objects.bulk_create(orders, batch_size=BATCH)
