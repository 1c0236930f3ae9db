"""Vaccination rules, pure: the policy's parsed form, a person's status from their doses, age
bands by date of birth. No Django here (tests/test_architecture.py checks it).

Status (docs/vaccination.md): doses are taken in the order given (date, then dose number).
The series a person began is the first dose's product: its primary series needs
``primary_doses`` doses (CanSino Ad5 one, the inactivated two, Zhifei ZF2001 three); doses of
another product still count toward it (China allowed switching within a series). The dose
that completes the series makes the person *fully vaccinated*; a later dose given at least the
booster interval after it (the interval in force on the later dose's date) makes them
*boosted*; a later dose given earlier than that, or when no booster is offered, is recorded
but changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

NONE, PARTIAL, FULL, BOOSTED = 0, 1, 2, 3
STATUSES = (NONE, PARTIAL, FULL, BOOSTED)
STATUS_KEYS = {NONE: "none", PARTIAL: "partial", FULL: "full", BOOSTED: "boosted"}
OLDEST = 150  # no band reaches past this age


@dataclass(frozen=True)
class Band:
    """Ages ``low`` to ``high`` inclusive in completed years (``high`` None: and older)."""

    low: int
    high: int | None

    @property
    def key(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    def holds(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)


@dataclass(frozen=True)
class VaccinationRules:
    bands: tuple[Band, ...]
    elderly_age: int
    booster_after_days: int | None  # None: no booster is offered yet

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> VaccinationRules:
        """Parse a policy version's params; unknown or missing keys are errors."""
        expected = {"age_bands", "elderly_age", "booster_after_days"}
        if set(params) != expected:
            raise ValueError(f"keys must be {sorted(expected)}, got {sorted(params)}")
        bands = tuple(Band(int(lo), None if hi is None else int(hi))
                      for lo, hi in params["age_bands"])
        _check_bands(bands)
        elderly = int(params["elderly_age"])
        if not any(b.low == elderly for b in bands):
            raise ValueError("elderly_age must begin an age band")
        booster = params["booster_after_days"]
        if booster is not None and int(booster) < 28:
            raise ValueError("booster_after_days must be at least 28, or null")
        return cls(bands, elderly, None if booster is None else int(booster))

    @property
    def elderly_bands(self) -> tuple[Band, ...]:
        return tuple(b for b in self.bands if b.low >= self.elderly_age)

    def band_of(self, age: int) -> Band | None:
        return next((b for b in self.bands if b.holds(age)), None)


def _check_bands(bands: tuple[Band, ...]) -> None:
    """Ascending, adjacent, non-empty; only the last may be open-ended."""
    if not bands:
        raise ValueError("give at least one age band")
    for here, after in itertools.pairwise(bands):
        if here.high is None or after.low != here.high + 1:
            raise ValueError("age bands must be adjacent and ascending")
    for band in bands:
        if band.low < 0 or (band.high is not None and band.high < band.low):
            raise ValueError(f"age band {band.key} is empty")


@dataclass(frozen=True)
class DoseFact:
    key: Hashable  # the caller's handle on the dose (its id, or an index)
    dose_number: int
    given_on: dt.date
    primary_doses: int  # of the dose's product


def contributions(doses: Iterable[DoseFact], *,
                  booster_days_on: Callable[[dt.date], int | None]) -> dict[Hashable, int]:
    """What each dose counts as (PARTIAL, FULL or BOOSTED); ``booster_days_on`` gives the
    booster interval in force on a date (None: no booster offered then)."""
    ordered = sorted(doses, key=lambda d: (d.given_on, d.dose_number))
    if not ordered:
        return {}
    needed = max(1, ordered[0].primary_doses)
    found: dict[Hashable, int] = {}
    full_on: dt.date | None = None
    for index, dose in enumerate(ordered, start=1):
        if index < needed:
            found[dose.key] = PARTIAL
        elif index == needed:
            found[dose.key] = FULL
            full_on = dose.given_on
        else:
            assert full_on is not None
            days = booster_days_on(dose.given_on)
            late_enough = days is not None and (dose.given_on - full_on).days >= days
            found[dose.key] = BOOSTED if late_enough else FULL
    return found


def status_of(doses: Sequence[DoseFact], *,
              booster_days_on: Callable[[dt.date], int | None]) -> int:
    """NONE, PARTIAL, FULL or BOOSTED: the most any of the person's doses counts as."""
    return max(contributions(doses, booster_days_on=booster_days_on).values(), default=NONE)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` (born on 29 February: a year older on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def born_by(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone at least ``years`` old on ``day``:
    ``age_on(b, day) >= years`` exactly when ``b <= born_by(day, years)``."""
    year = day.year - years
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)


def birth_range(band: Band, day: dt.date) -> tuple[dt.date | None, dt.date]:
    """Births in ``band`` on ``day``: after the first date (None: no lower limit) and on or
    before the second."""
    latest = born_by(day, band.low)
    earliest = None if band.high is None else born_by(day, band.high + 1)
    return earliest, latest


def percent(part: int, whole: int) -> float | None:
    """A share rounded down to 0.1 % (100 % only when nobody is missing); None for nobody."""
    return None if whole <= 0 else (part * 1000 // whole) / 10
