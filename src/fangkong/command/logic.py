"""The rules of tasks, pure (no Django): when a task is overdue, how far it has escalated,
when its acknowledgement is late, and the timeliness score of the supervision ranking.

A task is overdue from its deadline on while it is not done. Level 1 comes at the deadline
(the HQ of the unit above the task's is told), level 2 ``LEVEL_TWO_AFTER`` later (the city).
The score counts only tasks that are *settled*: done, or past their deadline; a task still
open before its deadline has not yet shown whether it will be on time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LEVEL_TWO_AFTER = dt.timedelta(hours=24)
LATE_WEIGHT = 0.5  # a task done late counts half of one done on time
MAX_LEVEL = 2


def is_overdue(*, deadline: dt.datetime, done_at: dt.datetime | None,
               now: dt.datetime) -> bool:
    """Not done and the deadline has come."""
    return done_at is None and now >= deadline


def escalation_level(*, deadline: dt.datetime, done_at: dt.datetime | None,
                     now: dt.datetime) -> int:
    """0 before the deadline or once done; 1 from the deadline; 2 from a day after it."""
    if not is_overdue(deadline=deadline, done_at=done_at, now=now):
        return 0
    return MAX_LEVEL if now >= deadline + LEVEL_TWO_AFTER else 1


def level_starts(*, deadline: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The moments levels 1 and 2 begin (the job's set-based filters use them backwards:
    level 1 for deadlines <= now, level 2 for deadlines <= now - LEVEL_TWO_AFTER)."""
    return deadline, deadline + LEVEL_TWO_AFTER


def acknowledgement_late(*, issued_at: dt.datetime, acknowledged_at: dt.datetime | None,
                         done_at: dt.datetime | None, now: dt.datetime,
                         within: dt.timedelta) -> bool:
    """Flag a task nobody has acknowledged ``within`` its issue (a done task is not flagged:
    closing it answered)."""
    return acknowledged_at is None and done_at is None and now >= issued_at + within


@dataclass(frozen=True)
class Timeliness:
    """One unit's tasks over a period, as the supervision page ranks them."""

    received: int
    on_time: int
    late: int
    overdue: int
    mean_ack_hours: float | None

    @property
    def settled(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def score(self) -> float | None:
        """100 x (on time + 0.5 x late) / settled; None when nothing is settled yet."""
        return score(on_time=self.on_time, late=self.late, overdue=self.overdue)


def score(*, on_time: int, late: int, overdue: int) -> float | None:
    settled = on_time + late + overdue
    if settled == 0:
        return None
    return round(100 * (on_time + LATE_WEIGHT * late) / settled, 1)


def timeliness_class(*, deadline: dt.datetime, done_at: dt.datetime | None,
                     now: dt.datetime) -> str:
    """``on_time``, ``late``, ``overdue`` or ``open`` (not settled yet)."""
    if done_at is not None:
        return "on_time" if done_at <= deadline else "late"
    return "overdue" if now >= deadline else "open"
