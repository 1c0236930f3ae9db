"""Rows of the issue-11 figures and of the simulator, built with the ORM as those modules store
them: supply alerts and positive samples by ``save()`` (the figure signals fire), doses by
``bulk_create`` like every dose intake (no signal: the sweep must find them)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fangkong.coldchain.models import ColdPlace, PositiveSample
from fangkong.core.models import AdminUnit
from fangkong.registry.models import Person, Venue
from fangkong.simulation.models import Scenario
from fangkong.supplies.models import SupplyAlert
from fangkong.vaccination.models import Dose, Product

_seq = itertools.count(1)


def make_alert(street: AdminUnit, *, at: dt.datetime, kind: str = "low_stock",
               good: str = "grain", acknowledged_at: dt.datetime | None = None,
               closed_at: dt.datetime | None = None) -> SupplyAlert:
    status = "closed" if closed_at else "acknowledged" if acknowledged_at else "open"
    alert = SupplyAlert(kind=kind, good=good, day=at.date() - dt.timedelta(days=next(_seq)),
                        last_day=at.date(), policy_name="test", status=status, found_at=at,
                        acknowledged_at=acknowledged_at, closed_at=closed_at)
    alert.place_in(street)
    alert.save()
    return alert


def make_positive(venue: Venue, *, at: dt.datetime) -> PositiveSample:
    place = ColdPlace.objects.filter(venue=venue).first()
    if place is None:
        place = ColdPlace(venue=venue, kind="market", created_at=at)
        place.district_id, place.street_id = venue.district_id, venue.street_id
        place.community_id, place.grid_id = venue.community_id, venue.grid_id
        place.save()
    sample = PositiveSample(place=place, kind="environment", sampled_at=at, reported_at=at)
    sample.district_id, sample.street_id = place.district_id, place.street_id
    sample.community_id, sample.grid_id = place.community_id, place.grid_id
    sample.save()
    return sample


def make_age(person: Person, *, age: int, on: dt.date) -> Person:
    """``age`` completed years on ``on`` (born half a year before that birthday)."""
    person.birth_date = dt.date(on.year - age, 1, 1) - dt.timedelta(days=182)
    person.save()
    return person


def bulk_doses(person: Person, *, counts: list[int], on: list[dt.date],
               recorded_at: dt.datetime) -> list[Dose]:
    """The person's next doses (``counts_as`` 1 partial, 2 full, 3 boosted), stored as an
    import stores them: ``bulk_create``, no ``save()``."""
    product = Product.objects.get(code="CORONAVAC")
    first = Dose.objects.filter(person=person).count() + 1
    doses = []
    for k, (value, day) in enumerate(zip(counts, on, strict=True)):
        dose = Dose(person=person, product=product, dose_number=first + k, given_on=day,
                    site="SITE01", counts_as=value, source="system",
                    client_key=f"cmd-{person.pk}-{first + k}-{next(_seq)}",
                    recorded_at=recorded_at)
        dose.district_id, dose.street_id = person.district_id, person.street_id
        dose.community_id, dose.grid_id = person.community_id, person.grid_id
        doses.append(dose)
    return Dose.objects.bulk_create(doses)


def make_scenario(unit: AdminUnit, *, name: str, at: dt.datetime, model: str = "branching",
                  status: str = "done", summary: dict[str, Any] | None = None) -> Scenario:
    scenario = Scenario(unit=unit, name=name, model=model, params={}, runs=10, seed=1,
                        status=status, created_at=at, result={"summary": summary or {}})
    scenario.place_in(unit)
    scenario.save()
    return scenario
