"""The hotline's rules, pure: deadlines from a policy version, escalation levels, rates.

Deadlines are fixed when a ticket is opened; escalation follows the missed deadline (the first
response, then the resolution): level 1 hands the ticket's supervision to the district at the
first missed deadline, level 2 to the city ``escalate_after_minutes[1]`` minutes later."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

URGENCIES = ("urgent", "high", "normal")  # index = the Urgency choice's value
CATEGORIES = ("medical", "supply", "code", "quarantine", "testing", "travel", "complaint",
              "other")


@dataclass(frozen=True)
class CategoryRule:
    urgency: int
    respond_minutes: int
    resolve_minutes: int


@dataclass(frozen=True)
class HotlineRules:
    categories: dict[str, CategoryRule]
    escalate_after_minutes: tuple[int, ...]
    callback_hours: int
    satisfied_at_least: int

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> HotlineRules:
        """Parse a policy version's params; unknown or missing keys are errors, not defaults."""
        expected = {"categories", "escalate_after_minutes", "callback_hours",
                    "satisfied_at_least"}
        if set(params) != expected:
            raise ValueError(f"keys must be {sorted(expected)}, got {sorted(params)}")
        if set(params["categories"]) != set(CATEGORIES):
            raise ValueError(f"categories must be {sorted(CATEGORIES)}")
        categories = {name: _category(name, rule)
                      for name, rule in params["categories"].items()}
        steps = tuple(int(m) for m in params["escalate_after_minutes"])
        if not steps or steps[0] < 0 or list(steps) != sorted(steps):
            raise ValueError("escalate_after_minutes must be ascending minutes from 0")
        satisfied = int(params["satisfied_at_least"])
        if not 1 <= satisfied <= 5:
            raise ValueError("satisfied_at_least must be 1 to 5")
        return cls(categories, steps, int(params["callback_hours"]), satisfied)


def _category(name: str, rule: dict[str, Any]) -> CategoryRule:
    if set(rule) != {"urgency", "respond_minutes", "resolve_minutes"}:
        raise ValueError(f"category {name}: keys must be urgency, respond_minutes, "
                         "resolve_minutes")
    if rule["urgency"] not in URGENCIES:
        raise ValueError(f"category {name}: urgency must be one of {URGENCIES}")
    respond, resolve = int(rule["respond_minutes"]), int(rule["resolve_minutes"])
    if not 0 < respond <= resolve:
        raise ValueError(f"category {name}: 0 < respond_minutes <= resolve_minutes")
    return CategoryRule(URGENCIES.index(rule["urgency"]), respond, resolve)


@dataclass(frozen=True)
class Deadlines:
    respond_by: dt.datetime
    resolve_by: dt.datetime


def deadlines(rules: HotlineRules, *, category: str, urgency: int,
              opened: dt.datetime) -> Deadlines:
    """The SLA of a new ticket. A caller's urgency above the category's shortens both
    deadlines in proportion (urgent: a quarter, high: a half of the category's), never
    lengthens them: an agent can raise urgency, never buy time."""
    rule = rules.categories[category]
    factor = 1.0 if urgency >= rule.urgency else (0.25 if urgency == 0 else 0.5)
    respond = max(1, round(rule.respond_minutes * factor))
    resolve = max(respond, round(rule.resolve_minutes * factor))
    return Deadlines(opened + dt.timedelta(minutes=respond),
                     opened + dt.timedelta(minutes=resolve))


def missed_since(*, respond_by: dt.datetime, resolve_by: dt.datetime,
                 responded_at: dt.datetime | None, resolved_at: dt.datetime | None,
                 now: dt.datetime) -> dt.datetime | None:
    """When the ticket first missed a deadline it had not met in time (None: on time)."""
    missed = []
    if (responded_at or now) > respond_by:
        missed.append(respond_by)
    if (resolved_at or now) > resolve_by:
        missed.append(resolve_by)
    return min(missed) if missed else None


def escalation_level(rules: HotlineRules, *, missed_at: dt.datetime | None,
                     now: dt.datetime) -> int:
    """0 while on time; then 1 + the number of further steps whose minutes have passed."""
    if missed_at is None or now <= missed_at:
        return 0
    late = (now - missed_at).total_seconds() / 60
    return sum(1 for step in rules.escalate_after_minutes if late >= step)


@dataclass(frozen=True)
class Rates:
    """A unit's hotline figures over a period (None where nothing was measured)."""

    tickets: int
    responded_in_time: float | None
    resolved_in_time: float | None
    resolved: float | None
    satisfaction: float | None  # share of called-back tickets rated satisfied
    mean_score: float | None


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
