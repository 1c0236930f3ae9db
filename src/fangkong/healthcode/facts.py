"""What the platform holds about people, read as the engine's plain ``Facts``.

``facts_for_batch`` reads a whole batch with a fixed number of queries (one per fact table,
never one per person): a dense run of ids is read by range, a scattered few by ``IN``. Only
facts recent enough to matter are read (``logic.lookback`` of the rules in force).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from fangkong.healthcode.logic import (
    AreaFact,
    CodeRules,
    ContactFact,
    Facts,
    OrderFact,
    OverrideFact,
    PurchaseFact,
    lookback,
)
from fangkong.healthcode.models import Arrival, Override, Purchase
from fangkong.healthcode.policy import code_rules
from fangkong.quarantine.models import OPEN_STATUSES, OrderKind, QuarantineOrder, ScheduledTest
from fangkong.quarantine.models import TestResult as OrderTestResult
from fangkong.registry.models import Person
from fangkong.risk.models import AreaStatus, RiskArea
from fangkong.testing.models import Hold, HoldStatus, Sample, TubeResult
from fangkong.tracing.models import Case, Contact

PLACE = ("district_id", "street_id", "community_id", "grid_id")


@dataclass(frozen=True)
class PersonRow:
    """Where a person lives (a code is Placed like its person) and whether they are a member
    of areas at all (visitors and people who moved away are not)."""

    pk: int
    district_id: int | None
    street_id: int | None
    community_id: int | None
    grid_id: int | None
    building_id: int | None
    resident: bool


def facts_of(person: Person | int, *, now: dt.datetime,
             rules: CodeRules | None = None) -> Facts:
    """One person's facts (a person not found has none)."""
    pk = person if isinstance(person, int) else person.pk
    return facts_for_batch([pk], now=now, rules=rules).get(pk, Facts())


def facts_for_batch(person_ids: Iterable[int], *, now: dt.datetime,
                    rules: CodeRules | None = None) -> dict[int, Facts]:
    """Facts of each existing person of ``person_ids``, in a fixed number of queries."""
    return load_batch(person_ids, now=now, rules=rules)[1]


def load_batch(person_ids: Iterable[int], *, now: dt.datetime, rules: CodeRules | None = None
               ) -> tuple[dict[int, PersonRow], dict[int, Facts]]:
    """The people (placement) and their facts: 11 queries whatever the batch size."""
    ids = sorted(set(person_ids))
    rules = rules or code_rules(on=timezone.localdate(now))
    since = now - lookback(rules)
    people = _people(ids)
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    _cases(found, ids)
    _contacts(found, ids, since)
    _orders(found, ids)
    _areas(found, people)
    _holds(found, ids)
    _events(found, ids, since)
    _tests(found, ids, since, now)
    _overrides(found, ids, now)
    return people, {pk: Facts(**found.get(pk, {})) for pk in people}


def of_ids(qs: QuerySet[Any], ids: list[int], field: str = "person_id") -> QuerySet[Any]:
    """Rows of these people: by range when the ids are dense (a city batch; few parameters),
    by ``IN`` when they are scattered (an event's handful)."""
    if not ids:
        return qs.none()
    if ids[-1] - ids[0] < 2 * len(ids):
        return qs.filter(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return qs.filter(**{f"{field}__in": ids})


def _mine(rows: Iterable[dict[str, Any]], ids: list[int], key: str = "person_id"
          ) -> Iterable[dict[str, Any]]:
    wanted = set(ids)
    return (r for r in rows if r[key] in wanted)


def _people(ids: list[int]) -> dict[int, PersonRow]:
    rows = of_ids(Person.objects.all(), ids, "pk").values(
        "pk", *PLACE, "household__building_id", "inactive_since", "temporary")
    return {r["pk"]: PersonRow(
        pk=r["pk"], district_id=r["district_id"], street_id=r["street_id"],
        community_id=r["community_id"], grid_id=r["grid_id"],
        building_id=r["household__building_id"],
        resident=r["inactive_since"] is None and not r["temporary"])
        for r in _mine(rows, ids, "pk")}


def _cases(found: dict[int, dict[str, Any]], ids: list[int]) -> None:
    for r in _mine(of_ids(Case.objects.all(), ids).values("person_id", "confirmed_at"), ids):
        found[r["person_id"]]["case_since"] = r["confirmed_at"]


def _contacts(found: dict[int, dict[str, Any]], ids: list[int], since: dt.datetime) -> None:
    rows = of_ids(Contact.objects.filter(last_exposure__gte=since), ids).values(
        "person_id", "contact_type", "last_exposure")
    for r in _mine(rows, ids):
        mine = found[r["person_id"]]
        mine["contacts"] = (*mine.get("contacts", ()),
                            ContactFact(r["contact_type"], r["last_exposure"]))


def day_start(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in the city's zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def order_fact(*, kind: str, created_at: dt.datetime, starts_on: dt.date, ends_on: dt.date,
               centralised_until: dt.date | None) -> OrderFact:
    """An order counts from its making (or its first day, if earlier) to the end of its last
    day; a centralised order turns into its home phase the day after ``centralised_until``."""
    home = (day_start(centralised_until + dt.timedelta(days=1))
            if kind == OrderKind.CENTRALISED and centralised_until is not None
            and centralised_until < ends_on else None)
    return OrderFact(kind, min(created_at, day_start(starts_on)),
                     day_start(ends_on + dt.timedelta(days=1)), home)


def _orders(found: dict[int, dict[str, Any]], ids: list[int]) -> None:
    rows = of_ids(QuarantineOrder.objects.filter(status__in=OPEN_STATUSES), ids).values(
        "person_id", "kind", "created_at", "starts_on", "ends_on", "centralised_until")
    for r in _mine(rows, ids):
        person_id = r.pop("person_id")
        found[person_id]["order"] = order_fact(**r)


def _areas(found: dict[int, dict[str, Any]], people: dict[int, PersonRow]) -> None:
    """Active areas over a person's units or building (all active areas are few: one query)."""
    by_unit: dict[int, list[AreaFact]] = defaultdict(list)
    by_building: dict[int, list[AreaFact]] = defaultdict(list)
    for a in RiskArea.objects.filter(status=AreaStatus.ACTIVE).order_by("pk").values(
            "pk", "level", "level_since", "unit_id", "building_id"):
        fact = AreaFact(a["level"], a["level_since"], a["pk"])
        if a["building_id"] is not None:
            by_building[a["building_id"]].append(fact)
        elif a["unit_id"] is not None:
            by_unit[a["unit_id"]].append(fact)
    if not by_unit and not by_building:
        return
    for p in people.values():
        if not p.resident:
            continue
        areas = [f for u in (p.district_id, p.street_id, p.community_id, p.grid_id)
                 if u is not None for f in by_unit.get(u, ())]
        areas += by_building.get(p.building_id, []) if p.building_id is not None else []
        if areas:
            found[p.pk]["areas"] = tuple(sorted(areas, key=lambda f: f.area_id))


def _holds(found: dict[int, dict[str, Any]], ids: list[int]) -> None:
    rows = of_ids(Hold.objects.filter(status=HoldStatus.HELD), ids).values(
        "person_id", "held_at")
    for r in _mine(rows, ids):
        mine = found[r["person_id"]]
        mine["holds"] = (*mine.get("holds", ()), r["held_at"])


def _events(found: dict[int, dict[str, Any]], ids: list[int], since: dt.datetime) -> None:
    for r in _mine(of_ids(Arrival.objects.filter(arrived_at__gte=since), ids)
                   .values("person_id", "arrived_at"), ids):
        mine = found[r["person_id"]]
        mine["arrivals"] = (*mine.get("arrivals", ()), r["arrived_at"])
    for r in _mine(of_ids(Purchase.objects.filter(bought_at__gte=since), ids)
                   .values("person_id", "drug_class", "bought_at"), ids):
        mine = found[r["person_id"]]
        mine["purchases"] = (*mine.get("purchases", ()),
                             PurchaseFact(r["drug_class"], r["bought_at"]))


def _tests(found: dict[int, dict[str, Any]], ids: list[int], since: dt.datetime,
           now: dt.datetime) -> None:
    """Negative tests by sampling time: screening tubes (a negative pool clears each member)
    and the tests of quarantine orders, once their result is in."""
    screening = of_ids(Sample.objects.filter(
        sampled_at__gte=since, tube__result=TubeResult.NEGATIVE, tube__resulted_at__lte=now),
        ids).values_list("person_id", "sampled_at")
    ordered = of_ids(ScheduledTest.objects.filter(
        Q(resulted_at__isnull=True) | Q(resulted_at__lte=now), sampled_at__gte=since,
        result=OrderTestResult.NEGATIVE), ids, "order__person_id").values_list(
        "order__person_id", "sampled_at")
    wanted = set(ids)
    for person_id, at in (*screening, *ordered):
        if person_id in wanted:
            mine = found[person_id]
            mine["negative_tests"] = (*mine.get("negative_tests", ()), at)


def _overrides(found: dict[int, dict[str, Any]], ids: list[int], now: dt.datetime) -> None:
    rows = of_ids(Override.objects.filter(revoked_at__isnull=True, expires_at__gt=now),
                  ids).order_by("pk").values(
        "pk", "person_id", "colour", "reason", "set_at", "expires_at")
    for r in _mine(rows, ids):
        mine = found[r["person_id"]]
        mine["overrides"] = (*mine.get("overrides", ()), OverrideFact(
            r["colour"], r["reason"], r["set_at"], r["expires_at"], r["pk"]))
