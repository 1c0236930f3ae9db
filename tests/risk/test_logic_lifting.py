"""The pure lifting rules under every seeded version: worked examples of practice, and
properties (never early, never without the required round, a new case resets, always down)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.risk.logic import LEVELS, LIFTED, RiskRules, clean_days, is_lower, next_step

SEEDED = importlib.import_module("fangkong.risk.migrations.0002_policy_versions").VERSIONS
RULES = {name: RiskRules.from_dict(params) for name, _day, params, _note in SEEDED}
OLD, NINTH, TWENTY = (name for name, *_ in SEEDED)
DAY0 = dt.date(2022, 7, 1)


def step(rules: RiskRules, *, level: str, designated: str | None = None, days: int,
         case_ago: int | None = None, round_ago: int | None = None,
         district_has_higher: bool = False):  # type: ignore[no-untyped-def]
    today = DAY0 + dt.timedelta(days=days)
    return next_step(level=level, designated_level=designated or level, today=today,
                     last_case_day=None if case_ago is None else today - dt.timedelta(case_ago),
                     level_since_day=DAY0, district_has_higher=district_has_higher,
                     last_negative_round_day=(None if round_ago is None
                                              else today - dt.timedelta(round_ago)),
                     rules=rules)


def test_ninth_edition_sealed_goes_to_controlled_after_seven_clean_days() -> None:
    assert step(RULES[NINTH], level="sealed", days=6) is None
    found = step(RULES[NINTH], level="sealed", days=7)
    assert found is not None and found.target == "controlled"
    assert (found.clean_days, found.required_days, found.round_required) == (7, 7, False)


def test_ninth_edition_controlled_needs_three_days_when_downgraded_seven_when_designated() -> None:
    assert step(RULES[NINTH], level="controlled", designated="sealed", days=2) is None
    lowered = step(RULES[NINTH], level="controlled", designated="sealed", days=3)
    assert lowered is not None and lowered.target == LIFTED and lowered.required_days == 3
    assert step(RULES[NINTH], level="controlled", days=6) is None
    assert step(RULES[NINTH], level="controlled", days=7) is not None


def test_old_zones_need_fourteen_days_and_a_recent_negative_round() -> None:
    assert step(RULES[OLD], level="sealed", days=14) is None
    assert step(RULES[OLD], level="sealed", days=14, round_ago=3) is None
    found = step(RULES[OLD], level="sealed", days=14, round_ago=2)
    assert found is not None and found.target == LIFTED and found.round_held
    assert step(RULES[OLD], level="sealed", days=13, round_ago=0) is None


def test_twenty_measures_lift_after_five_days() -> None:
    assert step(RULES[TWENTY], level="sealed", days=4) is None
    found = step(RULES[TWENTY], level="sealed", days=5)
    assert found is not None and found.target == LIFTED


def test_the_count_starts_at_the_later_of_the_last_case_and_the_level() -> None:
    assert step(RULES[NINTH], level="sealed", days=10, case_ago=6) is None
    assert step(RULES[NINTH], level="sealed", days=10, case_ago=7) is not None
    assert clean_days(today=DAY0, last_case_day=DAY0 - dt.timedelta(30),
                      level_since_day=DAY0 - dt.timedelta(2)) == 2


@pytest.mark.parametrize("name", [OLD, NINTH, TWENTY])
def test_precaution_lifts_with_the_last_higher_area_of_its_district(name: str) -> None:
    assert step(RULES[name], level="precaution", days=100, district_has_higher=True) is None
    found = step(RULES[name], level="precaution", days=0)
    assert found is not None and found.target == LIFTED and found.by_district


versions = st.sampled_from(list(RULES))
levels = st.sampled_from(LEVELS)
offsets = st.one_of(st.none(), st.integers(min_value=-5, max_value=40))


@given(name=versions, level=levels, designated=levels, days=st.integers(0, 40),
       case_ago=offsets, round_ago=offsets, higher=st.booleans())
def test_properties_of_every_step(*, name: str, level: str, designated: str, days: int,
                                  case_ago: int | None, round_ago: int | None,
                                  higher: bool) -> None:
    rules = RULES[name]
    found = step(rules, level=level, designated=designated, days=days, case_ago=case_ago,
                 round_ago=round_ago, district_has_higher=higher)
    if found is None:
        return
    assert is_lower(found.target, level)  # always downward
    rule = rules.levels[level]
    if rule.with_district:
        assert not higher
        return
    counted = days if case_ago is None else min(days, max(0, case_ago))
    assert found.clean_days == counted >= (found.required_days or 0) > 0  # never early
    if rule.negative_round_days is not None:  # never without the round
        assert round_ago is not None and 0 <= round_ago <= rule.negative_round_days


@given(name=versions, level=st.sampled_from(["sealed", "controlled"]), days=st.integers(0, 40))
def test_a_new_case_today_resets_the_count(name: str, level: str, days: int) -> None:
    assert step(RULES[name], level=level, days=days, case_ago=0, round_ago=0) is None
