"""Pure rules of risk areas (no Django): the dated rule set and what it implies.

``RiskRules`` is built from a ``RiskPolicy`` version's ``params``; unknown or missing keys are
an error, so a mistyped version cannot silently fall back to defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

LEVELS = ("sealed", "controlled", "precaution")
REQUEST_KINDS = ("groceries", "medicine", "dialysis", "pregnancy", "emergency", "other")


@dataclass(frozen=True)
class LevelRule:
    """When an area of one level takes its next step: after ``clean_days`` without a new case
    (``clean_days_if_downgraded`` for an area lowered from a higher level), with a negative
    whole-area screening round within ``negative_round_days`` before it, if set. A level with
    ``with_district`` lifts when its district has no sealed or controlled area left."""

    clean_days: int | None
    next: str  # a lower level, or "lifted"
    negative_round_days: int | None = None
    clean_days_if_downgraded: int | None = None
    with_district: bool = False

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LevelRule:
        rule = cls(**raw)
        if rule.next != "lifted" and rule.next not in LEVELS:
            raise ValueError(f"unknown next step {rule.next!r}")
        if rule.clean_days is None and not rule.with_district:
            raise ValueError("a level needs clean_days or with_district")
        return rule


@dataclass(frozen=True)
class RiskRules:
    designatable: tuple[str, ...]
    levels: dict[str, LevelRule]
    isolated_case_resets: bool
    pass_per_household: int
    pass_period_days: int
    pass_valid_hours: int
    request_deadline_hours: dict[str, int]

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RiskRules:
        """Build from stored params; unknown keys or levels are an error."""
        data = dict(raw)
        levels = {name: LevelRule.from_dict(data.pop(name)) for name in LEVELS}
        rules = cls(levels=levels, designatable=tuple(data.pop("designatable")), **data)
        unknown = set(rules.designatable) - set(LEVELS)
        if unknown:
            raise ValueError(f"unknown levels {sorted(unknown)}")
        missing = set(REQUEST_KINDS) - set(rules.request_deadline_hours)
        if missing:
            raise ValueError(f"no request deadline for {sorted(missing)}")
        return rules


LIFTED = "lifted"


def is_lower(target: str, level: str) -> bool:
    """Whether ``target`` (a level or "lifted") is a step down from ``level``."""
    if target == LIFTED:
        return True
    return LEVELS.index(target) > LEVELS.index(level)


def level_after_case(level: str) -> str | None:
    """The level a new case raises an area to: any positive in a controlled area makes it
    sealed (in every version of practice); a sealed or precaution area keeps its level."""
    return "sealed" if level == "controlled" else None


def clean_days(*, today: dt.date, last_case_day: dt.date | None,
               level_since_day: dt.date) -> int:
    """Whole days without a new case, counted from the later of the last linked case and the
    day the area took its current level (a raise or a new case restarts the count)."""
    start = max(level_since_day, last_case_day or level_since_day)
    return max(0, (today - start).days)


@dataclass(frozen=True)
class Step:
    """Where an area stands against its next step on ``today``: the target, the clean days
    counted and required, and whether the round and district conditions held. ``due`` is the
    conjunction; only a due step may be proposed."""

    level: str
    target: str
    clean_days: int | None
    required_days: int | None
    round_required: bool
    round_held: bool
    district_clear: bool
    by_district: bool

    @property
    def due(self) -> bool:
        days_ok = self.required_days is None or (self.clean_days or 0) >= self.required_days
        return days_ok and self.round_held and self.district_clear


def required_days(rule: LevelRule, *, level: str, designated_level: str) -> int | None:
    """The clean days a level needs; fewer for an area lowered into it when the rule says so."""
    lowered = designated_level != level and is_lower(level, designated_level)
    if lowered and rule.clean_days_if_downgraded is not None:
        return rule.clean_days_if_downgraded
    return rule.clean_days


def assess_step(*, level: str, designated_level: str, today: dt.date,
                last_case_day: dt.date | None, level_since_day: dt.date,
                district_has_higher: bool, last_negative_round_day: dt.date | None,
                rules: RiskRules) -> Step:
    """The area's next step under ``rules`` with every condition evaluated (due or not)."""
    rule = rules.levels[level]
    if rule.with_district:
        return Step(level=level, target=rule.next, clean_days=None, required_days=None,
                    round_required=False, round_held=True,
                    district_clear=not district_has_higher, by_district=True)
    window = rule.negative_round_days
    round_held = window is None or (
        last_negative_round_day is not None
        and 0 <= (today - last_negative_round_day).days <= window)
    return Step(level=level, target=rule.next,
                clean_days=clean_days(today=today, last_case_day=last_case_day,
                                      level_since_day=level_since_day),
                required_days=required_days(rule, level=level, designated_level=designated_level),
                round_required=window is not None, round_held=round_held, district_clear=True,
                by_district=False)


def next_step(*, level: str, designated_level: str, today: dt.date,
              last_case_day: dt.date | None, level_since_day: dt.date,
              district_has_higher: bool, last_negative_round_day: dt.date | None,
              rules: RiskRules) -> Step | None:
    """The step the policy allows on ``today``, or None while a condition does not hold."""
    step = assess_step(level=level, designated_level=designated_level, today=today,
                       last_case_day=last_case_day, level_since_day=level_since_day,
                       district_has_higher=district_has_higher,
                       last_negative_round_day=last_negative_round_day, rules=rules)
    return step if step.due else None
