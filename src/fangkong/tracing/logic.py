"""Pure rules of the tracing workflow (no Django): the contact state machine, the 24-hour
funnel arithmetic, source-link cycles, clusters, risk-point intervals and ping runs.

Everything here takes plain values so the property tests can drive it without a database.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# ---------------------------------------------------------------- contact state machine

STATES = ("identified", "notified", "located", "transferred")
# The timestamp each state sets; "identified" is set by detection, not by a transition.
STAMP = {"notified": "notified_at", "located": "located_at", "transferred": "transferred_at"}
DISPOSITIONS = ("centralised", "home")


class TransitionError(ValueError):
    """A transition the state machine refuses; ``conflict`` when the state is the reason."""

    def __init__(self, message: str, *, field: str, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.conflict = conflict


def allowed_next(status: str) -> tuple[str, ...]:
    """Forward only: a worker who finds a contact at home has notified and located them at
    once, so later states may be reached directly; nothing moves back."""
    if status not in STATES:
        return ()
    return STATES[STATES.index(status) + 1:]


def plan_transition(*, current: str, to: str, at: dt.datetime, stamps: dict[str, object],
                    disposition: str = "", destination: str = "") -> dict[str, object]:
    """The field updates that move a contact from ``current`` to ``to`` at ``at``.

    ``stamps`` holds the contact's present ``*_at`` values: skipped states get ``at`` where
    still empty, so the funnel never sees a later step without its earlier ones.
    """
    if to not in STATES:
        raise TransitionError(f"unknown status {to!r}; one of {', '.join(STATES)}",
                              field="to_status")
    if to not in allowed_next(current):
        raise TransitionError(f"a contact cannot go from {current} to {to}",
                              field="to_status", conflict=True)
    updates: dict[str, object] = {"status": to}
    if to == "transferred":
        if disposition not in DISPOSITIONS:
            raise TransitionError(f"disposition must be one of {', '.join(DISPOSITIONS)}",
                                  field="disposition")
        if not destination.strip():
            raise TransitionError("destination (quarantine place or home address) is required",
                                  field="destination")
        updates |= {"disposition": disposition, "destination": destination.strip()}
    for state in STATES[STATES.index(current) + 1: STATES.index(to) + 1]:
        stamp = STAMP[state]
        if stamps.get(stamp) is None or state == to:
            updates[stamp] = at
    return updates


def is_overdue(*, status: str, identified_at: dt.datetime, now: dt.datetime, hours: int) -> bool:
    """Not yet located ``hours`` after being identified (the escalation rule)."""
    return status in ("identified", "notified") and now - identified_at >= dt.timedelta(
        hours=hours)


# ---------------------------------------------------------------- the 24-hour funnel


def hours_between(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 2)


def controlled_at(*, transferred: Sequence[dt.datetime | None],
                  identified_at: dt.datetime | None) -> dt.datetime | None:
    """When the last close contact was transferred; a case without close contacts is under
    control once detection has run (``identified_at``); None while any is still out."""
    if not transferred:
        return identified_at
    if any(t is None for t in transferred):
        return None
    return max(t for t in transferred if t is not None)


@dataclass(frozen=True)
class Steps:
    result_to_confirmed: float | None
    confirmed_to_identified: float | None
    identified_to_controlled: float | None
    total: float | None
    within_24h: bool | None  # None while undecided: not controlled and under 24 h old


def funnel_steps(*, result_at: dt.datetime, confirmed_at: dt.datetime,
                 identified_at: dt.datetime | None, controlled: dt.datetime | None,
                 now: dt.datetime) -> Steps:
    """Hours of each step from the positive result to all close contacts under control."""
    total = hours_between(result_at, controlled)
    if total is not None:
        within: bool | None = total <= 24
    else:
        within = False if now - result_at > dt.timedelta(hours=24) else None
    return Steps(
        result_to_confirmed=hours_between(result_at, confirmed_at),
        confirmed_to_identified=hours_between(confirmed_at, identified_at),
        identified_to_controlled=hours_between(identified_at, controlled),
        total=total,
        within_24h=within,
    )


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def share_true(values: Iterable[bool | None]) -> float | None:
    """Share of decided values that are True (None when nothing is decided yet)."""
    decided = [v for v in values if v is not None]
    return round(sum(decided) / len(decided), 4) if decided else None


# ---------------------------------------------------------------- source links and clusters


def would_cycle(*, case_id: int, source_id: int, source_of: Callable[[int], int | None]) -> bool:
    """True when making ``source_id`` the source of ``case_id`` closes a loop: walking up
    from the source reaches the case (itself included). A corrupt chain stops the walk."""
    seen: set[int] = set()
    current: int | None = source_id
    while current is not None and current not in seen:
        if current == case_id:
            return True
        seen.add(current)
        current = source_of(current)
    return False


def components(nodes: Iterable[int], links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union-find), each sorted, largest first then by smallest id."""
    parent = {n: n for n in nodes}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in links:
        if a in parent and b in parent:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for n in parent:
        groups.setdefault(root(n), []).append(n)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


# ---------------------------------------------------------------- risk points


@dataclass(frozen=True, order=True)
class Stay:
    venue_id: int
    start: dt.datetime
    end: dt.datetime


def merge_stays(stays: Iterable[Stay], *, window: tuple[dt.datetime, dt.datetime]) -> list[Stay]:
    """Clip stays to ``window`` and merge overlapping or touching ones at the same venue."""
    lo, hi = window
    clipped = sorted(Stay(s.venue_id, max(s.start, lo), min(s.end, hi)) for s in stays
                     if min(s.end, hi) > max(s.start, lo))
    merged: list[Stay] = []
    for stay in clipped:
        last = merged[-1] if merged else None
        if last is not None and last.venue_id == stay.venue_id and stay.start <= last.end:
            merged[-1] = Stay(last.venue_id, last.start, max(last.end, stay.end))
        else:
            merged.append(stay)
    return merged


def overlaps(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class PingRun:
    cell: str
    start: dt.datetime
    end: dt.datetime
    pings: int


def ping_runs(pings: Iterable[tuple[dt.datetime, str]], *, gap: dt.timedelta) -> list[PingRun]:
    """Collapse time-ordered (ts, cell) pings into runs in one cell: a new run starts when
    the cell changes or the phone was silent longer than ``gap``."""
    runs: list[PingRun] = []
    for ts, cell in sorted(pings):
        last = runs[-1] if runs else None
        if last is not None and last.cell == cell and ts - last.end <= gap:
            runs[-1] = PingRun(cell, last.start, ts, last.pings + 1)
        else:
            runs.append(PingRun(cell, ts, ts, 1))
    return runs
