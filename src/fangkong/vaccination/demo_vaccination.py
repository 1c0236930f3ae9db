"""Demo of vaccination: doses for the demo city's residents with coverage shaped like China's
at the end of 2022 (NHC, 29 November 2022: of those 60 and over about 86 % fully vaccinated
and 69 % boosted; of those 80 and over 66 % fully vaccinated, 40 % boosted; over 90 % of the
whole population fully vaccinated), and some grids much lower (one grid in ten has hesitant
elderly: their chances halved). A few visits on the door-to-door lists.

Set-based: the doses are generated in Python, their ``counts_as`` derived by the same pure
rules as an import (``logic.contributions``), and written with one bulk insert (COPY on
PostgreSQL) and no per-dose audit row: like the registry's loader, a load, not an action.
Deterministic per seed; seeding again adds nothing (the demo's client keys exist)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from fangkong.core import clock
from fangkong.core.bulk import insert_rows
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.vaccination import coverage, doorlist, logic
from fangkong.vaccination.models import Dose, DoseSource, Product, VisitOutcome
from fangkong.vaccination.policy import booster_days_lookup, vaccination_rules

# age from → (at least one dose, complete given one, boosted given complete)
CHANCES = [(80, (0.76, 0.87, 0.60)), (70, (0.90, 0.95, 0.78)), (60, (0.93, 0.96, 0.80)),
           (18, (0.97, 0.98, 0.75)), (12, (0.96, 0.97, 0.10)), (3, (0.90, 0.93, 0.0)),
           (0, (0.0, 0.0, 0.0))]
MIX = [("CORONAVAC", 45), ("BBIBP", 38), ("WIBP", 7), ("AD5NCOV", 5), ("ZF2001", 5)]
FIRST_DAY = dt.date(2021, 1, 4)
COLUMNS = ["person_id", "product_id", "dose_number", "given_on", "site", "counts_as",
           "source", "client_key", "recorded_at", "district_id", "street_id", "community_id",
           "grid_id"]


@dataclass(frozen=True)
class Resident:
    pk: int
    birth: dt.date | None
    place: tuple[int | None, int | None, int | None, int | None]


def residents() -> list[Resident]:
    rows = Person.objects.filter(coverage.resident_q()).order_by("pk").values_list(
        "pk", "birth_date", "district_id", "street_id", "community_id", "grid_id")
    return [Resident(r[0], r[1], (r[2], r[3], r[4], r[5])) for r in rows.iterator(10_000)]


def _chances(age: int, hesitant: bool) -> tuple[float, float, float]:
    one, full, boost = next(c for low, c in CHANCES if age >= low)
    if hesitant and age >= 60:
        return one * 0.5, full * 0.8, boost * 0.6
    return one, full, boost


def _person_doses(rng: random.Random, person: Resident, *, age: int, hesitant: bool,
                  products: list[Product], today: dt.date) -> list[tuple[Product, dt.date]]:
    one, full, boost = _chances(age, hesitant)
    if rng.random() >= one:
        return []
    first = rng.choices(products, weights=[w for _c, w in MIX])[0]
    start = 180 if age < 12 else 90 if age < 18 else 0 if age < 60 else 60
    day = FIRST_DAY + dt.timedelta(days=start + rng.randrange(0, 240))
    count = first.primary_doses if rng.random() < full else rng.randrange(
        1, first.primary_doses) if first.primary_doses > 1 else 1
    if count == first.primary_doses and rng.random() < boost:
        count += 1
    given = []
    for n in range(count):
        if n:
            gap = 28 + rng.randrange(0, 30) if n < first.primary_doses else 190 + rng.randrange(
                0, 200)
            day += dt.timedelta(days=gap)
        if day > today:
            break
        given.append((first, day))
    return given


def dose_rows(people: Iterable[Resident], *, seed: int, today: dt.date,
              products: list[Product], lookup: Callable[[dt.date], int | None]
              ) -> list[tuple[object, ...]]:
    """Rows of ``COLUMNS`` for the people, deterministic per seed."""
    rng = random.Random(seed)
    hesitant_grids: dict[int | None, bool] = {}
    now = _stored_time(clock.now())
    rows: list[tuple[object, ...]] = []
    for person in people:
        if person.birth is None:
            continue
        grid = person.place[3]
        hesitant = hesitant_grids.setdefault(grid, random.Random(f"{seed}-{grid}").random()
                                             < 0.1)
        given = _person_doses(rng, person, age=logic.age_on(person.birth, today),
                              hesitant=hesitant, products=products, today=today)
        counts = logic.contributions([logic.DoseFact(n, n + 1, day, p.primary_doses)
                                      for n, (p, day) in enumerate(given)],
                                     booster_days_on=lookup)
        for n, (product, day) in enumerate(given):
            rows.append((person.pk, product.pk, n + 1, _stored_day(day),
                         f"SITE{(person.place[1] or 0) % 100:02d}", counts[n], DoseSource.SYSTEM,
                         f"demo-{seed}-{person.pk}-{n + 1}", now, *person.place))
    return rows


def _stored_time(when: dt.datetime) -> object:
    """COPY takes an aware time; SQLite's column holds UTC text as Django writes it."""
    if connection.vendor == "postgresql":
        return when
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def _stored_day(day: dt.date) -> object:
    return day if connection.vendor == "postgresql" else day.isoformat()


def products_by_mix() -> list[Product]:
    found = {p.code: p for p in Product.objects.all()}
    return [found[code] for code, _w in MIX]


def seed_vaccination(*, seed: int = 2022) -> dict[str, int]:
    """Doses for every resident by age and grid, then a few visits; counts stored."""
    if Dose.objects.filter(client_key__startswith=f"demo-{seed}-").exists():
        return {"doses": 0, "visits": 0}
    today = clock.city_today()
    rows = dose_rows(residents(), seed=seed, today=today, products=products_by_mix(),
                     lookup=booster_days_lookup())
    with transaction.atomic():
        insert_rows(table=Dose._meta.db_table, columns=COLUMNS, rows=rows)
    return {"doses": len(rows), "visits": _visits(seed=seed, today=today)}


def _visits(*, seed: int, today: dt.date) -> int:
    """The first grid's list: a third of it visited, outcomes drawn."""
    city = AdminUnit.objects.filter(level=Level.CITY).order_by("pk").first()
    grid = AdminUnit.objects.filter(level=Level.GRID).order_by("code").first()
    if city is None or grid is None:
        return 0
    worker = Actor(user_id=None, username="demo:grid", unit=city,
                   rights=frozenset({Right.VACCINATION_VIEW, Right.VACCINATION_VISIT}))
    rules, rng = vaccination_rules(on=today), random.Random(seed)
    listed = list(coverage.elderly_open(actor=worker, node=grid, rules=rules, on=today)
                  .order_by("pk").values_list("pk", flat=True)[:60])
    done = 0
    for pk in listed[::3]:
        doorlist.do_record_visit(actor=worker, person_id=pk, rules=rules, on=today,
                                 outcome=rng.choice(VisitOutcome.values))
        done += 1
    return done
