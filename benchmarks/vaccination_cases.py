"""What the vaccination benchmark times: coverage by grid and age band with the set-based
query (``vaccination.coverage.grouped``) against two baselines in the same run: a pandas
recount over the exported tables (read the persons and doses out, then group in memory), and
the naive ORM loop (per person: read their doses, apply ``logic.status_of``) timed on a
sample and scaled up linearly. Each answer is checked against the query's."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any


def query_case(today: dt.date) -> tuple[dict[Any, Any], float]:
    from fangkong.registry.models import Person
    from fangkong.vaccination import coverage
    from fangkong.vaccination.policy import vaccination_rules

    rules = vaccination_rules(on=today)
    began = time.perf_counter()
    found = coverage.grouped(Person.objects.filter(coverage.resident_q()), key="grid_id",
                             rules=rules, on=today)
    return found, time.perf_counter() - began


def dashboard_case(today: dt.date) -> float:
    """The elderly of each street by status as of a past day (the dashboard's history)."""
    from fangkong.vaccination import coverage
    from fangkong.vaccination.policy import vaccination_rules

    began = time.perf_counter()
    coverage.elderly_by_street(day=today - dt.timedelta(days=30),
                               rules=vaccination_rules(on=today))
    return time.perf_counter() - began


def pandas_case(today: dt.date) -> tuple[dict[Any, Any], float, float]:
    """(tallies, export seconds, compute seconds)."""
    import pandas as pd
    from django.db import connection

    from fangkong.vaccination import logic
    from fangkong.vaccination.coverage import ALL, ELDERLY, Tally
    from fangkong.vaccination.policy import vaccination_rules

    rules = vaccination_rules(on=today)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, birth_date, grid_id FROM registry_person WHERE "
                       "inactive_since IS NULL AND NOT temporary AND NOT purged "
                       "AND birth_date IS NOT NULL")
        people = pd.DataFrame(cursor.fetchall(), columns=["id", "birth", "grid"])
        cursor.execute("SELECT person_id, counts_as FROM vaccination_dose")
        given = pd.DataFrame(cursor.fetchall(), columns=["id", "counts_as"])
    exported = time.perf_counter() - began
    began = time.perf_counter()
    born = pd.to_datetime(people["birth"])
    age = (today.year - born.dt.year - ((born.dt.month * 100 + born.dt.day)
                                        > today.month * 100 + today.day)).to_numpy()
    people["band"] = None
    for band in rules.bands:
        inside = (age >= band.low) & (age <= (band.high if band.high is not None else 999))
        people.loc[inside, "band"] = band.key
    best = given.groupby("id")["counts_as"].max()
    people["status"] = people["id"].map(best).fillna(logic.NONE).astype(int)
    counts = people.dropna(subset=["band"]).groupby(["grid", "band", "status"]).size()
    elderly = {b.key for b in rules.elderly_bands}
    tallies: dict[Any, dict[int, int]] = {}
    for (grid, band, status), n in counts.items():
        for key in (band, ALL, *([ELDERLY] if band in elderly else [])):
            slot = tallies.setdefault((grid, key), {})
            slot[int(status)] = slot.get(int(status), 0) + int(n)
    computed = time.perf_counter() - began
    return {k: Tally.of(v) for k, v in tallies.items()}, exported, computed


def orm_loop_case(today: dt.date, sample: int) -> tuple[float, int, Counter[int]]:
    """The per-person loop on the first ``sample`` residents: (seconds, persons, statuses)."""
    from fangkong.registry.models import Person
    from fangkong.vaccination import coverage, logic
    from fangkong.vaccination.models import Dose
    from fangkong.vaccination.policy import booster_days_lookup, vaccination_rules

    rules, lookup = vaccination_rules(on=today), booster_days_lookup()
    statuses: Counter[int] = Counter()
    began = time.perf_counter()
    people = Person.objects.filter(coverage.resident_q()).order_by("pk")[:sample]
    for person in people:
        assert person.birth_date is not None
        if rules.band_of(logic.age_on(person.birth_date, today)) is None:
            continue
        facts = [logic.DoseFact(d.pk, d.dose_number, d.given_on, d.product.primary_doses)
                 for d in Dose.objects.filter(person=person).select_related("product")]
        statuses[logic.status_of(facts, booster_days_on=lookup)] += 1
    return time.perf_counter() - began, sample, statuses
