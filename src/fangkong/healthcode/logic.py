"""Pure rules of the health code (no Django): the dated rule set. The status engine built on
it lives here too; ``CodeRules`` is parsed from a ``CodePolicy`` version's ``params`` (unknown
or missing keys are an error, so a mistyped version cannot fall back to defaults)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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


# ---------------------------------------------------------------------------------------------
# The status engine: a person's facts as plain data → colour, pop-up flags and the reasons.
#
# Every reason is active on a half-open interval [since, until) of time (until None: it lasts
# until something is done about it, named by ``clears``). A pop-up raised by an event (arrival,
# pharmacy sale) is also ended by a negative test; a companion's by the follow-up tests. The
# colour is the most severe of the active reasons' colours (green when none has one), unless a
# manual override is active: approved by a second person, it sets the colour either way (a
# community lowers a code when a fact is wrong, as practice did by hand), the newest winning.
# It is one more reason, always shown with the facts it overrides, never silent. Facts older
# than the rule's days do not count; events (arrival, sale) count for the longest contact
# period.

CLEARS = ("wait_until", "negative_test_after", "negative_tests", "release_from_quarantine",
          "area_lifted", "retest_negative", "override_expires", "case_closed")
REASONS = ("case", "close_contact", "secondary_contact", "companion", "quarantine", "risk_area",
           "pool_hold", "arrival_untested", "pharmacy_untested", "override")


@dataclass(frozen=True)
class ContactFact:
    contact_type: str  # close | secondary | companion
    last_exposure: dt.datetime


@dataclass(frozen=True)
class OrderFact:
    """An open quarantine order: ``until`` is the start of the day after its last day;
    ``home_from`` the start of its home phase (after a centralised one), if any."""

    kind: str
    since: dt.datetime
    until: dt.datetime
    home_from: dt.datetime | None = None


@dataclass(frozen=True)
class AreaFact:
    level: str
    since: dt.datetime
    area_id: int = 0


@dataclass(frozen=True)
class PurchaseFact:
    drug_class: str
    at: dt.datetime


@dataclass(frozen=True)
class OverrideFact:
    colour: str
    reason: str
    since: dt.datetime
    until: dt.datetime
    override_id: int = 0


@dataclass(frozen=True)
class Facts:
    """What the platform holds about one person, as plain data (see ``facts.py``)."""

    case_since: dt.datetime | None = None
    contacts: tuple[ContactFact, ...] = ()
    order: OrderFact | None = None
    areas: tuple[AreaFact, ...] = ()
    holds: tuple[dt.datetime, ...] = ()
    arrivals: tuple[dt.datetime, ...] = ()
    purchases: tuple[PurchaseFact, ...] = ()
    negative_tests: tuple[dt.datetime, ...] = ()
    overrides: tuple[OverrideFact, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: str
    colour: str | None
    popup: str | None
    since: dt.datetime
    until: dt.datetime | None
    clears: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Status:
    colour: str
    flags: tuple[str, ...]
    reasons: tuple[Reason, ...]
    valid_until: dt.datetime | None = None

    def same_as(self, other: Status) -> bool:
        return (self.colour, self.flags, self.reasons) == (other.colour, other.flags,
                                                           other.reasons)


def horizon(rules: CodeRules) -> dt.timedelta:
    """How long an event (arrival, sale) counts: the longest contact period of the rules."""
    return dt.timedelta(days=max(rules.close.days, rules.secondary.days, rules.companion.days))


def lookback(rules: CodeRules) -> dt.timedelta:
    """How far back facts matter at all (tests clearing an event may precede it)."""
    hours = max((e.test_within_hours for e in (rules.arrival, rules.pharmacy) if e), default=0)
    return horizon(rules) + dt.timedelta(hours=hours)


def evaluate(*, facts: Facts, rules: CodeRules, now: dt.datetime) -> Status:
    """The status at ``now`` and ``valid_until``: the first later moment it changes by itself
    (found by evaluating at each moment a fact starts or ends; None when it never does)."""
    current = _status_at(facts, rules, now)
    for moment in sorted(t for t in _moments(facts, rules) if t > now):
        if not _status_at(facts, rules, moment).same_as(current):
            return Status(current.colour, current.flags, current.reasons, moment)
    return current


def _status_at(facts: Facts, rules: CodeRules, now: dt.datetime) -> Status:
    reasons = tuple(r for r in _candidates(facts, rules, now)
                    if r.since <= now and (r.until is None or now < r.until))
    colours = [r.colour for r in reasons if r.colour]
    colour = max(colours, key=COLOURS.index, default=COLOURS[0])
    overrides = [r for r in reasons if r.code == "override" and r.colour]
    if overrides:
        colour = max(overrides, key=lambda r: r.since).colour or colour
    flags = tuple(p for p in POPUPS if any(r.popup == p for r in reasons))
    return Status(colour, flags, reasons)


def _candidates(facts: Facts, rules: CodeRules, now: dt.datetime) -> list[Reason]:
    found: list[Reason] = []
    if facts.case_since is not None:
        found.append(Reason("case", rules.case, None, facts.case_since, None, "case_closed"))
    found += _contact_reasons(facts, rules, now)
    if facts.order is not None:
        found += _order_reasons(facts.order, rules)
    for area in facts.areas:
        colour = rules.area.get(area.level)
        if colour is not None:
            found.append(Reason("risk_area", colour, None, area.since, None, "area_lifted",
                                {"level": area.level, "area_id": area.area_id}))
    if rules.pool_hold is not None and facts.holds:
        found.append(Reason("pool_hold", rules.pool_hold.colour, rules.pool_hold.popup,
                            min(facts.holds), None, "retest_negative"))
    found += _event_reasons(facts, rules, now)
    found += [Reason("override", o.colour, None, o.since, o.until, "override_expires",
                     {"reason": o.reason, "override_id": o.override_id})
              for o in facts.overrides]
    return [r for r in found if r.colour is not None or r.popup is not None]


CONTACT_CODES = {"close": "close_contact", "secondary": "secondary_contact",
                 "companion": "companion"}


def _contact_reasons(facts: Facts, rules: CodeRules, now: dt.datetime) -> list[Reason]:
    """One reason per contact type, from its latest exposure (the longest-lasting one)."""
    latest: dict[str, dt.datetime] = {}
    for c in facts.contacts:
        if c.last_exposure <= now and c.last_exposure > latest.get(c.contact_type, _MIN):
            latest[c.contact_type] = c.last_exposure
    found = []
    for kind, exposed in sorted(latest.items()):
        rule = {"close": rules.close, "secondary": rules.secondary,
                "companion": rules.companion}.get(kind)
        if rule is None:
            continue
        until = exposed + dt.timedelta(days=rule.days)
        if isinstance(rule, Followup):
            done = _followup_done(rule, exposed, facts.negative_tests, now)
            found.append(Reason(CONTACT_CODES[kind], rule.colour, rule.popup, exposed,
                                until if done is None else min(until, done), "negative_tests",
                                {"tests": rule.tests, "within_days": rule.within_days,
                                 "apart_hours": rule.apart_hours}))
        else:
            found.append(Reason(CONTACT_CODES[kind], rule.colour, rule.popup, exposed, until,
                                "wait_until"))
    return found


_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)


def _followup_done(rule: Followup, exposed: dt.datetime, tests: tuple[dt.datetime, ...],
                   now: dt.datetime) -> dt.datetime | None:
    """When the follow-up tests were complete: ``rule.tests`` negative tests sampled after the
    exposure, each at least ``apart_hours`` after the previous, all within ``within_days``."""
    after = sorted(t for t in tests if exposed <= t <= now)
    gap, span = dt.timedelta(hours=rule.apart_hours), dt.timedelta(days=rule.within_days)
    best: dt.datetime | None = None
    for i, first in enumerate(after):
        chain = [first]
        for t in after[i + 1:]:
            if len(chain) < rule.tests and t - chain[-1] >= gap:
                chain.append(t)
        if len(chain) >= rule.tests and chain[-1] - first <= span:
            best = chain[-1] if best is None else min(best, chain[-1])
    return best


def _order_reasons(order: OrderFact, rules: CodeRules) -> list[Reason]:
    """The order's colour; once its home phase starts, the home colour."""
    detail = {"kind": order.kind}
    home = order.home_from if order.home_from and order.since < order.home_from < order.until \
        else None
    first_end = home or order.until
    found = [Reason("quarantine", rules.order.get(order.kind), None, order.since, first_end,
                    "release_from_quarantine", detail)]
    if home is not None:
        found.append(Reason("quarantine", rules.order.get("home"), None, home, order.until,
                            "release_from_quarantine", {"kind": "home"}))
    return found


def _event_reasons(facts: Facts, rules: CodeRules, now: dt.datetime) -> list[Reason]:
    """Arrivals and watched sales not covered by a negative test (one reason per kind)."""
    found = []
    kinds: list[tuple[str, TestPopup | None, tuple[PurchaseFact, ...]]] = [
        ("arrival_untested", rules.arrival, tuple(PurchaseFact("", a) for a in facts.arrivals)),
        ("pharmacy_untested", rules.pharmacy, facts.purchases)]
    for code, rule, events in kinds:
        if rule is None:
            continue
        watched = tuple(p for p in events
                        if code == "arrival_untested" or p.drug_class in rule.drug_classes)
        open_ = _untested(watched, rule, facts.negative_tests, now, horizon(rules))
        if open_:
            detail: dict[str, Any] = {"hours": rule.test_within_hours}
            if code == "pharmacy_untested":
                detail["drug_classes"] = sorted({p.drug_class for p in open_})
            found.append(Reason(code, None, rule.popup, min(p.at for p in open_),
                                max(p.at for p in open_) + horizon(rules),
                                "negative_test_after", detail))
    return found


def _untested(events: tuple[PurchaseFact, ...], rule: TestPopup,
              tests: tuple[dt.datetime, ...], now: dt.datetime,
              lasting: dt.timedelta) -> list[PurchaseFact]:
    """The events at or before ``now`` still counting, with no negative test sampled after
    them, or within the rule's hours before them, by ``now``."""
    before = dt.timedelta(hours=rule.test_within_hours)
    return [e for e in events if e.at <= now < e.at + lasting
            and not any(e.at - before <= t <= now for t in tests)]


def _moments(facts: Facts, rules: CodeRules) -> set[dt.datetime]:
    """Every moment a status may change: a fact starts or ends, a test is sampled."""
    found: set[dt.datetime] = set(facts.negative_tests)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    for r in _candidates(facts, rules, far - dt.timedelta(days=1)):
        found.add(r.since)
        if r.until is not None:
            found.add(r.until)
    for c in facts.contacts:
        rule = {"close": rules.close, "secondary": rules.secondary,
                "companion": rules.companion}.get(c.contact_type)
        if rule is not None:
            found |= {c.last_exposure, c.last_exposure + dt.timedelta(days=rule.days)}
    found |= set(facts.arrivals) | {e + horizon(rules) for e in facts.arrivals}
    found |= {p.at for p in facts.purchases} | {p.at + horizon(rules) for p in facts.purchases}
    if facts.order is not None and facts.order.home_from is not None:
        found.add(facts.order.home_from)
    return found
