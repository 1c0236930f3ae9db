"""Facts the status engine reads, built with the ORM (placed at the person's residence)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import Model

from fangkong.healthcode.models import Arrival, Override, Purchase
from fangkong.registry.models import Person
from fangkong.testing.models import Campaign, Hold, Sample, Tube
from fangkong.tracing.models import Case, Contact

M = TypeVar("M", bound=Model)
NOW = dt.datetime(2022, 6, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 in the city


def placed(row: M, person: Person, **_: Any) -> M:
    for level in ("district_id", "street_id", "community_id", "grid_id"):
        setattr(row, level, getattr(person, level))
    row.save()
    return row


def make_case(person: Person, *, at: dt.datetime = NOW) -> Case:
    return placed(Case(person=person, classification="confirmed", sample_date=at.date(),
                       result_at=at, confirmed_at=at, created_at=at), person)


def make_contact(case: Case, person: Person, kind: str, *, last: dt.datetime) -> Contact:
    return placed(Contact(person=person, index_case=case, contact_type=kind, rule="household",
                          first_exposure=last - dt.timedelta(hours=2), last_exposure=last,
                          identified_at=last), person)


_tubes = iter(range(1, 10**6))


def _tube(*, capacity: int = 1, result: str = "", at: dt.datetime = NOW) -> Tube:
    campaign = Campaign.objects.first() or Campaign.objects.create(
        code="R1", name="round", starts_at=at - dt.timedelta(days=30),
        ends_at=at + dt.timedelta(days=30), status="running", created_at=at)
    return Tube.objects.create(campaign=campaign, code=f"T{next(_tubes)}", capacity=capacity,
                               result=result, resulted_at=at if result else None)


def make_negative(person: Person, *, sampled: dt.datetime) -> Sample:
    """A negative single-tube screening result sampled at ``sampled``."""
    tube = _tube(result="negative", at=sampled + dt.timedelta(hours=6))
    return placed(Sample(campaign=tube.campaign, tube=tube, person=person, sampled_at=sampled),
                  person)


def make_hold(person: Person, *, at: dt.datetime) -> Hold:
    tube = _tube(capacity=10, result="positive", at=at)
    return placed(Hold(campaign=tube.campaign, person=person, pool_tube=tube, held_at=at),
                  person)


def make_arrival(person: Person, *, at: dt.datetime) -> Arrival:
    return placed(Arrival(person=person, arrived_at=at, origin="上海", recorded_at=at), person)


def make_purchase(person: Person, *, at: dt.datetime, drug: str = "fever") -> Purchase:
    return placed(Purchase(person=person, drug_class=drug, bought_at=at), person)


def make_override(person: Person, *, colour: str = "red", at: dt.datetime = NOW,
                  days: int = 3) -> Override:
    return placed(Override(person=person, colour=colour, reason="reported by another city",
                           set_at=at, expires_at=at + dt.timedelta(days=days)), person)
