"""The tests an arrival owes, pure (no Django): from a listed origin, one on each of the
policy's days of the stay (arrival day = day 1, e.g. Wuxi's 7天5检: days 1, 2, 3, 5, 7); from
elsewhere one test within the policy's hours (none when the hours are 0)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fangkong.warning.logic import WarningRules

DONE, DUE, MISSED = "done", "due", "missed"


@dataclass(frozen=True)
class Due:
    sequence: int  # 1, 2, ... in the order of the stay
    due_date: dt.date  # the last day on which a test counts for this one


def schedule(rules: WarningRules, arrived_at: dt.datetime, listed: bool) -> list[Due]:
    """``arrived_at`` in the city's time (its date is day 1 of the stay)."""
    day_one = arrived_at.date()
    if listed:
        return [Due(i, day_one + dt.timedelta(days=d - 1))
                for i, d in enumerate(rules.risk_origin_test_days, start=1)]
    if rules.arrival_test_within_hours <= 0:
        return []
    deadline = arrived_at + dt.timedelta(hours=rules.arrival_test_within_hours)
    return [Due(1, deadline.date())]


def window(*, due_date: dt.date, arrival_day: dt.date, listed: bool) -> tuple[dt.date, dt.date]:
    """The days a sample counts for a test: a listed origin's test is for its own day of the
    stay (day 3's test is not made up on day 4); the single test, any day up to its deadline."""
    return (due_date if listed else arrival_day), due_date


def listed_on(listed_from: dt.date, listed_until: dt.date | None, day: dt.date) -> bool:
    """An origin is listed from its first day to its last, both inclusive."""
    return listed_from <= day and (listed_until is None or day <= listed_until)


def state_of(*, due_date: dt.date, done: bool, today: dt.date) -> str:
    """A test is done once a result is on record, missed once its day has passed."""
    if done:
        return DONE
    return MISSED if due_date < today else DUE
