"""What stored results set in motion (china-practice §6.2): a positive pooled tube holds each
member in place until a single-tube retest and raises a ``positive_pool`` alert; a positive
single tube (screening or retest) opens a tracing case; a negative retest releases the hold.
The person's status comes from ``deconvolve`` over all their tubes of the round, so the rules
live in one place. Every step is idempotent: running it twice changes nothing more.

Cases are registered by :data:`SYSTEM_NAME`, a system actor at the city node holding only
TRACING_INVESTIGATE, whose name in the audit carries the lab import's number. The health
code's pop-up will read open holds once that module exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.privacy import mask_phone
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.testing.deconvolve import Pool, Status, deconvolve
from fangkong.testing.models import (
    Alert,
    AlertKind,
    Hold,
    HoldStatus,
    ResultImport,
    Sample,
    SampleKind,
    Tube,
    TubeResult,
)
from fangkong.tracing.actions_cases import do_register_case
from fangkong.tracing.models import Case, CaseOrigin, Classification

SYSTEM_NAME = "system:lab-import"
CHUNK = 2000
PLACE = ("district_id", "street_id", "community_id", "grid_id")
Key = tuple[int, int]  # (campaign, person)


@dataclass
class Effects:
    positive_tubes: int = 0
    holds: int = 0
    released: int = 0
    cases: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def system_actor(result_import: ResultImport | None) -> Actor:
    """Who opens cases from results: no user, the city node, one right."""
    city = AdminUnit.objects.filter(level=Level.CITY).first()
    name = SYSTEM_NAME if result_import is None else f"{SYSTEM_NAME}:{result_import.pk}"
    return Actor(user_id=None, username=name, unit=city,
                 rights=frozenset({Right.TRACING_INVESTIGATE}))


def apply_results(*, tube_ids: list[int], result_import: ResultImport | None) -> Effects:
    """Act on newly stored results of ``tube_ids``; the caller holds the transaction."""
    now = clock.now()
    positive: list[int] = []
    retests: list[int] = []
    for start in range(0, len(tube_ids), CHUNK):
        chunk = Tube.objects.filter(pk__in=tube_ids[start:start + CHUNK])
        Sample.objects.filter(tube__in=chunk, notified_at__isnull=True).update(notified_at=now)
        positive += list(chunk.filter(result=TubeResult.POSITIVE).values_list("pk", flat=True))
        retests += list(chunk.filter(kind=SampleKind.RETEST).exclude(
            result=TubeResult.POSITIVE).values_list("pk", flat=True))
    effects = Effects(positive_tubes=len(positive))
    if positive or retests:
        samples = _samples_of_people_in(positive + retests)
        effects.holds = _hold_pools(set(positive), samples, now)
        _settle(samples, now, effects, result_import)
    return effects


def _samples_of_people_in(tube_ids: list[int]) -> list[dict[str, Any]]:
    """Every sample of the round of each person swabbed into one of ``tube_ids``."""
    keys: set[Key] = set()
    for start in range(0, len(tube_ids), CHUNK):
        keys |= set(Sample.objects.filter(tube_id__in=tube_ids[start:start + CHUNK])
                    .values_list("campaign_id", "person_id"))
    people = sorted({p for _, p in keys})
    rows: list[dict[str, Any]] = []
    for start in range(0, len(people), CHUNK):
        rows += [r for r in Sample.objects.filter(person_id__in=people[start:start + CHUNK])
                 .values("pk", "campaign_id", "person_id", "tube_id", "sampled_at", "kind",
                         "tube__capacity", "tube__kind", "tube__result", *PLACE)
                 if (r["campaign_id"], r["person_id"]) in keys]
    return rows


def _hold_pools(positive: set[int], samples: list[dict[str, Any]], now: Any) -> int:
    """A hold per member of each positive pooled tube, and the tube's alert; returns the
    number of holds made (0 when run again)."""
    pooled = [r for r in samples if r["tube_id"] in positive and r["tube__capacity"] > 1]
    tube_ids = {r["tube_id"] for r in pooled}
    if not tube_ids:
        return 0
    before = Hold.objects.filter(pool_tube_id__in=tube_ids).count()
    Hold.objects.bulk_create(
        [Hold(campaign_id=r["campaign_id"], person_id=r["person_id"], pool_tube_id=r["tube_id"],
              held_at=now, **{k: r[k] for k in PLACE}) for r in pooled],
        ignore_conflicts=True)
    for tube in Tube.objects.filter(pk__in=tube_ids):
        Alert.objects.get_or_create(
            kind=AlertKind.POSITIVE_POOL, tube=tube,
            defaults={"campaign_id": tube.campaign_id, "raised_at": now,
                      "detail": f"{tube.code}: {tube.members}",
                      **{k: getattr(tube, k) for k in PLACE}})
    return Hold.objects.filter(pool_tube_id__in=tube_ids).count() - before


def _settle(samples: list[dict[str, Any]], now: Any, effects: Effects,
            result_import: ResultImport | None) -> None:
    """Release, convert to cases and open cases by each person's deconvolved status."""
    pools: dict[int, Pool[Key]] = {}
    results: dict[int, str] = {}
    by_key: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for r in samples:
        key = (r["campaign_id"], r["person_id"])
        by_key[key].append(r)
        old = pools.get(r["tube_id"])
        pools[r["tube_id"]] = Pool(members=(*(old.members if old else ()), key),
                                   capacity=r["tube__capacity"], kind=r["tube__kind"])
        results[r["tube_id"]] = r["tube__result"]
    status = deconvolve(pools, results).status
    for key, s in status.items():
        open_holds = Hold.objects.filter(campaign_id=key[0], person_id=key[1],
                                         status=HoldStatus.HELD)
        if s is Status.NEGATIVE:
            retest = next((r["pk"] for r in by_key[key] if r["tube__kind"] == SampleKind.RETEST
                           and r["tube__result"] == TubeResult.NEGATIVE), None)
            effects.released += open_holds.update(status=HoldStatus.RELEASED, closed_at=now,
                                                  retest_id=retest)
        elif s is Status.POSITIVE:
            open_holds.update(status=HoldStatus.CASE, closed_at=now)
            effects.cases += _open_case(by_key[key], now, result_import)
    Alert.objects.filter(kind=AlertKind.POSITIVE_POOL, resolved_at__isnull=True,
                         tube_id__in=list(pools)).exclude(
        tube__holds__status=HoldStatus.HELD).update(resolved_at=now)


def _open_case(rows: list[dict[str, Any]], now: Any,
               result_import: ResultImport | None) -> int:
    """A tracing case from the person's positive single tube, unless they are one already."""
    person_id = rows[0]["person_id"]
    if Case.objects.filter(person_id=person_id).exists():
        return 0
    positive = min((r for r in rows if r["tube__capacity"] == 1
                    and r["tube__result"] == TubeResult.POSITIVE), key=lambda r: r["sampled_at"])
    actor = system_actor(result_import)
    case = do_register_case(
        actor=actor, person_id=person_id, classification=Classification.ASYMPTOMATIC,
        sample_date=timezone.localdate(positive["sampled_at"]), result_at=now,
        origin=CaseOrigin.RESULT)
    record(actor=actor, verb="screening.result.case", target=case,
           after={"result_import": result_import.pk if result_import else None,
                  "sample": positive["pk"], "tube": positive["tube_id"]})
    return 1


@dataclass(frozen=True)
class RetestRow:
    """One person the emergency sampling team must swab single-tube, and why."""

    person_id: int
    name: str
    address: str
    phone: str  # masked
    grid_id: int | None
    reason: str  # "held" (positive pool) or "resample" (invalid result)
    tube_code: str  # the positive pool or the invalid tube
    since: Any


def retest_list(*, actor: Actor, campaign_id: int) -> list[RetestRow]:
    """Held people with no retest on its way, and people whose result was invalid, in the
    actor's subtree (by residence grid), ordered by grid and name."""
    held = scope(Hold.objects.filter(campaign_id=campaign_id, status=HoldStatus.HELD), actor)
    invalid = scope(Sample.objects.filter(campaign_id=campaign_id,
                                          tube__result=TubeResult.INVALID), actor)
    people = set(held.values_list("person_id", flat=True)) | set(
        invalid.values_list("person_id", flat=True))
    rows = list(Sample.objects.filter(campaign_id=campaign_id, person_id__in=people)
                .values("person_id", "tube_id", "tube__code", "tube__capacity", "tube__kind",
                        "tube__result", "tube__resulted_at", "campaign_id"))
    pools: dict[int, Pool[int]] = {}
    for r in rows:
        old = pools.get(r["tube_id"])
        pools[r["tube_id"]] = Pool(members=(*(old.members if old else ()), r["person_id"]),
                                   capacity=r["tube__capacity"], kind=r["tube__kind"])
    outcome = deconvolve(pools, {r["tube_id"]: r["tube__result"] for r in rows})
    why = {r["person_id"]: r for r in rows if r["tube__result"] == TubeResult.INVALID}
    why |= {r["person_id"]: r for r in rows
            if r["tube__result"] == TubeResult.POSITIVE and r["tube__capacity"] > 1}
    persons = Person.objects.in_bulk(outcome.retest)
    found = [RetestRow(person_id=p, name=persons[p].name, address=persons[p].address,
                       phone=mask_phone(persons[p].phone), grid_id=persons[p].grid_id,
                       reason="held" if outcome.status[p] is Status.HELD else "resample",
                       tube_code=why[p]["tube__code"], since=why[p]["tube__resulted_at"])
             for p in outcome.retest]
    return sorted(found, key=lambda r: (r.grid_id or 0, r.name, r.person_id))


def holds_for(*, actor: Actor, campaign: Any, status: str = "") -> QuerySet[Hold]:
    """The round's holds on people living in the actor's subtree, newest first."""
    found = scope(Hold.objects.filter(campaign=campaign), actor)
    found = found.filter(status=status) if status in HoldStatus.values else found
    return found.select_related("person", "pool_tube").order_by("-held_at", "-pk")
