"""Pure rules of risk areas (no Django): the dated rule set and what it implies.

``RiskRules`` is built from a ``RiskPolicy`` version's ``params``; unknown or missing keys are
an error, so a mistyped version cannot silently fall back to defaults.
"""

from __future__ import annotations

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
