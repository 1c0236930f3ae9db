"""Pure rules of the health code (no Django): the dated rule set. The status engine built on
it lives here too; ``CodeRules`` is parsed from a ``CodePolicy`` version's ``params`` (unknown
or missing keys are an error, so a mistyped version cannot fall back to defaults)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COLOURS = ("green", "yellow", "red")  # in rising severity
POPUPS = ("risk_link", "pool_hold", "test_missing")


def _colour(value: str | None) -> str | None:
    if value is not None and value not in COLOURS:
        raise ValueError(f"unknown colour {value!r}")
    return value


def _popup(value: str | None) -> str | None:
    if value is not None and value not in POPUPS:
        raise ValueError(f"unknown pop-up {value!r}")
    return value


@dataclass(frozen=True)
class Lasting:
    """A colour (and pop-up) a fact gives for ``days`` after it."""

    colour: str | None
    days: int
    popup: str | None = None


@dataclass(frozen=True)
class Followup(Lasting):
    """A companion's status: cleared early by ``tests`` negative tests within ``within_days``,
    at least ``apart_hours`` apart."""

    tests: int = 2
    within_days: int = 3
    apart_hours: int = 24


@dataclass(frozen=True)
class TestPopup:
    """A pop-up an event raises until a negative test sampled after it (or within
    ``test_within_hours`` before it) is on record."""

    popup: str
    test_within_hours: int
    drug_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeRules:
    token_minutes: int
    case: str
    close: Lasting
    secondary: Lasting
    companion: Followup
    order: dict[str, str | None]
    area: dict[str, str | None]
    pool_hold: Lasting | None
    arrival: TestPopup | None
    pharmacy: TestPopup | None
    bulk_change_threshold: int
    bulk_window_minutes: int

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CodeRules:
        data = dict(raw)
        hold = data.pop("pool_hold")
        rules = cls(
            close=Lasting(**data.pop("close")), secondary=Lasting(**data.pop("secondary")),
            companion=Followup(**data.pop("companion")),
            pool_hold=None if hold is None else Lasting(days=0, **hold),
            arrival=_test_popup(data.pop("arrival")),
            pharmacy=_test_popup(data.pop("pharmacy")), **data)
        rules.check()
        return rules

    def check(self) -> None:
        _colour(self.case)
        for lasting in (self.close, self.secondary, self.companion, self.pool_hold):
            if lasting is not None:
                _colour(lasting.colour)
                _popup(lasting.popup)
        for colour in (*self.order.values(), *self.area.values()):
            _colour(colour)
        for event in (self.arrival, self.pharmacy):
            if event is not None:
                _popup(event.popup)
        if self.token_minutes < 1:
            raise ValueError("token_minutes must be at least 1")


def _test_popup(raw: dict[str, Any] | None) -> TestPopup | None:
    if raw is None:
        return None
    return TestPopup(popup=raw["popup"], test_within_hours=raw["test_within_hours"],
                     drug_classes=tuple(raw.get("drug_classes", ())))
