"""The supplies rules, pure: the policy's parse, days of stock against a resident-by-resident
recount, the price jump and ceiling."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.supplies.logic import GOODS, SupplyRules, band, price_check, stock_check

POLICY = importlib.import_module("fangkong.supplies.migrations.0002_policy_versions")
RULES = SupplyRules.from_dict(POLICY.VERSIONS[-1][2])
DAY = dt.date(2022, 5, 10)


def test_the_seeded_versions_parse() -> None:
    for _name, _day, params, _note in POLICY.VERSIONS:
        rules = SupplyRules.from_dict(params)
        assert set(rules.daily_need) == set(GOODS)
        assert rules.normal_days < rules.sealed_days


@pytest.mark.parametrize(("change", "problem"), [
    ({"daily_need": {"grain": 0.4}}, "daily_need"),
    ({"normal_days": 9}, "normal_days"),
    ({"sealed_levels": ["lockdown"]}, "sealed_levels"),
    ({"ceiling_multiple": 1.0}, "ceiling_multiple"),
    ({"min_history": 9}, "min_history"),
    ({"extra": 1}, "keys"),
])
def test_a_bad_version_is_refused_naming_the_problem(change: dict[str, Any],
                                                     problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        SupplyRules.from_dict({**POLICY.VERSIONS[-1][2], **change})


@given(stock=st.floats(0, 10_000, allow_nan=False),
       people=st.lists(st.booleans(), min_size=0, max_size=60),
       need=st.floats(0.01, 2, allow_nan=False),
       normal=st.integers(1, 5), extra=st.integers(0, 10))
def test_days_of_stock_equal_a_resident_by_resident_recount(
        stock: float, people: list[bool], need: float, normal: int, extra: int) -> None:
    sealed_days = normal + extra
    check = stock_check(stock=stock, residents=len(people), sealed_residents=sum(people),
                        need=need, normal_days=normal, sealed_days=sealed_days)
    if not people:
        assert check is None
        return
    assert check is not None
    required_stock = 0.0
    eaten_a_day = 0.0
    for sealed in people:  # each resident's own requirement, one by one
        required_stock += need * (sealed_days if sealed else normal)
        eaten_a_day += need
    assert check.days == pytest.approx(stock / eaten_a_day)
    assert check.required_days == pytest.approx(required_stock / eaten_a_day)
    if abs(stock - required_stock) > 1e-6 * max(1.0, required_stock):
        assert check.low == (stock < required_stock)


def test_a_sealed_area_raises_the_days_required() -> None:
    open_street = stock_check(stock=40, residents=10, sealed_residents=0, need=1,
                              normal_days=3, sealed_days=7)
    half_sealed = stock_check(stock=40, residents=10, sealed_residents=5, need=1,
                              normal_days=3, sealed_days=7)
    assert open_street is not None and half_sealed is not None
    assert open_street.days == half_sealed.days == 4
    assert not open_street.low and open_street.required_days == 3
    assert half_sealed.low and half_sealed.required_days == 5


def history(*prices: float) -> dict[dt.date, float]:
    """Prices on the days before DAY, the last one the day before."""
    return {DAY - dt.timedelta(days=len(prices) - i): p for i, p in enumerate(prices)}


def test_a_price_over_the_trailing_median_by_the_threshold_jumps() -> None:
    base = history(5, 5, 5.2, 4.9, 5, 5.1, 5)
    assert price_check(RULES, day=DAY, price=6.01, history=base).rule == "jump"
    assert price_check(RULES, day=DAY, price=6.0, history=base).rule == ""  # exactly +20 %
    calm = price_check(RULES, day=DAY, price=5.3, history=base)
    assert calm.rule == "" and calm.trailing_median == 5


def test_too_little_history_judges_nothing() -> None:
    assert price_check(RULES, day=DAY, price=50, history=history(5, 5)).rule == ""


def test_a_slow_climb_meets_the_ceiling() -> None:
    # 0.2 a day for 20 days: never 20 % over the last week, yet 1.5 × the month's median.
    steps = [4.0] * 10 + [round(4.0 + 0.2 * k, 1) for k in range(1, 21)]
    climb = {DAY - dt.timedelta(days=30 - i): p for i, p in enumerate(steps)}
    found = price_check(RULES, day=DAY, price=8.1, history=climb)
    assert found.rule == "ceiling" and found.trailing_median == pytest.approx(7.4)
    assert found.long_median == pytest.approx(5.1)


def test_the_day_itself_and_older_days_are_not_history() -> None:
    old = {DAY - dt.timedelta(days=40 + i): 1.0 for i in range(10)}
    assert price_check(RULES, day=DAY, price=9, history={**old, DAY: 1.0}).rule == ""


def test_bands() -> None:
    assert band(2, 3) == "low" and band(4, 3) == "tight" and band(4.5, 3) == "ok"
    assert band(None, None) == "none"
