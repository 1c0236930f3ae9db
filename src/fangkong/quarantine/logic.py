"""Pure rules of quarantine (no Django): the dated rule set per reason of an order.

``QuarantineRules`` is built from a ``QuarantinePolicy`` version's ``params``; a reason whose
rule is ``None`` is not quarantined under that version (secondary contacts after the 20
measures). Unknown keys are an error.
"""

from __future__ import annotations

from dataclasses import dataclass
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
