"""Coverage equals a per-person recount (random dose histories sent in random batches), the
door-to-door list holds exactly the elderly not fully vaccinated, and the second district
sees none of the first's."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor
from fangkong.registry.models import Person
from fangkong.vaccination import coverage, doses, logic
from fangkong.vaccination.coverage import ALL, ELDERLY, Tally
from fangkong.vaccination.models import Dose, Product
from fangkong.vaccination.policy import booster_days_lookup, vaccination_rules
from tests.factories import City
from tests.vaccination.builders import TODAY, actor, born, dose, freeze, officer, vaccinator

pytestmark = pytest.mark.django_db
PRODUCTS = ["CORONAVAC", "BBIBP", "AD5NCOV", "ZF2001"]


@pytest.fixture(autouse=True)
def _clock(monkeypatch: Any) -> None:
    freeze(monkeypatch)


@pytest.fixture
def who(city: City) -> dict[str, Actor]:
    return {"site": vaccinator(city), "city": actor("cmd", unit=city.unit, roles=["commander"]),
            "officer0": officer(city, 0), "officer1": officer(city, 1)}


def recount(on: dt.date, *, key: str) -> dict[tuple[Any, str], Tally]:
    """Per person: age from the birth date, status from the doses by the rules (the stored
    ``counts_as`` not read), then counted in Python."""
    rules, lookup = vaccination_rules(on=on), booster_days_lookup()
    primary = dict(Product.objects.values_list("pk", "primary_doses"))
    by_person: dict[int, list[logic.DoseFact]] = defaultdict(list)
    for d in Dose.objects.all():
        by_person[d.person_id].append(logic.DoseFact(d.pk, d.dose_number, d.given_on,
                                                     primary[d.product_id]))
    tally: dict[tuple[Any, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    elderly = {b.key for b in rules.elderly_bands}
    for p in Person.objects.filter(inactive_since__isnull=True, temporary=False, purged=False):
        band = rules.band_of(logic.age_on(p.birth_date, on)) if p.birth_date else None
        if band is None:
            continue
        status = logic.status_of(by_person[p.pk], booster_days_on=lookup)
        for b in (band.key, ALL, *([ELDERLY] if band.key in elderly else [])):
            tally[(getattr(p, key), b)][status] += 1
    return {k: Tally.of(dict(v)) for k, v in tally.items()}


def random_history(rng: random.Random, persons: list[Person]) -> list[dict[str, Any]]:
    rows = []
    for p in persons:
        born(p, age=rng.choice([2, 5, 15, 30, 59, 60, 61, 69, 70, 79, 80, 95]))
        day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        product = rng.choice(PRODUCTS)
        for number in range(1, rng.choice([0, 0, 1, 2, 2, 3, 4]) + 1):
            rows.append(dose(p, number=number, on=day, product=product))
            day += dt.timedelta(days=rng.choice([21, 60, 150, 200, 400]))
            product = rng.choice([product, product, rng.choice(PRODUCTS)])
    rng.shuffle(rows)
    return [r for r in rows if dt.date.fromisoformat(r["given_on"]) <= TODAY]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), batches=st.integers(1, 3))
def test_coverage_equals_a_recount(city: City, who: dict[str, Actor], seed: int,
                                   batches: int) -> None:
    Dose.objects.all().delete()
    rng = random.Random(seed)
    persons = list(Person.objects.order_by("pk"))
    rows = random_history(rng, persons)
    for k in range(batches):  # later batches can carry a person's earlier doses
        doses.do_record_doses(actor=who["site"], rows=rows[k::batches])
    rules = vaccination_rules(on=TODAY)
    by_grid = coverage.grouped(Person.objects.filter(coverage.resident_q()), key="grid_id",
                               rules=rules, on=TODAY)
    assert by_grid == recount(TODAY, key="grid_id")
    everyone = coverage.totals(actor=who["city"], node=who["city"].unit,  # type: ignore[arg-type]
                               rules=rules, on=TODAY)
    assert everyone == {b: t for (_k, b), t in _merged(recount(TODAY, key="pk")).items()}
    rows_d = coverage.child_rows(actor=who["city"], node=who["city"].unit,  # type: ignore[arg-type]
                                 rules=rules, on=TODAY)
    by_district = recount(TODAY, key="district_id")
    for row in rows_d:
        assert row.tallies == {b: t for (k, b), t in by_district.items() if k == row.unit.pk}


def _merged(found: dict[tuple[Any, str], Tally]) -> dict[tuple[None, str], Tally]:
    out: dict[tuple[None, str], Tally] = {}
    for (_k, band), t in found.items():
        out[(None, band)] = out.get((None, band), Tally()) + t
    return out


def test_coverage_as_of_a_past_day(city: City, who: dict[str, Actor]) -> None:
    p = born(city.districts[0].persons[0], age=70)
    doses.do_record_doses(actor=who["site"], rows=[
        dose(p, number=1, on=dt.date(2021, 4, 1)), dose(p, number=2, on=dt.date(2021, 5, 1))])
    rules = vaccination_rules(on=TODAY)
    before = coverage.elderly_by_street(day=dt.date(2021, 4, 15), rules=rules)
    after = coverage.elderly_by_street(day=dt.date(2021, 5, 1), rules=rules)
    street = p.street_id
    assert (before[street].partial, before[street].complete) == (1, 0)
    assert (after[street].partial, after[street].complete) == (0, 1)
    assert set(after) == {street}  # nobody else is 60 or over


def test_the_door_to_door_list_and_scoping(city: City, who: dict[str, Actor]) -> None:
    d0 = city.districts[0].persons
    none, partial, full, young = (born(d0[0], age=82), born(d0[1], age=60), born(d0[2], age=75),
                                  born(d0[3], age=59))
    other = born(city.districts[1].persons[0], age=90)
    doses.do_record_doses(actor=who["site"], rows=[
        dose(partial, number=1, on=dt.date(2021, 4, 1)),
        dose(full, number=1, on=dt.date(2021, 4, 1), product="AD5NCOV")])
    rules, officer0 = vaccination_rules(on=TODAY), who["officer0"]
    rows, after = coverage.elderly_page(actor=officer0, node=officer0.unit,  # type: ignore[arg-type]
                                        rules=rules, on=TODAY)
    assert [(r.person.pk, r.status) for r in rows] == [(none.pk, logic.NONE),
                                                      (partial.pk, logic.PARTIAL)]
    assert after is None and young.pk not in {r.person.pk for r in rows}
    first, cursor = coverage.elderly_page(actor=officer0, node=officer0.unit,  # type: ignore[arg-type]
                                          rules=rules, on=TODAY, size=1)
    second, _end = coverage.elderly_page(actor=officer0, node=officer0.unit,  # type: ignore[arg-type]
                                         rules=rules, on=TODAY, size=1, after=cursor)
    assert [r.person.pk for r in first + second] == [none.pk, partial.pk]
    officer1 = who["officer1"]
    theirs, _ = coverage.elderly_page(actor=officer1, node=officer1.unit,  # type: ignore[arg-type]
                                      rules=rules, on=TODAY)
    assert [r.person.pk for r in theirs] == [other.pk]
    with pytest.raises(NotFound):
        coverage.coverage_node(officer1, city.districts[0].unit.pk)
    mine = coverage.totals(actor=officer1, node=officer1.unit,  # type: ignore[arg-type]
                           rules=rules, on=TODAY)
    assert mine[ELDERLY] == Tally(residents=1) and mine[ALL].vaccinated == 0
