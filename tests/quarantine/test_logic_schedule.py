"""The schedule of an order under each seeded version (pure: the versions' params are read
from the data migration, so the rules tested are the ones the database gets)."""

from __future__ import annotations

import datetime as dt
import importlib

from hypothesis import given
from hypothesis import strategies as st

from fangkong.quarantine.logic import (
    QuarantineRules,
    ResultState,
    check_alerts,
    plan_order,
    release_refusal,
)

SEEDS = importlib.import_module("fangkong.quarantine.migrations.0002_policy_versions")
RULES = {name: QuarantineRules.from_dict(params) for name, _, params, _ in SEEDS.VERSIONS}
DAY = dt.timedelta(days=1)
dates = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2023, 12, 31))
lags = st.integers(min_value=0, max_value=30)


def schedule_of(plan):  # type: ignore[no-untyped-def]
    return [(t.phase, t.day_no, t.due_on) for t in plan.tests]


@given(exposure=dates)
def test_eighth_edition_close_contact_fourteen_plus_seven(exposure: dt.date) -> None:
    rule = RULES["8th edition"].rule_for("close")
    assert rule is not None
    plan = plan_order(rule=rule, exposure_day=exposure, today=exposure)
    day1 = exposure + DAY
    assert plan.kind == "centralised"
    assert (plan.starts_on, plan.centralised_until, plan.ends_on) == (
        day1, day1 + 13 * DAY, day1 + 20 * DAY)
    assert schedule_of(plan) == [("centralised", d, day1 + (d - 1) * DAY) for d in (1, 4, 7, 14)]


@given(exposure=dates)
def test_ninth_edition_close_and_secondary(exposure: dt.date) -> None:
    day1 = exposure + DAY
    close = plan_order(rule=RULES["9th edition"].rule_for("close"),  # type: ignore[arg-type]
                       exposure_day=exposure, today=exposure)
    assert (close.centralised_until, close.ends_on) == (day1 + 6 * DAY, day1 + 9 * DAY)
    assert schedule_of(close) == [
        *[("centralised", d, day1 + (d - 1) * DAY) for d in (1, 2, 3, 5, 7)],
        ("home", 3, day1 + 9 * DAY)]
    secondary = plan_order(rule=RULES["9th edition"].rule_for("secondary"),  # type: ignore[arg-type]
                           exposure_day=exposure, today=exposure)
    assert secondary.kind == "home" and secondary.centralised_until is None
    assert secondary.ends_on == day1 + 6 * DAY
    assert schedule_of(secondary) == [("home", d, day1 + (d - 1) * DAY) for d in (1, 4, 7)]


@given(exposure=dates)
def test_twenty_measures_five_plus_three(exposure: dt.date) -> None:
    rules = RULES["20 measures"]
    assert rules.rule_for("secondary") is None
    plan = plan_order(rule=rules.rule_for("close"), exposure_day=exposure,  # type: ignore[arg-type]
                      today=exposure)
    day1 = exposure + DAY
    assert (plan.centralised_until, plan.ends_on) == (day1 + 4 * DAY, day1 + 7 * DAY)
    assert schedule_of(plan) == [
        *[("centralised", d, day1 + (d - 1) * DAY) for d in (1, 2, 3, 5)],
        ("home", 1, day1 + 5 * DAY), ("home", 3, day1 + 7 * DAY)]


@given(version=st.sampled_from(sorted(RULES)), reason=st.sampled_from(
    ["close", "secondary", "risk_area", "inbound"]), exposure=st.none() | dates, lag=lags)
def test_dates_never_before_the_start_and_one_catch_up_test(
        version: str, reason: str, exposure: dt.date | None, lag: int) -> None:
    rule = RULES[version].rule_for(reason)
    if rule is None:
        return
    today = (exposure or dt.date(2022, 7, 1)) + lag * DAY
    plan = plan_order(rule=rule, exposure_day=exposure, today=today)
    assert plan.starts_on == (today if exposure is None else exposure + DAY)
    assert plan.starts_on <= plan.ends_on
    assert all(plan.starts_on <= t.due_on for t in plan.tests)
    assert all(t.due_on >= today for t in plan.tests)
    assert sum(t.due_on == today for t in plan.tests) <= 1
    assert len({(t.phase, t.day_no) for t in plan.tests}) == len(plan.tests)
    if plan.centralised_until is not None:
        assert plan.starts_on <= plan.centralised_until < plan.ends_on or (
            plan.centralised_until == plan.ends_on and rule.home_days == 0)


def test_passed_tests_collapse_into_one_today() -> None:
    rule = RULES["9th edition"].rule_for("close")
    exposure = dt.date(2022, 7, 1)  # day 1 = 2 July; found on 6 July (day 5)
    plan = plan_order(rule=rule, exposure_day=exposure,  # type: ignore[arg-type]
                      today=dt.date(2022, 7, 6))
    assert schedule_of(plan) == [("centralised", 5, dt.date(2022, 7, 6)),
                              ("centralised", 7, dt.date(2022, 7, 8)),
                              ("home", 3, dt.date(2022, 7, 11))]
    found_day_4 = plan_order(rule=rule, exposure_day=exposure,  # type: ignore[arg-type]
                             today=dt.date(2022, 7, 5))
    assert schedule_of(found_day_4)[0] == ("centralised", 3, dt.date(2022, 7, 5))


@given(temperature=st.floats(min_value=34, max_value=43), mood=st.integers(1, 5),
       support=st.booleans(), symptoms=st.lists(st.sampled_from(["cough", "fatigue"])))
def test_alerts_follow_the_versions_thresholds(temperature: float, mood: int, support: bool,
                                               symptoms: list[str]) -> None:
    rules = RULES["9th edition"]
    kinds = check_alerts(rules=rules, temperature=temperature, symptoms=symptoms, mood=mood,
                         needs_support=support)
    assert ("fever" in kinds) == (temperature >= rules.fever_c or bool(symptoms))
    assert ("support" in kinds) == (mood <= rules.support_mood_at_most or support)


def test_release_refusals() -> None:
    last = dt.date(2022, 7, 8)
    neg = [ResultState(1, dt.date(2022, 7, 2), "negative"), ResultState(7, last, "negative")]
    pending = [neg[0], ResultState(7, last, "pending")]
    assert release_refusal(centralised_until=None, tests=neg, today=last) == "not_centralised"
    assert release_refusal(centralised_until=last, tests=neg, today=last - DAY) == "too_early"
    assert release_refusal(centralised_until=last, tests=neg, today=last) is None
    assert release_refusal(centralised_until=last, tests=pending, today=last) == "too_early"
    assert release_refusal(centralised_until=last, tests=pending, today=last + DAY) == "pending"
    positive = [neg[0], ResultState(7, last, "positive")]
    assert release_refusal(centralised_until=last, tests=positive, today=last + DAY) == "positive"
