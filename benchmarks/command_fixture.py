"""A realistic outbreak's load on the raw tables the command dashboard reads, for
bench_command.py: 14 days of cases growing by a quarter a day, their contacts (10–20 each)
and the quarantine orders and rooms of those under control. Bulk-inserted (plain INSERTs,
no ``save()``, so no figure signal fires: the benchmark rebuilds the read model after);
the fixture is not what is measured. The other tables are in ``command_fixture_city``.
Runs inside a configured Django process."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from benchmarks.quarantine_board import insert as plain_insert
from benchmarks.quarantine_fixture import make_hotels
from fangkong.core import clock
from fangkong.quarantine.models import QuarantineOrder, QuarantinePolicy, Room
from fangkong.registry.models import Person
from fangkong.tracing.models import Case, Contact

GROWTH = 1.25  # new cases a day grow by this factor over the window
Place = tuple[int | None, int | None, int | None, int | None]  # district, street, community, grid


@dataclass(frozen=True)
class Shape:
    """The outbreak's size relative to the city (defaults: a mid-sized wave, 0.2 % of
    residents infected over 14 days, cf. Beijing 2022 at a larger share of Shanghai's)."""

    days: int = 14
    case_share: float = 0.002
    contacts: tuple[int, int] = (10, 20)
    controlled_share: float = 0.85  # contacts transferred within 24 h
    rounds: tuple[tuple[int, float], ...] = ((8, 0.9), (4, 0.92), (0, 0.7))  # days ago, sampled
    ticket_share: float = 0.005  # hotline tickets per resident over the window
    request_share: float = 0.3  # supply requests per household in a sealed grid
    directives_per_day: int = 2  # city directives a day (each district issues 3 a day)


@dataclass
class World:
    """What every table's builder shares: the residents with their place, the days, sizes."""

    shape: Shape
    rng: random.Random
    now: dt.datetime
    today: dt.date
    people: list[tuple[Any, ...]]  # (pk, district, street, community, grid, household)
    sizes: dict[str, int] = field(default_factory=dict)
    by_street: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, shape: Shape, seed: int) -> World:
        people = list(Person.objects.filter(inactive_since__isnull=True, temporary=False)
                      .order_by("pk").values_list("pk", "district_id", "street_id",
                                                  "community_id", "grid_id", "household_id"))
        world = cls(shape=shape, rng=random.Random(seed), now=clock.now(),
                    today=clock.city_today(), people=people)
        for i, p in enumerate(people):
            world.by_street.setdefault(p[2] or 0, []).append(i)
        return world

    def start(self, day: int) -> dt.datetime:
        """Midnight (city time) opening day ``day`` (0 is the oldest, days − 1 today)."""
        date = self.today - dt.timedelta(days=self.shape.days - 1 - day)
        return timezone.make_aware(dt.datetime.combine(date, dt.time.min))

    def moment(self, day: int) -> dt.datetime:
        """A random time of day ``day``, never after now (today's day is partly over)."""
        start = self.start(day)
        span = min(86400.0, (self.now - start).total_seconds() - 60)
        return start + dt.timedelta(seconds=self.rng.uniform(0, max(span, 1.0)))

    def growing_day(self) -> int:
        weights = [GROWTH ** d for d in range(self.shape.days)]
        return self.rng.choices(range(self.shape.days), weights)[0]

    def capped(self, moment: dt.datetime) -> dt.datetime | None:
        """``moment`` if it has happened, else None (the step is still to come)."""
        return moment if moment <= self.now else None

    def place(self, index: int) -> Place:
        return tuple(self.people[index][1:5])  # type: ignore[return-value]


def insert(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> int:
    """Plain INSERTs (``quarantine_board.insert``) with every other NOT NULL column given its
    field's default, as ``save()`` would (raw INSERTs get no Python-side defaults)."""
    names = set(fields)
    rest = [f for f in model._meta.concrete_fields
            if not f.primary_key and not f.null and f.name not in names]
    missing = [f.name for f in rest if not f.has_default() and not f.blank]
    if missing:
        raise ValueError(f"{model.__name__}: no value for {missing}")
    extra = tuple(f.get_default() for f in rest)
    return plain_insert(model, [*fields, *(f.name for f in rest)],
                        [(*row, *extra) for row in rows])


def build_outbreak(world: World) -> dict[str, Any]:
    """Cases, contacts, orders and rooms; returns the cases and contacts for the rest."""
    cases = make_cases(world)
    contacts = make_contacts(world, cases)
    make_quarantine(world, contacts)
    return {"cases": cases, "contacts": contacts}


def make_cases(world: World) -> list[dict[str, Any]]:
    n = max(20, round(len(world.people) * world.shape.case_share))
    chosen = world.rng.sample(range(len(world.people)), n)
    cases: list[dict[str, Any]] = []
    rows: list[tuple[Any, ...]] = []
    for index in chosen:
        confirmed = world.moment(world.growing_day())
        in_quarantine = world.rng.random() < 0.6
        district, street, community, grid = world.place(index)
        rows.append((world.people[index][0], "confirmed" if world.rng.random() < 0.7
                     else "asymptomatic", confirmed.date(), confirmed - dt.timedelta(hours=2),
                     confirmed, "quarantine" if in_quarantine else "community", "result",
                     confirmed, district, street, community, grid))
        cases.append({"index": index, "confirmed": confirmed})
    insert(Case, ["person", "classification", "sample_date", "result_at", "confirmed_at",
                  "found_in", "origin", "created_at", "district", "street", "community",
                  "grid"], rows)
    ids = dict(Case.objects.values_list("person_id", "pk"))
    for case in cases:
        case["pk"] = ids[world.people[case["index"]][0]]
    world.sizes["cases"] = len(rows)
    return cases


def make_contacts(world: World, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """10–20 per case from its street (household members first), never a case themselves."""
    is_case = {c["index"] for c in cases}
    contacts: list[dict[str, Any]] = []
    lo, hi = world.shape.contacts
    for case in cases:
        street = world.people[case["index"]][2] or 0
        pool = world.by_street[street]
        picks = {pool[world.rng.randrange(len(pool))] for _ in range(world.rng.randint(lo, hi))}
        for index in sorted(picks - is_case):
            found = case["confirmed"] + dt.timedelta(hours=world.rng.uniform(1, 12))
            if found > world.now:
                continue
            controlled = world.rng.random() < world.shape.controlled_share
            moved = found + dt.timedelta(hours=world.rng.uniform(2, 22) if controlled
                                         else world.rng.uniform(26, 60))
            contacts.append({"index": index, "case": case["pk"], "found": found,
                             "moved": world.capped(moved),
                             "close": world.rng.random() < 0.7})
    insert(Contact, ["person", "index_case", "contact_type", "rule", "first_exposure",
                     "last_exposure", "identified_at", "status", "transferred_at",
                     "district", "street", "community", "grid"],
           [_contact_row(world, c) for c in contacts])
    world.sizes["contacts"] = len(contacts)
    return contacts


def _contact_row(world: World, c: dict[str, Any]) -> tuple[Any, ...]:
    found = c["found"]
    return (world.people[c["index"]][0], c["case"], "close" if c["close"] else "secondary",
            "household" if c["close"] else "venue", found - dt.timedelta(days=3),
            found - dt.timedelta(days=1), found, "transferred" if c["moved"] else "notified",
            c["moved"], *world.place(c["index"]))


def make_quarantine(world: World, contacts: list[dict[str, Any]]) -> None:
    """A centralised order per person moved (their first contact), a room each while in
    force (7 days); hotels of 100 rooms with a third more rooms than are occupied."""
    policy = QuarantinePolicy.objects.order_by("-effective_from").first()
    assert policy is not None, "no quarantine policy: migrations not applied"
    firsts: dict[int, dict[str, Any]] = {}
    for c in sorted((c for c in contacts if c["moved"]), key=lambda c: c["moved"]):
        firsts.setdefault(c["index"], c)
    orders = list(firsts.values())
    in_force = [o for o in orders if timezone.localdate(o["moved"]) + dt.timedelta(days=7)
                > world.today]
    hotels = make_hotels("CB", [100] * max(5, math.ceil(len(in_force) * 4 / 3 / 100)))
    rooms = list(Room.objects.filter(facility__in=hotels).order_by("pk")
                 .values_list("pk", "facility_id"))
    world.rng.shuffle(rooms)
    occupied = dict(zip((id(o) for o in in_force), rooms, strict=False))
    contact_ids = {(p, k): pk for pk, p, k in Contact.objects.values_list(
        "pk", "person_id", "index_case_id")}
    rows = [_order_row(world, o, occupied.get(id(o)), policy.pk, contact_ids) for o in orders]
    insert(QuarantineOrder, ["person", "kind", "reason", "contact", "policy", "exposure_at",
                             "starts_on", "centralised_until", "ends_on", "status", "facility",
                             "room", "arrived_at", "completed_at", "created_at", "district",
                             "street", "community", "grid"], rows)
    _occupy([r for r, _f in occupied.values()], world.now)
    world.sizes |= {"quarantine_orders": len(rows), "quarantine_hotels": len(hotels),
                    "quarantine_rooms": len(rooms), "rooms_occupied": len(occupied)}


def _order_row(world: World, o: dict[str, Any], room: tuple[int, int] | None, policy: int,
               contact_ids: dict[tuple[int, int], int]) -> tuple[Any, ...]:
    start = timezone.localdate(o["moved"])
    end = start + dt.timedelta(days=6)
    done = None if room else timezone.make_aware(dt.datetime.combine(end, dt.time(10)))
    person = world.people[o["index"]][0]
    return (person, "centralised", "close" if o["close"] else "secondary",
            contact_ids[(person, o["case"])], policy, o["found"] - dt.timedelta(days=1), start,
            end, end, "in_facility" if room else "completed", room[1] if room else None,
            room[0] if room else None, o["moved"], world.capped(done) if done else None,
            o["moved"] - dt.timedelta(hours=1), *world.place(o["index"]))


def _occupy(room_ids: list[int], now: dt.datetime) -> None:
    for lo in range(0, len(room_ids), 900):
        Room.objects.filter(pk__in=room_ids[lo:lo + 900]).update(state="occupied",
                                                                 state_since=now)


def counts_by_table() -> dict[str, int]:
    """Rows per table the dashboard reads (for the results), one count each."""
    from fangkong.command.models import Directive, Task
    from fangkong.hotline.models import Ticket
    from fangkong.risk.models import RiskArea, SupplyRequest
    from fangkong.testing.models import Campaign, Sample, Tube

    models: dict[str, Any] = {
        "persons": Person, "cases": Case, "contacts": Contact, "campaigns": Campaign,
        "tubes": Tube, "samples": Sample, "quarantine_orders": QuarantineOrder,
        "rooms": Room, "risk_areas": RiskArea, "supply_requests": SupplyRequest,
        "tickets": Ticket, "directives": Directive, "tasks": Task}
    return {name: model.objects.count() for name, model in models.items()}


def vacuum() -> None:
    """Fresh statistics for the planner after the bulk load (what an operator would run)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
