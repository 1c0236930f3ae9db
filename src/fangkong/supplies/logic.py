"""Supplies rules, pure (no Django): the policy's parsed form, a street's days of stock against
the days of need of the people it serves, and a price's jump over its trailing median.

Days of stock = Σ stock of the street's outlets / (residents × daily need per person).
Required days weight each resident by the rule that applies to them: residents of a sealed or
controlled area in force need ``sealed_days`` (they cannot shop elsewhere, deliveries come from
the street's outlets), everyone else ``normal_days``. Stock is low when days < required days,
i.e. stock < need × (normal residents × normal days + sealed residents × sealed days).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

GOODS = ("grain", "oil", "meat", "eggs", "vegetables", "milk")
UNITS = {"grain": "kg", "oil": "L", "meat": "kg", "eggs": "kg", "vegetables": "kg", "milk": "L"}
LEVELS = ("sealed", "controlled", "precaution")
KEYS = {"daily_need", "normal_days", "sealed_days", "sealed_levels", "jump_percent",
        "trailing_days", "min_history", "ceiling_multiple", "ceiling_days"}


@dataclass(frozen=True)
class SupplyRules:
    daily_need: dict[str, float]  # per person per day, in the good's unit
    normal_days: float  # days of need the street's outlets hold for its residents
    sealed_days: float  # ... for residents of an area of ``sealed_levels`` in force
    sealed_levels: tuple[str, ...]
    jump_percent: float  # a median price above the trailing median by more than this
    trailing_days: int  # the window of that trailing median (days before, not the day)
    min_history: int  # fewer priced days in a window than this: no price judgement
    ceiling_multiple: float  # a median price at or above this × the long median: a ceiling
    ceiling_days: int  # the long window (catches a slow climb each day under the jump)

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> SupplyRules:
        """Parse a policy version's params; unknown or missing keys and bad values raise."""
        if set(params) != KEYS:
            raise ValueError(f"keys must be {sorted(KEYS)}, got {sorted(params)}")
        need = {str(k): float(v) for k, v in params["daily_need"].items()}
        if set(need) != set(GOODS) or any(v <= 0 for v in need.values()):
            raise ValueError(f"daily_need must give a positive need for each of {GOODS}")
        levels = tuple(str(x) for x in params["sealed_levels"])
        if not set(levels) <= set(LEVELS):
            raise ValueError(f"sealed_levels must be among {LEVELS}")
        rules = cls(need, float(params["normal_days"]), float(params["sealed_days"]), levels,
                    float(params["jump_percent"]), int(params["trailing_days"]),
                    int(params["min_history"]), float(params["ceiling_multiple"]),
                    int(params["ceiling_days"]))
        if not 0 < rules.normal_days <= rules.sealed_days:
            raise ValueError("0 < normal_days <= sealed_days")
        if not (rules.jump_percent > 0 and rules.ceiling_multiple > 1):
            raise ValueError("jump_percent > 0 and ceiling_multiple > 1")
        if not 1 <= rules.min_history <= rules.trailing_days <= rules.ceiling_days:
            raise ValueError("1 <= min_history <= trailing_days <= ceiling_days")
        return rules


@dataclass(frozen=True)
class StockCheck:
    stock: float
    residents: int
    sealed_residents: int
    daily_need: float  # the street's need per day: residents × per-person need
    days: float  # days of stock
    required_days: float

    @property
    def low(self) -> bool:
        return self.days < self.required_days

    def as_dict(self) -> dict[str, float | int]:
        return {"stock": self.stock, "residents": self.residents,
                "sealed_residents": self.sealed_residents, "daily_need": self.daily_need,
                "days": round(self.days, 2), "required_days": round(self.required_days, 2)}


def stock_check(*, stock: float, residents: int, sealed_residents: int, need: float,
                normal_days: float, sealed_days: float) -> StockCheck | None:
    """The street's days of stock of one good; None when it serves nobody."""
    if residents <= 0:
        return None
    sealed = min(max(sealed_residents, 0), residents)
    daily = residents * need
    required = ((residents - sealed) * normal_days + sealed * sealed_days) / residents
    return StockCheck(stock, residents, sealed, daily, stock / daily, required)


def check_of(rules: SupplyRules, *, good: str, stock: float, residents: int,
             sealed_residents: int) -> StockCheck | None:
    return stock_check(stock=stock, residents=residents, sealed_residents=sealed_residents,
                       need=rules.daily_need[good], normal_days=rules.normal_days,
                       sealed_days=rules.sealed_days)


@dataclass(frozen=True)
class PriceCheck:
    price: float  # the street's median price on the day
    trailing_median: float | None
    long_median: float | None
    rule: str  # "jump", "ceiling" or "" (no alert)

    def as_dict(self) -> dict[str, float | str | None]:
        return {"price": self.price, "trailing_median": self.trailing_median,
                "long_median": self.long_median, "rule": self.rule}


def _window(history: dict[dt.date, float], day: dt.date, days: int) -> list[float]:
    start = day - dt.timedelta(days=days)
    return [p for d, p in history.items() if start <= d < day]


def price_check(rules: SupplyRules, *, day: dt.date, price: float,
                history: dict[dt.date, float]) -> PriceCheck:
    """Judge the day's median ``price`` against the street's median prices on earlier days
    (``history``; days without reports are absent, and the day itself is ignored)."""
    trailing = _window(history, day, rules.trailing_days)
    long = _window(history, day, rules.ceiling_days)
    t_med = statistics.median(trailing) if len(trailing) >= rules.min_history else None
    l_med = statistics.median(long) if len(long) >= rules.min_history else None
    rule = ""
    if t_med is not None and price > t_med * (1 + rules.jump_percent / 100):
        rule = "jump"
    elif l_med is not None and price >= l_med * rules.ceiling_multiple:
        rule = "ceiling"
    return PriceCheck(price, t_med, l_med, rule)


def median_price(prices: list[float]) -> float:
    """The street's price of a good on a day: the median over its outlets (one outlet's
    mistake or promotion does not move it)."""
    return float(statistics.median(prices))


def band(days: float | None, required: float | None) -> str:
    """The colour of a days-of-stock figure: below required, under 1.5 × required, or fine."""
    if days is None or required is None:
        return "none"
    if days < required:
        return "low"
    return "tight" if days < 1.5 * required else "ok"
