"""Pure rules of quarantine (no Django): the dated rule set per reason of an order.

``QuarantineRules`` is built from a ``QuarantinePolicy`` version's ``params``; a reason whose
rule is ``None`` is not quarantined under that version (secondary contacts after the 20
measures). Unknown keys are an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

REASONS = ("close", "secondary", "risk_area", "inbound")
KINDS = ("centralised", "home", "monitoring")


@dataclass(frozen=True)
class ReasonRule:
    """Days are counted from the day after the last exposure: centralised days 1..C, then
    home days 1..H; tests fall on the listed days of each phase."""

    kind: str
    centralised_days: int
    home_days: int
    home_kind: str
    tests_centralised: tuple[int, ...]
    tests_home: tuple[int, ...]

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ReasonRule:
        rule = cls(**{**raw, "tests_centralised": tuple(raw["tests_centralised"]),
                      "tests_home": tuple(raw["tests_home"])})
        if rule.kind not in KINDS or rule.home_kind not in KINDS:
            raise ValueError(f"unknown order kind in {raw!r}")
        if rule.kind == "centralised" and rule.centralised_days < 1:
            raise ValueError("a centralised rule needs at least one centralised day")
        if any(not 1 <= d <= rule.centralised_days for d in rule.tests_centralised):
            raise ValueError("a centralised test day lies outside the centralised days")
        if any(not 1 <= d <= rule.home_days for d in rule.tests_home):
            raise ValueError("a home test day lies outside the home days")
        return rule


@dataclass(frozen=True)
class QuarantineRules:
    reasons: dict[str, ReasonRule | None]
    rooms_per_10k: float
    fever_c: float
    support_mood_at_most: int

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> QuarantineRules:
        data = dict(raw)
        reasons = {r: (None if data[r] is None else ReasonRule.from_dict(data[r]))
                   for r in REASONS}
        for r in REASONS:
            data.pop(r)
        return cls(reasons=reasons, **data)

    def rule_for(self, reason: str) -> ReasonRule | None:
        return self.reasons.get(reason)


# ---------------------------------------------------------------- the schedule of an order


@dataclass(frozen=True)
class PlannedTest:
    phase: str  # "centralised" or "home"
    day_no: int  # day of its phase, from 1
    due_on: date


@dataclass(frozen=True)
class OrderPlan:
    """The dates of one order: ``starts_on`` is day 1, ``centralised_until`` the last
    centralised day (None for home orders), ``ends_on`` the last day, home phase included."""

    kind: str
    starts_on: date
    centralised_until: date | None
    ends_on: date
    tests: tuple[PlannedTest, ...]


def plan_order(*, rule: ReasonRule, exposure_day: date | None, today: date) -> OrderPlan:
    """Day 1 is the day after the last exposure (today when the exposure is unknown);
    centralised days 1..C, then home days 1..H. Tests whose day has already passed when the
    order is made collapse into **one** test today (the latest of them keeps its phase and
    day number): a person found late is tested at once, not several times the same day. If
    a test already falls today, the passed ones are dropped instead."""
    starts_on = today if exposure_day is None else exposure_day + timedelta(days=1)
    central = rule.centralised_days if rule.kind == "centralised" else 0
    home_starts = starts_on + timedelta(days=central)
    ends_on = max(starts_on, home_starts + timedelta(days=rule.home_days - 1))
    due = [PlannedTest("centralised", d, starts_on + timedelta(days=d - 1))
           for d in (rule.tests_centralised if central else ())]
    due += [PlannedTest("home", d, home_starts + timedelta(days=d - 1)) for d in rule.tests_home]
    return OrderPlan(
        kind=rule.kind, starts_on=starts_on,
        centralised_until=home_starts - timedelta(days=1) if central else None,
        ends_on=ends_on, tests=_catch_up(sorted(due, key=lambda t: t.due_on), today))


def _catch_up(tests: list[PlannedTest], today: date) -> tuple[PlannedTest, ...]:
    passed = [t for t in tests if t.due_on < today]
    coming = [t for t in tests if t.due_on >= today]
    if passed and not any(t.due_on == today for t in coming):
        coming.insert(0, PlannedTest(passed[-1].phase, passed[-1].day_no, today))
    return tuple(coming)


# ---------------------------------------------------------------- daily checks and release


def check_alerts(*, rules: QuarantineRules, temperature: float, symptoms: Sequence[str],
                 mood: int, needs_support: bool) -> tuple[str, ...]:
    """The alert kinds one daily check opens: ``fever`` at or above the version's fever
    threshold or with any symptom; ``support`` (psychological) at a low mood or on request."""
    kinds = []
    if temperature >= rules.fever_c or symptoms:
        kinds.append("fever")
    if mood <= rules.support_mood_at_most or needs_support:
        kinds.append("support")
    return tuple(kinds)


@dataclass(frozen=True)
class ResultState:
    day_no: int
    due_on: date
    result: str  # "pending", "negative" or "positive"


def release_refusal(*, centralised_until: date | None, tests: Sequence[ResultState],
                    today: date) -> str | None:
    """Why an order may not leave its facility yet (a code), or None when it may: the
    centralised phase is over (after its last day, or on it once the last test has a result)
    and every centralised test is negative."""
    if centralised_until is None:
        return "not_centralised"
    if any(t.result == "positive" for t in tests):
        return "positive"
    if today < centralised_until or (today == centralised_until and any(
            t.result == "pending" for t in tests)):
        return "too_early"
    if any(t.result != "negative" for t in tests):
        return "pending"
    return None
