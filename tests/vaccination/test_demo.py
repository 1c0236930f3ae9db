"""The demo's doses: deterministic, stored once, their ``counts_as`` what an import would
derive, the elderly less covered than adults; a few visits on the first grid's list."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest

from fangkong.registry.models import Person
from fangkong.vaccination import demo_vaccination, logic
from fangkong.vaccination.models import Dose, Visit
from fangkong.vaccination.policy import booster_days_lookup
from tests.factories import small_city
from tests.vaccination.builders import freeze

pytestmark = pytest.mark.django_db


def test_the_demo_doses(rules: None, monkeypatch: Any) -> None:
    freeze(monkeypatch)
    city = small_city(people_per_grid=2)
    rng = random.Random(3)
    grids = [g for d in city.districts for g in d.grids]
    extra = []
    for k in range(400):
        person = Person(name=f"居民{k}", sex="F", birth_date=dt.date(
            rng.randint(1925, 2015), rng.randint(1, 12), rng.randint(1, 28)))
        person.place_in(grids[k % len(grids)])
        extra.append(person)
    Person.objects.bulk_create(extra)
    first = demo_vaccination.seed_vaccination(seed=5)
    assert first["doses"] == Dose.objects.count() > 200
    assert first["visits"] == Visit.objects.count() > 0
    assert demo_vaccination.seed_vaccination(seed=5) == {"doses": 0, "visits": 0}
    stored = {d.pk: d.counts_as for d in Dose.objects.all()}
    by_person: dict[int, list[logic.DoseFact]] = defaultdict(list)
    for d in Dose.objects.select_related("product"):
        by_person[d.person_id].append(logic.DoseFact(d.pk, d.dose_number, d.given_on,
                                                     d.product.primary_doses))
    lookup = booster_days_lookup()
    derived = {k: v for facts in by_person.values()
               for k, v in logic.contributions(facts, booster_days_on=lookup).items()}
    assert derived == stored
