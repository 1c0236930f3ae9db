"""The sentinel demo stores a clinic day through the real actions, once however often run."""

from __future__ import annotations

from fangkong.warning.demo_sentinel import VISITS, seed_sentinel
from fangkong.warning.models import ClinicVisit, FollowUp
from tests.factories import City
from tests.warning.builders_sentinel import hospital


def test_the_demo_day_is_stored_once(city: City) -> None:
    hospital(city, 0)
    first = seed_sentinel(seed=7)
    assert first["visits"] == VISITS == ClinicVisit.objects.count()
    assert FollowUp.objects.filter(kind="clinic").count() == first["follow_ups"] > 0
    assert seed_sentinel(seed=7)["visits"] == 0 and ClinicVisit.objects.count() == VISITS
