"""The cold chain's rules, pure: a policy version's parameters and a handler's test state.

A handler owes a test every ``test_every_days[role]`` days after their last sample (or after
they started, with none); a trace that reaches their place makes a test due at once, until
a sample taken after the trace is on record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

ROLES = ("porter", "warehouse", "driver", "seller")
TESTED, DUE, OVERDUE, DUE_NOW = "tested", "due", "overdue", "due_now"


@dataclass(frozen=True)
class ColdChainRules:
    test_every_days: dict[str, int]
    environment_lookback_days: int

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> ColdChainRules:
        """Parse a policy version's params; unknown or missing keys are errors."""
        if set(params) != {"test_every_days", "environment_lookback_days"}:
            raise ValueError("keys must be test_every_days, environment_lookback_days")
        every = {str(k): int(v) for k, v in params["test_every_days"].items()}
        if set(every) != set(ROLES) or min(every.values()) < 1:
            raise ValueError(f"test_every_days needs a positive number for each of {ROLES}")
        lookback = int(params["environment_lookback_days"])
        if lookback < 0:
            raise ValueError("environment_lookback_days must be 0 or more")
        return cls(every, lookback)


@dataclass(frozen=True)
class TestState:
    state: str  # tested, due (today), overdue, or due_now (a trace reached the place)
    due_on: dt.date


def test_state(rules: ColdChainRules, *, role: str, since: dt.date,
               last_sample: dt.datetime | None, due_now_since: dt.datetime | None,
               today: dt.date, local: dt.tzinfo) -> TestState:
    """Where a handler stands on ``today`` (the city's date; ``local`` is its zone)."""
    if due_now_since is not None and (last_sample is None or last_sample < due_now_since):
        return TestState(DUE_NOW, due_now_since.astimezone(local).date())
    base = last_sample.astimezone(local).date() if last_sample is not None else since
    due_on = base + dt.timedelta(days=rules.test_every_days[role])
    if due_on < today:
        return TestState(OVERDUE, due_on)
    return TestState(DUE if due_on == today else TESTED, due_on)
