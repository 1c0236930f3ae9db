"""The builders give a consistent starting state (the parts' tests rely on it)."""

import datetime as dt

from fangkong.quarantine.models import QuarantinePolicy, Room
from fangkong.risk.models import RiskPolicy
from tests.factories import City
from tests.quarantine.builders import make_facility, make_order
from tests.risk.builders import make_area


def test_policy_versions_are_seeded(city: City) -> None:
    assert QuarantinePolicy.objects.count() == 3
    assert RiskPolicy.objects.get(name__startswith="9th").params["sealed"]["next"] == "controlled"


def test_builders(city: City) -> None:
    d1 = city.districts[0]
    facility = make_facility(unit=d1.unit, rooms=6)
    assert Room.objects.filter(facility=facility, capacity=3).count() == 2
    order = make_order(d1.persons[0], exposure=dt.datetime(2022, 7, 1, 10, tzinfo=dt.UTC))
    assert (order.starts_on, order.ends_on) == (dt.date(2022, 7, 2), dt.date(2022, 7, 11))
    area = make_area(unit=d1.grids[0])
    assert area.grid_id == d1.grids[0].pk


def test_every_seeded_version_parses(city: City) -> None:
    from fangkong.quarantine.policy import rules_of as q_rules
    from fangkong.risk.policy import rules_of as r_rules

    assert all(q_rules(v) for v in QuarantinePolicy.objects.all())
    assert all(r_rules(v) for v in RiskPolicy.objects.all())
    twenty = q_rules(QuarantinePolicy.objects.get(name="20 measures"))
    assert twenty.rule_for("secondary") is None
