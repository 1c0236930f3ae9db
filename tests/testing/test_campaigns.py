"""Campaign, site, slot and tube actions: bad input is refused naming the field, scoping
holds (the second district's officer can neither see nor change the first's sites), the
slots follow the policy's table rate, and tube codes are unique and numbered on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AuditLog
from fangkong.testing.actions_campaign import (
    do_add_site,
    do_create_campaign,
    do_edit_site,
    do_issue_tubes,
    do_open_slots,
    do_set_status,
)
from fangkong.testing.models import Campaign, ScreeningPolicy, Slot, Tube
from fangkong.testing.queries import campaigns_for
from tests.factories import City
from tests.testing.builders import Round

pytestmark = pytest.mark.django_db


def actor(rnd: Round, name: str) -> Actor:
    return actor_for(rnd.users[name])


def new_round(rnd: Round, who: str = "organiser1", **kw: Any) -> Campaign:
    start = rnd.campaign.starts_at
    values: dict[str, Any] = {
        "code": "R2", "name": "第2轮", "starts_at": start, "ends_at": start + dt.timedelta(days=1),
        "areas": {rnd.city.districts[0].unit.pk: 10}}
    return do_create_campaign(actor=actor(rnd, who), **(values | kw))


def add_site(rnd: Round, campaign: Campaign, who: str = "organiser1", **kw: Any) -> Any:
    grid = rnd.city.districts[0].grids[0]
    values: dict[str, Any] = {
        "code": "A1", "name": "广场", "grid_id": grid.pk, "tables": 3,
        "opens_at": campaign.starts_at + dt.timedelta(hours=1),
        "closes_at": campaign.starts_at + dt.timedelta(hours=4), "lab_id": rnd.labs[0].pk}
    return do_add_site(actor=actor(rnd, who), campaign_id=campaign.pk, **(values | kw))


def test_create_stores_areas_policy_and_audit(rnd: Round) -> None:
    policy = ScreeningPolicy.objects.create(name="v1", params={"swab_seconds": 36},
                                            effective_from=rnd.campaign.starts_at.date())
    campaign = new_round(rnd, areas={rnd.city.districts[0].grids[0].pk: 1,
                                     rnd.city.districts[0].grids[1].pk: 20})
    assert campaign.status == "planned" and campaign.policy == policy
    assert sorted(campaign.areas.values_list("pool_size", flat=True)) == [1, 20]
    assert AuditLog.objects.filter(verb="screening.campaign.create").count() == 1
    assert list(campaigns_for(actor(rnd, "organiser2"))) == [rnd.campaign]


@pytest.mark.parametrize(("change", "field"), [
    ({"areas": {}}, "areas"),
    ({"code": "R1"}, "code"),
    ({"code": "bad code!"}, "code"),
    ({"ends_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "ends_at"),
    ({"default_pool_size": 30}, "default_pool_size"),
    ({"name": "  "}, "name"),
])
def test_create_refuses_bad_input(rnd: Round, change: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as err:
        new_round(rnd, **change)
    assert err.value.field == field
    assert Campaign.objects.count() == 1


def test_create_refuses_long_span_pool_sizes_and_foreign_areas(rnd: Round) -> None:
    start = rnd.campaign.starts_at
    with pytest.raises(DomainError, match="at most"):
        new_round(rnd, ends_at=start + dt.timedelta(days=8))
    with pytest.raises(DomainError, match="pool size"):
        new_round(rnd, areas={rnd.city.districts[0].unit.pk: 50})
    with pytest.raises(DomainError, match="outside your jurisdiction"):
        new_round(rnd, areas={rnd.city.districts[1].unit.pk: 10})
    d1 = rnd.city.districts[0]
    with pytest.raises(DomainError, match="inside"):
        new_round(rnd, areas={d1.unit.pk: 10, d1.grids[0].pk: 1})
    with pytest.raises(PermissionDenied):
        new_round(rnd, who="grid1")


def test_status_needs_every_area_in_scope(rnd: Round) -> None:
    with pytest.raises(PermissionDenied):  # the running round covers both districts
        do_set_status(actor=actor(rnd, "organiser1"), campaign_id=rnd.campaign.pk, act="close")
    mine = new_round(rnd)
    with pytest.raises(NotFound):
        do_set_status(actor=actor(rnd, "organiser2"), campaign_id=mine.pk, act="start")
    assert do_set_status(actor=actor(rnd, "organiser1"), campaign_id=mine.pk,
                         act="start").status == "running"
    with pytest.raises(Conflict):
        do_set_status(actor=actor(rnd, "organiser1"), campaign_id=mine.pk, act="start")
    do_set_status(actor=actor(rnd, "admin"), campaign_id=rnd.campaign.pk, act="close")
    with pytest.raises(Conflict):  # a closed round takes no new sites
        add_site(rnd, rnd.campaign)


def test_site_checks_hours_grid_lab_and_scope(rnd: Round) -> None:
    campaign = new_round(rnd)
    site = add_site(rnd, campaign)
    assert site.grid_id == rnd.city.districts[0].grids[0].pk and site.lab == rnd.labs[0]
    with pytest.raises(DomainError) as err:
        add_site(rnd, campaign, code="A2", closes_at=campaign.ends_at + dt.timedelta(hours=1))
    assert err.value.field == "opens_at"
    with pytest.raises(DomainError) as err:
        add_site(rnd, campaign, code="A1")
    assert err.value.field == "code"
    with pytest.raises(DomainError) as err:
        add_site(rnd, campaign, code="A3", lab_id=rnd.labs[1].pk)
    assert err.value.field == "lab_id"
    with pytest.raises(DomainError) as err:  # grid of district 2: outside the round's areas
        add_site(rnd, rnd.campaign, who="organiser1", code="A4",
                 grid_id=rnd.city.districts[1].grids[0].pk)
    assert err.value.field == "grid_id"
    with pytest.raises(NotFound):
        add_site(rnd, campaign, who="organiser2", code="B1")
    with pytest.raises(NotFound):
        do_edit_site(actor=actor(rnd, "organiser2"), site_id=site.pk, tables=9)


def test_slots_follow_tables_and_rate(rnd: Round) -> None:
    campaign = new_round(rnd)
    site = add_site(rnd, campaign, closes_at=campaign.starts_at + dt.timedelta(hours=3,
                                                                               minutes=30))
    slots = do_open_slots(actor=actor(rnd, "organiser1"), site_id=site.pk)
    # 3 tables × 120 swabs an hour (30 s each): 360 an hour; the last half hour 180
    assert [s.capacity for s in slots] == [360, 360, 180]
    assert slots[-1].ends_at == site.closes_at and all(s.grid_id == site.grid_id for s in slots)
    ScreeningPolicy.objects.create(name="slow", effective_from=dt.date(2000, 1, 1),
                                   params={"swab_seconds": 60})
    campaign.policy = ScreeningPolicy.objects.get(name="slow")
    campaign.save()
    assert [s.capacity for s in do_open_slots(actor=actor(rnd, "organiser1"), site_id=site.pk,
                                              minutes=30)] == [90] * 5
    with pytest.raises(DomainError):
        do_open_slots(actor=actor(rnd, "organiser1"), site_id=site.pk, minutes=5)


def test_edit_refits_slots_and_protects_bookings(rnd: Round) -> None:
    site = rnd.sites[0]
    org = actor(rnd, "admin")
    do_edit_site(actor=org, site_id=site.pk, tables=1, closes_at=site.closes_at
                 - dt.timedelta(hours=2))
    slots = list(Slot.objects.filter(site=site))
    assert len(slots) == 4 and {s.capacity for s in slots} == {120}
    Slot.objects.filter(pk=slots[-1].pk).update(booked=100)
    with pytest.raises(Conflict):
        do_edit_site(actor=org, site_id=site.pk, closes_at=site.opens_at + dt.timedelta(hours=1))
    with pytest.raises(Conflict):
        do_open_slots(actor=org, site_id=site.pk)
    assert Slot.objects.filter(site=site).count() == 4


def test_tube_codes_are_unique_and_numbered_on(rnd: Round) -> None:
    site = rnd.sites[0]
    org = actor(rnd, "organiser1")
    first = do_issue_tubes(actor=org, site_id=site.pk, count=3, capacity=10)
    more = do_issue_tubes(actor=org, site_id=site.pk, count=2, capacity=20)
    retest = do_issue_tubes(actor=org, site_id=site.pk, count=1, capacity=1, kind="retest")
    codes = [t.code for t in first + more + retest]
    assert codes == ["R1-S11-00001", "R1-S11-00002", "R1-S11-00003", "R1-S11-00004",
                     "R1-S11-00005", "R1-S11-R00001"]
    assert Tube.objects.filter(code__in=codes, grid_id=site.grid_id).count() == 6
    for bad in ({"capacity": 30}, {"capacity": 10, "kind": "retest"}, {"count": 0}):
        with pytest.raises(DomainError):
            do_issue_tubes(actor=org, site_id=site.pk, **({"count": 1, "capacity": 10} | bad))
    with pytest.raises(NotFound):
        do_issue_tubes(actor=actor(rnd, "organiser2"), site_id=site.pk, count=1, capacity=10)


def test_city_wide_round_from_city_admin(rnd: Round, city: City) -> None:
    campaign = new_round(rnd, who="admin", areas={city.unit.pk: 20})
    assert list(campaigns_for(actor(rnd, "organiser2"))).count(campaign) == 1
