"""Pharmacy buyers not tested (四类药品: a test within 72 h of the sale), per grid.

"Tested" is decided exactly as the health code decides it (``healthcode.facts`` and the
code policy's pharmacy rule): a sale of a watched drug class counts while the code counts
the event (``horizon``), and is covered by a negative test sampled after it or within the
rule's hours before it. A buyer's deadline is their first uncovered sale plus the rule's
hours. The daily step opens a follow-up (kind buyer) for every buyer past the deadline, and
only while the early-warning policy in force has ``pharmacy_sentinel`` on (abolished on
3 December 2022).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import audit_row, record_many
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.healthcode.facts import facts_for_batch
from fangkong.healthcode.logic import CodeRules, TestPopup, horizon
from fangkong.healthcode.models import Purchase
from fangkong.healthcode.policy import code_rules
from fangkong.registry.models import Person
from fangkong.warning.followups import open_follow_up
from fangkong.warning.models import FollowUp, FollowUpKind
from fangkong.warning.policy import warning_rules

SYSTEM = Actor(user_id=None, username="system:warning", unit=None)
BATCH = 5000


@dataclass(frozen=True)
class Sale:
    pk: int
    person_id: int
    drug_class: str
    at: dt.datetime


@dataclass(frozen=True)
class UntestedBuyer:
    person_id: int
    first_sale_id: int
    first_sale_at: dt.datetime
    drug_classes: tuple[str, ...]
    deadline: dt.datetime  # the first uncovered sale + the rule's hours
    overdue: bool


def uncovered(sales: Iterable[Sale], tests: Iterable[dt.datetime], *, rule: TestPopup,
              now: dt.datetime, lasting: dt.timedelta) -> list[Sale]:
    """Sales still counting at ``now`` with no negative test sampled after them, or within
    the rule's hours before them, by ``now`` (the code's rule for its pharmacy pop-up)."""
    before = dt.timedelta(hours=rule.test_within_hours)
    tests = list(tests)
    return [s for s in sales if s.drug_class in rule.drug_classes and s.at <= now < s.at + lasting
            and not any(s.at - before <= t <= now for t in tests)]


def buyers_of(sales: list[Sale], tests: dict[int, tuple[dt.datetime, ...]], *, rule: TestPopup,
              now: dt.datetime, lasting: dt.timedelta) -> list[UntestedBuyer]:
    """One row per buyer with an uncovered sale, the most overdue first."""
    by_person: dict[int, list[Sale]] = defaultdict(list)
    for s in sales:
        by_person[s.person_id].append(s)
    found = []
    hours = dt.timedelta(hours=rule.test_within_hours)
    for person_id, mine in by_person.items():
        open_ = uncovered(mine, tests.get(person_id, ()), rule=rule, now=now, lasting=lasting)
        if open_:
            first = min(open_, key=lambda s: (s.at, s.pk))
            found.append(UntestedBuyer(person_id, first.pk, first.at,
                                       tuple(sorted({s.drug_class for s in open_})),
                                       first.at + hours, first.at + hours <= now))
    return sorted(found, key=lambda b: (b.deadline, b.person_id))


def _rule(now: dt.datetime) -> tuple[CodeRules, TestPopup] | None:
    """The code rules and their pharmacy rule, when the sentinel runs on ``now``'s day."""
    day = timezone.localdate(now)
    rules = code_rules(on=day)
    if not warning_rules(on=day).pharmacy_sentinel or rules.pharmacy is None:
        return None
    return rules, rules.pharmacy


def sentinel_on(*, now: dt.datetime | None = None) -> bool:
    return _rule(now or clock.now()) is not None


def _sales(qs: Iterable[tuple[int, int, str, dt.datetime]]) -> list[Sale]:
    return [Sale(*row) for row in qs]


def _buyers(purchases: list[Sale], rules: CodeRules, rule: TestPopup,
            now: dt.datetime) -> list[UntestedBuyer]:
    ids = sorted({s.person_id for s in purchases})
    tests: dict[int, tuple[dt.datetime, ...]] = {}
    for lo in range(0, len(ids), BATCH):
        facts = facts_for_batch(ids[lo:lo + BATCH], now=now, rules=rules)
        tests.update((pk, f.negative_tests) for pk, f in facts.items())
    return buyers_of(purchases, tests, rule=rule, now=now, lasting=horizon(rules))


def untested_buyers(actor: Actor, *, now: dt.datetime | None = None,
                    grid_id: int | None = None) -> list[UntestedBuyer]:
    """The untested buyers living in the actor's scope (or one of its grids); empty while
    the sentinel is off."""
    actor.require(Right.WARNING_VIEW)
    now = now or clock.now()
    found = _rule(now)
    if found is None:
        return []
    rules, rule = found
    qs = scope(Purchase.objects.all(), actor).filter(
        bought_at__gt=now - horizon(rules), bought_at__lte=now,
        drug_class__in=rule.drug_classes)
    if grid_id is not None:
        qs = qs.filter(grid_id=grid_id)
    return _buyers(_sales(qs.values_list("pk", "person_id", "drug_class", "bought_at")),
                   rules, rule, now)


def do_open_buyer_follow_ups(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily step: a follow-up for every buyer past the deadline (city-wide, one per
    first uncovered sale, so running it again opens nothing new)."""
    now = now or clock.now()
    found = _rule(now)
    if found is None:
        return {"overdue": 0, "opened": 0}
    rules, rule = found
    qs = Purchase.objects.filter(bought_at__gt=now - horizon(rules), bought_at__lte=now,
                                 drug_class__in=rule.drug_classes)
    overdue = [b for b in _buyers(_sales(qs.values_list(
        "pk", "person_id", "drug_class", "bought_at")), rules, rule, now) if b.overdue]
    opened = 0
    due_in = dt.timedelta(hours=warning_rules(on=timezone.localdate(now)).follow_up_hours)
    for lo in range(0, len(overdue), BATCH):
        opened += _open(overdue[lo:lo + BATCH], now=now, due_in=due_in)
    return {"overdue": len(overdue), "opened": opened}


def _open(buyers: list[UntestedBuyer], *, now: dt.datetime, due_in: dt.timedelta) -> int:
    """One transaction per batch: the new follow-ups and one audit row each."""
    with transaction.atomic():
        known = set(FollowUp.objects.filter(
            kind=FollowUpKind.UNTESTED_BUYER,
            source_id__in=[b.first_sale_id for b in buyers]).values_list("source_id", flat=True))
        people = Person.objects.in_bulk([b.person_id for b in buyers if b.first_sale_id
                                         not in known])
        audit = []
        for b in buyers:
            if b.first_sale_id in known:
                continue
            summary = _("bought %(drugs)s on %(day)s; not tested within the deadline") % {
                "drugs": ", ".join(b.drug_classes),
                "day": timezone.localtime(b.first_sale_at).strftime("%Y-%m-%d %H:%M")}
            row = open_follow_up(kind=FollowUpKind.UNTESTED_BUYER, source_id=b.first_sale_id,
                                 person=people.get(b.person_id), place=None, summary=summary,
                                 now=now, due_in=due_in)
            audit.append(audit_row(actor=SYSTEM, verb="warning.followup.open", target=row,
                                   after={"kind": row.kind, "person": b.person_id}))
        record_many(audit)
    return len(audit)
