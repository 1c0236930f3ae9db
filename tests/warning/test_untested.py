"""Untested pharmacy buyers: the list agrees with a brute-force recount of the health code's
rule, is scoped, and the daily step opens one follow-up per overdue buyer, only while the
policy's pharmacy sentinel is on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.models import AuditLog
from fangkong.healthcode.logic import horizon
from fangkong.healthcode.models import Purchase
from fangkong.healthcode.policy import code_rules
from fangkong.registry.models import Person
from fangkong.testing.models import Sample
from fangkong.warning import untested
from fangkong.warning.models import FollowUp, FollowUpKind
from tests.factories import PASSWORD, City
from tests.healthcode.builders_status import make_negative, placed
from tests.warning.builders_sentinel import SUMMER, WINTER, actor, move_clock, sentinel_users

H = dt.timedelta(hours=1)
RESULT_DELAY = 6 * H  # make_negative's result comes six hours after sampling


@pytest.fixture
def users(city: City, monkeypatch: pytest.MonkeyPatch) -> dict[str, User]:
    move_clock(monkeypatch, SUMMER)
    return sentinel_users(city)


def buy(person: Person, at: dt.datetime, drug: str = "fever") -> Purchase:
    return placed(Purchase(person=person, drug_class=drug, bought_at=at), person)


def brute(sales: list[tuple[int, str, dt.datetime]], tests: list[tuple[int, dt.datetime]],
          now: dt.datetime) -> dict[int, dt.datetime]:
    """Person → deadline, recounted from the rule as written: a sale in the last
    ``horizon`` with no negative test (result in by now) from 72 h before it until now."""
    lasting = horizon(code_rules(on=now.date()))
    found: dict[int, dt.datetime] = {}
    for person, _drug, at in sales:
        if not now - lasting < at <= now:
            continue
        if any(p == person and at - 72 * H <= t <= now and t + RESULT_DELAY <= now
               for p, t in tests):
            continue
        found[person] = min(found.get(person, at + 72 * H), at + 72 * H)
    return found


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["fever", "cough"]),
                                st.integers(0, 24 * 16)), max_size=8),
       tests=st.dictionaries(st.integers(0, 3), st.integers(0, 24 * 16), max_size=4))
def test_the_list_matches_a_brute_force_recount(
        city: City, users: dict[str, User], sales: list[tuple[int, str, int]],
        tests: dict[int, int]) -> None:
    """One screening sample per person and round (the screening rule)."""
    Purchase.objects.all().delete()
    Sample.objects.all().delete()
    people = city.districts[0].persons[:4]
    for k, drug, hours_ago in sales:
        buy(people[k], SUMMER - hours_ago * H, drug)
    for k, hours_ago in tests.items():
        make_negative(people[k], sampled=SUMMER - hours_ago * H)
    got = {b.person_id: b.deadline for b in untested.untested_buyers(actor(users["officer1"]))}
    expected = brute([(people[k].pk, d, SUMMER - h * H) for k, d, h in sales],
                     [(people[k].pk, SUMMER - h * H) for k, h in tests.items()], SUMMER)
    assert got == expected


def test_the_list_is_scoped_and_shows_the_deadline(city: City, users: dict[str, User]) -> None:
    first, other = city.districts[0].persons[0], city.districts[1].persons[0]
    buy(first, SUMMER - 80 * H)
    buy(other, SUMMER - 10 * H)
    [mine] = untested.untested_buyers(actor(users["officer1"]))
    assert mine.person_id == first.pk and mine.overdue
    assert mine.deadline == SUMMER - 8 * H
    [theirs] = untested.untested_buyers(actor(users["officer2"]))
    assert theirs.person_id == other.pk and not theirs.overdue
    assert untested.untested_buyers(actor(users["grid1b"])) == []  # first lives in grid 1
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert web.login(username="officer2", password=PASSWORD)
    page = web.get("/warning/buyers/").content.decode()
    assert other.name in page and first.name not in page and "left" in page


def test_the_daily_step_opens_one_follow_up_per_overdue_buyer(
        city: City, users: dict[str, User]) -> None:
    late, in_time, tested = city.districts[0].persons[:3]
    buy(late, SUMMER - 80 * H)
    buy(late, SUMMER - 75 * H, "cough")
    buy(in_time, SUMMER - 10 * H)
    buy(tested, SUMMER - 100 * H)
    make_negative(tested, sampled=SUMMER - 90 * H)
    assert untested.do_open_buyer_follow_ups() == {"overdue": 1, "opened": 1}
    follow = FollowUp.objects.get()
    assert (follow.kind, follow.person, follow.grid_id) == (
        FollowUpKind.UNTESTED_BUYER, late, late.grid_id)
    assert "fever" in follow.summary and "cough" in follow.summary
    assert AuditLog.objects.filter(verb="warning.followup.open").count() == 1
    assert untested.do_open_buyer_follow_ups() == {"overdue": 1, "opened": 0}


def test_after_december_2022_no_buyer_is_listed_or_followed_up(
        city: City, users: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    move_clock(monkeypatch, WINTER)
    buy(city.districts[0].persons[0], WINTER - 80 * H)
    assert not untested.sentinel_on()
    assert untested.untested_buyers(actor(users["officer1"])) == []
    assert untested.do_open_buyer_follow_ups() == {"overdue": 0, "opened": 0}
    assert not FollowUp.objects.exists()
