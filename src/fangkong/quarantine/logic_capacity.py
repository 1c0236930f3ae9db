"""Pure rules of quarantine capacity (no Django): will the rooms last the next days, and does
the stock meet the reserve the policy asks for (rooms per 10,000 residents)?

The forecast counts people, one room each: most rooms are single, and a family sharing a room
only makes the real need smaller, so the forecast errs on the safe side. Day by day:

* *occupied* is the people in rooms at the start of the day (day 0: everyone in a room now);
* *arrivals* are the centralised orders still waiting for a room (all on day 0) plus the
  expected new orders: the **mean of the last 3 days' new centralised orders, rounded up**,
  every day of the horizon (no trend is extrapolated);
* *releases* are the people whose last centralised day it is (a date already past counts on
  day 0: they are due out) plus the expected arrivals whose stay of ``stay_days`` ends that
  day; a room freed at the end of a day is free the next morning;
* *needed* = occupied + arrivals (everyone who needs a room during the day);
* *shortfall* = max(0, needed − usable).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from fangkong.quarantine.logic import QuarantineRules

INFLOW_DAYS = 3  # the estimate is the mean of this many most recent days
PER = 10_000  # the reserve is stated per this many residents


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    occupied: int
    arrivals: int
    releases: int
    needed: int
    usable: int

    @property
    def shortfall(self) -> int:
        return max(0, self.needed - self.usable)


@dataclass(frozen=True)
class Forecast:
    today: dt.date
    days: tuple[DayRow, ...]
    inflow_per_day: int  # the estimate used for every day of the horizon
    inflow_basis: tuple[int, ...]  # the days it was computed from, oldest first
    awaiting: int
    stay_days: int
    rooms_usable: int
    residents: int
    rooms_per_10k: float  # the policy's target
    reserve_target: int  # rooms the policy asks for, rounded up

    @property
    def reserve_met(self) -> bool:
        return self.rooms_usable >= self.reserve_target

    @property
    def reserve_per_10k(self) -> float | None:
        """The usable rooms per 10,000 residents; None for a place without residents."""
        return None if self.residents == 0 else self.rooms_usable * PER / self.residents

    @property
    def first_shortfall(self) -> dt.date | None:
        return next((row.day for row in self.days if row.shortfall > 0), None)

    @property
    def peak_shortfall(self) -> int:
        return max((row.shortfall for row in self.days), default=0)

    @property
    def needs_attention(self) -> bool:
        """Rooms run short inside the horizon, or the stock is under the reserve target."""
        return self.first_shortfall is not None or not self.reserve_met


def inflow_estimate(recent_inflow: list[int]) -> int:
    """The mean of the last ``INFLOW_DAYS`` days, rounded up (0 without history)."""
    basis = recent_inflow[-INFLOW_DAYS:]
    return math.ceil(sum(basis) / len(basis)) if basis else 0


def centralised_stay(rules: QuarantineRules) -> int:
    """Days a new arrival is expected to keep a room: the close contacts' centralised days
    (most arrivals are close contacts); where close contacts stay home under the version, the
    longest centralised stay of any reason; at least one day."""
    close = rules.rule_for("close")
    if close is not None and close.kind == "centralised":
        return close.centralised_days
    stays = [r.centralised_days for r in rules.reasons.values()
             if r is not None and r.kind == "centralised"]
    return max([1, *stays])


def reserve_target(*, residents: int, rooms_per_10k: float) -> int:
    """Rooms the policy asks for: residents / 10,000 × rooms_per_10k, rounded up."""
    return math.ceil(round(residents * rooms_per_10k / PER, 6))  # 6 places: float noise only


def _check(*, horizon_days: int, awaiting: int, recent_inflow: list[int], stay_days: int,
           rooms_usable: int, residents: int, rooms_per_10k: float) -> None:
    if horizon_days < 1:
        raise ValueError("horizon_days must be at least 1")
    if stay_days < 1:
        raise ValueError("stay_days must be at least 1")
    if any(n < 0 for n in (awaiting, rooms_usable, residents, *recent_inflow)):
        raise ValueError("counts cannot be negative")
    if rooms_per_10k < 0:
        raise ValueError("rooms_per_10k cannot be negative")


def forecast(*, today: dt.date, horizon_days: int = 7, releases: list[dt.date], awaiting: int,
             recent_inflow: list[int], stay_days: int, rooms_usable: int, residents: int,
             rooms_per_10k: float) -> Forecast:
    """Rooms needed against rooms usable, day by day from ``today`` (see the module notes)."""
    _check(horizon_days=horizon_days, awaiting=awaiting, recent_inflow=recent_inflow,
           stay_days=stay_days, rooms_usable=rooms_usable, residents=residents,
           rooms_per_10k=rooms_per_10k)
    rate = inflow_estimate(recent_inflow)
    due = Counter(max(0, (day - today).days) for day in releases)
    arrivals = [rate + (awaiting if d == 0 else 0) for d in range(horizon_days)]
    rows: list[DayRow] = []
    occupied = len(releases)
    for d in range(horizon_days):
        leaving = due[d] + (arrivals[d - stay_days + 1] if d - stay_days + 1 >= 0 else 0)
        rows.append(DayRow(day=today + dt.timedelta(days=d), occupied=occupied,
                           arrivals=arrivals[d], releases=leaving,
                           needed=occupied + arrivals[d], usable=rooms_usable))
        occupied += arrivals[d] - leaving
    return Forecast(today=today, days=tuple(rows), inflow_per_day=rate,
                    inflow_basis=tuple(recent_inflow[-INFLOW_DAYS:]), awaiting=awaiting,
                    stay_days=stay_days, rooms_usable=rooms_usable, residents=residents,
                    rooms_per_10k=rooms_per_10k,
                    reserve_target=reserve_target(residents=residents,
                                                  rooms_per_10k=rooms_per_10k))
