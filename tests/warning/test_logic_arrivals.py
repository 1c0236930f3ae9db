"""The arrival test schedule under both dated policy versions (property tests)."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from fangkong.warning.logic import WarningRules
from fangkong.warning.logic_arrivals import DONE, DUE, MISSED, listed_on, schedule, state_of

VERSIONS = {name: WarningRules.from_dict(params) for name, _, params, _ in importlib.import_module(
    "fangkong.warning.migrations.0002_policy_versions").VERSIONS}
OLD, NEW = VERSIONS["warning-2021-08"], VERSIONS["warning-2022-12"]
CITY = ZoneInfo("Asia/Shanghai")
# hypothesis bounds are naive; the drawn moments carry the city's zone
moments = st.datetimes(min_value=dt.datetime(2021, 1, 1),  # noqa: DTZ001
                       max_value=dt.datetime(2023, 12, 31),  # noqa: DTZ001
                       timezones=st.just(CITY))


@given(moments)
def test_a_listed_origin_is_tested_on_days_1_2_3_5_7(arrived: dt.datetime) -> None:
    dues = schedule(OLD, arrived, True)
    assert [(d.due_date - arrived.date()).days + 1 for d in dues] == [1, 2, 3, 5, 7]
    assert [d.sequence for d in dues] == [1, 2, 3, 4, 5]


@given(moments)
def test_an_unlisted_origin_owes_one_test_within_72_hours(arrived: dt.datetime) -> None:
    (due,) = schedule(OLD, arrived, False)
    assert due.due_date == (arrived + dt.timedelta(hours=72)).date()
    assert 3 <= (due.due_date - arrived.date()).days <= 3


@given(moments, st.booleans())
def test_after_december_2022_nothing_is_owed(arrived: dt.datetime, listed: bool) -> None:
    assert schedule(NEW, arrived, listed) == []


@given(moments, st.lists(st.integers(1, 30), min_size=1, max_size=8, unique=True),
       st.integers(1, 200))
def test_any_policy_tests_inside_the_stay(arrived: dt.datetime, days: list[int],
                                          hours: int) -> None:
    rules = WarningRules(OLD.anomaly, False, hours, tuple(sorted(days)), 24)
    listed = schedule(rules, arrived, True)
    assert [d.due_date for d in listed] == sorted(d.due_date for d in listed)
    assert listed[0].due_date >= arrived.date()
    assert schedule(rules, arrived, False)[0].due_date >= arrived.date()


@given(st.dates(), st.integers(-5, 5), st.booleans())
def test_a_test_is_done_due_or_missed(due: dt.date, offset: int, done: bool) -> None:
    today = due + dt.timedelta(days=offset)
    state = state_of(due_date=due, done=done, today=today)
    assert state == (DONE if done else MISSED if offset > 0 else DUE)


def test_listing_is_inclusive() -> None:
    first, last = dt.date(2022, 5, 1), dt.date(2022, 5, 9)
    assert listed_on(first, last, first) and listed_on(first, last, last)
    assert not listed_on(first, last, last + dt.timedelta(days=1))
    assert listed_on(first, None, dt.date(2030, 1, 1))
