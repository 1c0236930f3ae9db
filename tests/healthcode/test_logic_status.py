"""The status engine's rules as properties over generated people and events (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.healthcode.logic import (
    COLOURS,
    AreaFact,
    CodeRules,
    ContactFact,
    Facts,
    OrderFact,
    OverrideFact,
    PurchaseFact,
    evaluate,
    horizon,
)

NOW = dt.datetime(2022, 6, 1, 12, 0, tzinfo=dt.UTC)
BASE = {
    "token_minutes": 30, "case": "red",
    "close": {"colour": "red", "days": 10}, "secondary": {"colour": "yellow", "days": 7},
    "companion": {"colour": "yellow", "popup": "risk_link", "days": 14, "tests": 2,
                  "within_days": 3, "apart_hours": 24},
    "order": {"centralised": "red", "home": "yellow", "monitoring": "yellow"},
    "area": {"sealed": "yellow", "controlled": "yellow", "precaution": None},
    "pool_hold": {"colour": "yellow", "popup": "pool_hold"},
    "arrival": {"popup": "test_missing", "test_within_hours": 72},
    "pharmacy": {"popup": "test_missing", "test_within_hours": 72,
                 "drug_classes": ["fever", "cough", "antibiotic", "antiviral"]},
    "bulk_change_threshold": 20, "bulk_window_minutes": 60,
}
RULES = CodeRules.from_dict(BASE)

moments = st.integers(min_value=-30 * 24, max_value=6).map(
    lambda h: NOW + dt.timedelta(hours=h))
colours = st.sampled_from(COLOURS)


@st.composite
def orders(draw: st.DrawFn) -> OrderFact:
    since = draw(moments)
    until = since + dt.timedelta(days=draw(st.integers(1, 14)))
    home = draw(st.one_of(st.none(), st.integers(1, 13).map(
        lambda d: since + dt.timedelta(days=d))))
    return OrderFact(draw(st.sampled_from(["centralised", "home", "monitoring"])), since,
                     until, home)


facts_st = st.builds(
    Facts,
    case_since=st.one_of(st.none(), moments),
    contacts=st.lists(st.builds(ContactFact, st.sampled_from(["close", "secondary",
                                                              "companion"]), moments),
                      max_size=3).map(tuple),
    order=st.one_of(st.none(), orders()),
    areas=st.lists(st.builds(AreaFact, st.sampled_from(["sealed", "controlled", "precaution"]),
                             moments, st.integers(1, 9)), max_size=2).map(tuple),
    holds=st.lists(moments, max_size=1).map(tuple),
    arrivals=st.lists(moments, max_size=2).map(tuple),
    purchases=st.lists(st.builds(PurchaseFact, st.sampled_from(["fever", "cough", "other"]),
                                 moments), max_size=2).map(tuple),
    negative_tests=st.lists(moments, max_size=4).map(tuple),
    overrides=st.lists(st.builds(
        OverrideFact, colours, st.just("checked by the district"), moments,
        moments.map(lambda t: t + dt.timedelta(days=3)), st.integers(1, 9)),
        max_size=1).map(tuple),
)


@given(facts_st)
def test_green_without_coloured_reason_and_colour_is_the_worst(facts: Facts) -> None:
    """Without an override; with one, the newest override's colour (tested below)."""
    status = evaluate(facts=replace(facts, overrides=()), rules=RULES, now=NOW)
    worst = max((r.colour for r in status.reasons if r.colour), key=COLOURS.index,
                default="green")
    assert status.colour == worst
    assert (status.colour == "green") == all(r.colour in (None, "green")
                                             for r in status.reasons)
    assert set(status.flags) == {r.popup for r in status.reasons if r.popup}


def test_no_facts_is_green_forever() -> None:
    status = evaluate(facts=Facts(), rules=RULES, now=NOW)
    assert (status.colour, status.flags, status.reasons, status.valid_until) == (
        "green", (), (), None)


@given(facts_st)
def test_every_reason_is_active_now_and_says_what_clears_it(facts: Facts) -> None:
    for r in evaluate(facts=facts, rules=RULES, now=NOW).reasons:
        assert r.since <= NOW and (r.until is None or NOW < r.until)
        assert r.clears
        assert (r.clears in ("wait_until", "override_expires")) <= (r.until is not None)


@settings(max_examples=150)
@given(facts_st)
def test_valid_until_is_the_first_change(facts: Facts) -> None:
    status = evaluate(facts=facts, rules=RULES, now=NOW)
    if status.valid_until is None:
        for days in (1, 20, 400):
            assert evaluate(facts=facts, rules=RULES,
                            now=NOW + dt.timedelta(days=days)).same_as(status)
        return
    just_before = status.valid_until - dt.timedelta(microseconds=1)
    assert evaluate(facts=facts, rules=RULES, now=just_before).same_as(status)
    assert not evaluate(facts=facts, rules=RULES, now=status.valid_until).same_as(status)


@given(arrived=moments, test_after=st.integers(0, 48))
def test_a_negative_test_after_an_arrival_clears_its_popup(arrived: dt.datetime,
                                                           test_after: int) -> None:
    sampled = arrived + dt.timedelta(hours=test_after)
    untested = evaluate(facts=Facts(arrivals=(arrived,)), rules=RULES, now=NOW)
    tested = evaluate(facts=Facts(arrivals=(arrived,), negative_tests=(sampled,)),
                      rules=RULES, now=NOW)
    if arrived <= NOW < arrived + horizon(RULES):
        assert untested.flags == ("test_missing",)
        assert untested.reasons[0].code == "arrival_untested"
    if sampled <= NOW:
        assert tested.flags == () and tested.colour == "green"


@given(hours_before=st.integers(0, 200))
def test_a_test_shortly_before_a_sale_covers_it(hours_before: int) -> None:
    bought = NOW - dt.timedelta(hours=1)
    facts = Facts(purchases=(PurchaseFact("fever", bought),),
                  negative_tests=(bought - dt.timedelta(hours=hours_before),))
    status = evaluate(facts=facts, rules=RULES, now=NOW)
    assert (status.flags == ()) == (hours_before <= 72)


def test_unwatched_drugs_and_an_ended_pharmacy_rule_raise_nothing() -> None:
    sale = Facts(purchases=(PurchaseFact("vitamins", NOW),))
    assert evaluate(facts=sale, rules=RULES, now=NOW).flags == ()
    ended = CodeRules.from_dict({**BASE, "pharmacy": None})
    fever = Facts(purchases=(PurchaseFact("fever", NOW),))
    assert evaluate(facts=fever, rules=ended, now=NOW).flags == ()
    assert evaluate(facts=fever, rules=RULES, now=NOW).reasons[0].detail == {
        "hours": 72, "drug_classes": ["fever"]}


@given(kind=st.sampled_from(["close", "secondary", "companion"]), days_ago=st.integers(0, 40))
def test_nothing_older_than_the_rules_days_counts(kind: str, days_ago: int) -> None:
    exposed = NOW - dt.timedelta(days=days_ago, minutes=1)
    status = evaluate(facts=Facts(contacts=(ContactFact(kind, exposed),)), rules=RULES, now=NOW)
    days = {"close": RULES.close, "secondary": RULES.secondary,
            "companion": RULES.companion}[kind].days
    assert bool(status.reasons) == (days_ago < days)
    if status.reasons:
        assert status.reasons[0].until == exposed + dt.timedelta(days=days)


@given(facts_st, colours)
def test_an_override_always_shows_and_sets_the_colour(facts: Facts, colour: str) -> None:
    override = OverrideFact(colour, "wrong address", NOW - dt.timedelta(hours=1),
                            NOW + dt.timedelta(days=2), 7)
    without = evaluate(facts=replace(facts, overrides=()), rules=RULES, now=NOW)
    status = evaluate(facts=replace(facts, overrides=(override,)), rules=RULES, now=NOW)
    shown = [r for r in status.reasons if r.code == "override"]
    assert len(shown) == 1 and shown[0].detail["reason"] == "wrong address"
    assert shown[0].clears == "override_expires" and shown[0].until == override.until
    assert status.colour == colour  # either way, with the facts still listed beside it
    assert {r.code for r in without.reasons} <= {r.code for r in status.reasons}


def test_companion_clears_after_two_tests_a_day_apart() -> None:
    exposed = NOW - dt.timedelta(days=4)
    one_day = dt.timedelta(hours=24)
    first = exposed + dt.timedelta(hours=5)
    facts = Facts(contacts=(ContactFact("companion", exposed),),
                  negative_tests=(first, first + dt.timedelta(hours=10)))
    status = evaluate(facts=facts, rules=RULES, now=NOW)
    assert status.colour == "yellow" and status.flags == ("risk_link",)
    assert status.reasons[0].clears == "negative_tests"
    cleared = replace(facts, negative_tests=(*facts.negative_tests, first + one_day))
    assert evaluate(facts=cleared, rules=RULES, now=NOW).colour == "green"
    too_slow = replace(facts, negative_tests=(first, first + dt.timedelta(days=3, hours=1)))
    assert evaluate(facts=too_slow, rules=RULES, now=NOW).colour == "yellow"


def test_a_centralised_order_turns_into_its_home_phase() -> None:
    order = OrderFact("centralised", NOW - dt.timedelta(days=6), NOW + dt.timedelta(days=4),
                      NOW + dt.timedelta(days=1))
    status = evaluate(facts=Facts(order=order), rules=RULES, now=NOW)
    assert status.colour == "red" and status.valid_until == order.home_from
    assert status.reasons[0].clears == "release_from_quarantine"
    later = evaluate(facts=Facts(order=order), rules=RULES, now=NOW + dt.timedelta(days=2))
    assert later.colour == "yellow" and later.reasons[0].detail == {"kind": "home"}
    assert later.valid_until == order.until


def test_case_area_and_hold_last_until_something_is_done() -> None:
    facts = Facts(case_since=NOW - dt.timedelta(days=1),
                  areas=(AreaFact("precaution", NOW, 1), AreaFact("sealed", NOW, 2)),
                  holds=(NOW - dt.timedelta(hours=3),))
    status = evaluate(facts=facts, rules=RULES, now=NOW)
    assert [(r.code, r.clears, r.until) for r in status.reasons] == [
        ("case", "case_closed", None), ("risk_area", "area_lifted", None),
        ("pool_hold", "retest_negative", None)]
    assert status.colour == "red" and status.flags == ("pool_hold",)
    assert status.valid_until is None
