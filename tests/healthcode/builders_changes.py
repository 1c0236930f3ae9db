"""Builders of the manual-change, abuse and report tests: the users who ask, approve and
report, a policy version with a small bulk threshold, and a spy on the recompute hook."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import Approval
from fangkong.healthcode import changes, reports
from fangkong.healthcode.models import CodePolicy
from fangkong.registry.models import Person, Venue
from fangkong.tracing.models import Case
from tests.factories import City, make_user

ENGINE_BUILT = importlib.util.find_spec("fangkong.healthcode.recompute") is not None


def change_users(city: City) -> dict[str, User]:
    d1, d2 = city.districts
    return {
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
        "officer1b": make_user("officer1b", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "grid1": make_user("grid1", unit=d1.grids[0], roles=["grid_worker"]),
        "pharmacy1": make_user("pharmacy1", unit=d1.grids[0], roles=["pharmacy"]),
    }


def actor(user: User) -> Actor:
    return actor_for(user)


def small_bulk_threshold(threshold: int = 3, minutes: int = 60) -> CodePolicy:
    """A version in force from today whose bulk threshold a test can cross with few people."""
    base = CodePolicy.objects.order_by("-effective_from").first()
    assert base is not None
    return CodePolicy.objects.create(
        name=f"test bulk {threshold}", effective_from=clock.city_today(),
        params={**base.params, "bulk_change_threshold": threshold,
                "bulk_window_minutes": minutes})


def make_case(person: Person) -> Case:
    now = clock.now()
    case = Case(person=person, classification="confirmed", sample_date=now.date(),
                result_at=now, confirmed_at=now, created_at=now)
    case.district_id, case.street_id = person.district_id, person.street_id
    case.community_id, case.grid_id = person.community_id, person.grid_id
    case.save()
    return case


def pharmacy_venue(person: Person) -> Venue:
    venue = Venue(venue_code=f"P{person.pk:06d}", type="pharmacy", name="大药房",
                  address="幸福路1号", lat=34.2, lon=108.9)
    venue.district_id, venue.street_id = person.district_id, person.street_id
    venue.community_id, venue.grid_id = person.community_id, person.grid_id
    venue.save()
    return venue


def ask(who: User, person: Person, *, colour: str = "red", days: int = 7,
        reason: str = "close contact on the bus, not yet traced") -> Approval:
    return changes.do_request_change(actor=actor(who), person_id=person.pk, colour=colour,
                                     reason=reason, days=days)


@pytest.fixture
def recomputed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The people whose code was recomputed after a change or report (the engine runs too
    once ``recompute`` exists)."""
    calls: list[int] = []

    def spy(real: Any) -> Any:
        def run(*, actor: Actor, person: Person) -> None:
            calls.append(person.pk)
            if ENGINE_BUILT:
                real(actor=actor, person=person)
        return run

    monkeypatch.setattr(changes, "_recompute", spy(changes._recompute))
    monkeypatch.setattr(reports, "_recompute", spy(reports._recompute))
    return calls
