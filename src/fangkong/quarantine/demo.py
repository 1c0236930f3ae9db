"""The quarantine part of the demo: the first district's hotels over the last week, built
once through the platform's own actions, each at its moment (``demo_steps.at``), under the
policy version in force today (the 20 measures: 5 days centralised + 3 at home).

* Two facilities: a hotel in use with 120 rooms (single rooms, family rooms, accessible rooms)
  and its duty roster, and a smaller one on standby.
* About 150 residents back from a high-risk region, a party a day for seven days (reason
  ``inbound``: the version's inbound rule), and the household contacts of the two cases
  screening found (reason ``close``). Each day: orders in the morning, rooms assigned, a coach
  that takes them to the hotel, a test round and the evening health checks, the releases with
  a certificate, and the next morning the freed rooms disinfected and made ready.
* On the demo day: some people in rooms with checks and tests up to yesterday (a fever alert,
  a psychological-support alert, one positive test that became a case), some released and in
  home follow-up, a few found late whose order is completed, today's party in rooms waiting
  for the coach planned this afternoon (the last ones still without a room: the hotel is
  full), rooms being disinfected, and the capacity forecast that follows from it.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.quarantine import assignment, facilities, orders, transport
from fangkong.quarantine.alerts import do_raise_capacity_alerts
from fangkong.quarantine.demo_care import Mishaps, care_events
from fangkong.quarantine.models import (
    DutyRole,
    Facility,
    FacilityStatus,
    OrderReason,
    QuarantineOrder,
    Room,
)
from fangkong.registry.models import Building, Person
from fangkong.risk.demo import moment, result_cases
from fangkong.risk.models import RiskArea
from fangkong.testing.demo_steps import at
from fangkong.tracing.models import Case

ARRIVALS = (18, 20, 21, 22, 23, 22, 24)  # travellers back a day, six days ago … today
FOUND_LATE = 3  # of the first party, back three days earlier: their order is over by now
PARTY = (1, 1, 1, 1, 2, 2, 3)  # how many of a household travel together (drawn from)
# (floor, rooms, beds, accessible): accessible doubles on the ground floor, family rooms on top
ROOMS = ((1, 8, 2, True), (2, 18, 1, False), (3, 18, 1, False), (4, 18, 1, False),
         (5, 18, 1, False), (6, 18, 1, False), (7, 14, 1, False), (8, 8, 3, False))
STANDBY_ROOMS = (2, 12)  # floors × rooms of single rooms
HOUR = dt.timedelta(hours=1)
Event = tuple[dt.datetime, int, Callable[[], object]]


@dataclass
class Cast:
    """Who does what in the story."""

    manager: Actor  # ``hotel1``: facilities, rooms, transport, checks, tests, releases
    officer: Actor  # the first district's officer: quarantine orders
    rnd: random.Random
    hotel: Facility | None = None
    events: list[Event] = field(default_factory=list)

    def on(self, when: dt.datetime, step: Callable[[], object]) -> None:
        self.events.append((when, len(self.events), step))


def seed_demo_quarantine(*, manager: Actor, officer: Actor, seed: int = 2022) -> dict[str, int]:
    """Build the demo's facilities and orders once (nothing when a facility exists)."""
    started = time.monotonic()
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if not Facility.objects.exists() and district is not None:
        cast = Cast(manager=manager, officer=officer, rnd=random.Random(seed))
        with transaction.atomic():  # all or nothing: a failed seed is tried again next time
            _story(cast, district, clock.now())
    return {**quarantine_counts(), "seconds": round(time.monotonic() - started)}


def quarantine_counts() -> dict[str, int]:
    return {"facilities": Facility.objects.count(), "rooms": Room.objects.count(),
            "orders": QuarantineOrder.objects.count(),
            "released": QuarantineOrder.objects.filter(certificate_no__isnull=False).count()}


def _story(cast: Cast, district: AdminUnit, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=len(ARRIVALS) - 1)
    with at(moment(first - dt.timedelta(days=1), 9, now=now)):
        cast.hotel = _facilities(cast, district)
    parties = _travellers(cast.rnd, district)
    for k, party in enumerate(parties):
        day = first + dt.timedelta(days=k)
        late = FOUND_LATE if k == 0 else 0
        _arrivals(cast, day, party, now, late=late)
        care_events(cast.on, manager=cast.manager, day=day, now=now,
                    mishaps=Mishaps.of_day(today - day))
    _close_contacts(cast, district, now)
    for when, _n, step in sorted(cast.events, key=lambda e: (e[0], e[1])):
        with at(when):
            step()
    with at(now):
        do_raise_capacity_alerts(today=today)


# ---------------------------------------------------------------- the hotels


def _site(district: AdminUnit) -> tuple[AdminUnit, Building | None]:
    """The street the hotels stand in (the district's last, away from the first cases) and a
    building of it to take the position from."""
    street = (AdminUnit.objects.filter(parent=district, level=Level.STREET).order_by("-code")
              .first() or district)
    return street, Building.objects.filter(street=street).order_by("pk").first()


def _facilities(cast: Cast, district: AdminUnit) -> Facility:
    """The hotel in use with its rooms and duty roster, and the standby site."""
    street, building = _site(district)
    lat, lon = (building.lat, building.lon) if building else (None, None)
    hotel = facilities.do_register_facility(
        actor=cast.manager, code="QF01", name=f"{street.name}集中隔离酒店", unit_id=street.pk,
        address=building.address if building else "", phone="010-6000 1201", lat=lat, lon=lon)
    for floor, per_floor, capacity, accessible in ROOMS:
        facilities.do_add_rooms(actor=cast.manager, facility_id=hotel.pk, floors=1,
                                rooms_per_floor=per_floor, capacity=capacity,
                                accessible=accessible, first_floor=floor)
    facilities.do_set_facility_status(actor=cast.manager, facility_id=hotel.pk,
                                      status=FacilityStatus.ACTIVE)
    _roster(cast, hotel)
    standby = facilities.do_register_facility(
        actor=cast.manager, code="QF02", name=f"{street.name}备用隔离点", unit_id=street.pk,
        phone="010-6000 1202", lat=lat and lat + 0.004, lon=lon and lon + 0.004)
    floors, per_floor = STANDBY_ROOMS
    facilities.do_add_rooms(actor=cast.manager, facility_id=standby.pk, floors=floors,
                            rooms_per_floor=per_floor)
    return hotel


def _roster(cast: Cast, hotel: Facility) -> None:
    start = clock.now()
    staff = ((cast.manager.username, DutyRole.MANAGER, cast.manager.user_id),
             ("李医生", DutyRole.MEDICAL, None), ("王护士", DutyRole.MEDICAL, None),
             ("陈老师 (心理)", DutyRole.PSYCH, None), ("赵保安", DutyRole.SECURITY, None),
             ("保洁组", DutyRole.CLEANING, None), ("后勤组", DutyRole.LOGISTICS, None))
    for name, role, user_id in staff:
        facilities.do_add_shift(actor=cast.manager, facility_id=hotel.pk, name=name, role=role,
                                starts_at=start, ends_at=start + dt.timedelta(days=21),
                                user_id=user_id)


# ---------------------------------------------------------------- who comes back


def _travellers(rnd: random.Random, district: AdminUnit) -> list[list[int]]:
    """Person ids of each day's party: whole travelling households of the district, never a
    case, a case's household or a resident of a risk area."""
    taken = set(Case.objects.values_list("person__household_id", flat=True))
    sealed = set(RiskArea.objects.filter(building__isnull=False)
                 .values_list("building_id", flat=True))
    homes: dict[int, list[int]] = {}
    for pk, home, building in (Person.objects.filter(
            district=district, household__isnull=False, inactive_since__isnull=True,
            temporary=False).order_by("pk").values_list("pk", "household_id",
                                                        "household__building_id")):
        if home not in taken and building not in sealed:
            homes.setdefault(home, []).append(pk)
    keys = sorted(homes)
    rnd.shuffle(keys)
    parties: list[list[int]] = []
    for size in ARRIVALS:
        party: list[int] = []
        while len(party) < size and keys:
            members = homes[keys.pop()]
            party += members[:min(rnd.choice(PARTY), size - len(party))]
        parties.append(party)
    return parties


def _arrivals(cast: Cast, day: dt.date, party: list[int], now: dt.datetime, *,
              late: int) -> None:
    """The day's orders at ten (back by the overnight train; ``late`` of them back three days
    earlier and found only now), rooms at eleven, the coach at noon."""
    def make() -> None:
        for n, person_id in enumerate(party):
            back = moment(day - dt.timedelta(days=3 if n < late else 1), 20, now=now)
            orders.do_create_order(actor=cast.officer, person_id=person_id,
                                   reason=OrderReason.INBOUND, exposure_at=back,
                                   note="自高风险地区返回")
    cast.on(moment(day, 10, now=now), make)
    _transfer(cast, day, now)


def _transfer(cast: Cast, day: dt.date, now: dt.datetime, *,
              times: tuple[float, ...] = (11, 12, 13.5, 14.5)) -> None:
    """Rooms for everyone waiting, then the coach: it leaves and arrives on a past day, and
    today it is planned to leave an hour from now."""
    assign, plan, depart, arrive = (moment(day, h, now=now) for h in times)
    cast.on(assign, lambda: assignment.do_assign_orders(actor=cast.manager))
    if day < timezone.localdate(now):
        cast.on(plan, lambda: _coach(cast, depart, arrive))
    else:
        cast.on(plan, lambda: _coach(cast, now + HOUR, None))


def _coach(cast: Cast, depart: dt.datetime, arrive: dt.datetime | None) -> None:
    """A run of the hotel's coach for everyone assigned and not yet there (60 seats each)."""
    assert cast.hotel is not None
    waiting = list(transport.waiting_for_transport(cast.manager, cast.hotel.pk)
                   .values_list("pk", flat=True))
    for first in range(0, len(waiting), transport.MAX_BATCH):
        batch = transport.do_create_batch(
            actor=cast.manager, facility_id=cast.hotel.pk, depart_at=depart,
            order_ids=waiting[first:first + transport.MAX_BATCH], vehicle="隔离转运大巴 3号")
        if arrive is None:
            continue
        with at(depart):
            transport.do_depart_batch(actor=cast.manager, batch_id=batch.pk)
        with at(arrive):
            transport.do_arrive_batch(actor=cast.manager, batch_id=batch.pk)


def _close_contacts(cast: Cast, district: AdminUnit, now: dt.datetime) -> None:
    """The household of each case screening found: close contacts, ordered an hour after
    the case was confirmed (last exposure: the positive result), then the coach."""
    for case in result_cases(district):
        if case.person.household_id is None:
            continue
        members = list(Person.objects.filter(
            household_id=case.person.household_id, inactive_since__isnull=True)
            .exclude(pk=case.person_id).exclude(cases__isnull=False).values_list("pk", flat=True))
        if not members:
            continue
        made = min(case.confirmed_at + HOUR, now - 3 * HOUR)

        def make(members: list[int] = members, case: Case = case) -> None:
            for person_id in members:
                if not orders.open_orders_of_person(person_id).exists():
                    orders.do_create_order(actor=cast.officer, person_id=person_id,
                                           reason=OrderReason.CLOSE, exposure_at=case.result_at,
                                           note=f"病例 {case.pk} 的同住人员")
        cast.on(made, make)
        steps = tuple(made + HOUR * h for h in (0.5, 1, 1.5, 2.5))
        cast.on(steps[0], lambda: assignment.do_assign_orders(actor=cast.manager))
        cast.on(steps[1], functools.partial(_coach, cast, steps[2], steps[3]))
