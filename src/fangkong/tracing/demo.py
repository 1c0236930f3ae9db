"""The tracing part of the demo: the generated city's cases, their contacts found by the engine,
a simulated history of the contacts' control, source links and a few published risk points.

Everything after detection is **simulated demo history** drawn from a seeded generator, so
the funnel, the chains and the work lists have something to show: who was notified, located
and transferred when, and which cases the investigation linked (taken from the synthetic
outbreak's true infection tree). Secondary contacts are left to the Detect button: in the
synthetic city, whose few venues are large, rule 4 finds tens of thousands per case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangkong.core.audit import record
from fangkong.core.jurisdiction import Actor, scope
from fangkong.registry.models import Person
from fangkong.tracing import actions_risk, detection
from fangkong.tracing.models import Case, CaseOrigin, Contact, FoundIn
from fangkong.tracing.policy import contact_policy, escalation_hours

DETECT_AFTER = (1.5, 2.5)  # hours from confirmation to the contacts' identification
# Simulated control of a contact, per step (notified, located, transferred): the share that
# reach it and the mean hours to it; a case's team works at its own speed, and in some
# cases one or two close contacts are hard to reach (footwork over days).
STEPS = {
    "close": ((1.0, 1.0), (1.0, 2.0), (1.0, 3.0)),
    "companion": ((0.90, 1.0), (0.70, 6.0), (0.50, 6.0)),
    "secondary": ((0.95, 2.0), (0.90, 6.0), (0.90, 8.0)),
}
HARD_CASES, HARD_HOURS = 0.3, (20.0, 100.0)
STORY_AFTER = dt.timedelta(hours=12)  # the story ends this long after the last confirmation
RISK_POINT_CASES = 3


def link_movement(city: Path) -> Path:
    """Point the movement folder at the generated city, unless it already holds real data."""
    target = Path(settings.MOVEMENT_DIR)
    if target.is_symlink():
        target.unlink()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(city.resolve(), target, target_is_directory=True)
    return target


def _utc(value: Any) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def import_cases(*, city: Path, actor: Actor, rng: random.Random) -> list[Case]:
    """``cases.parquet`` as Case rows: result a few hours before isolation, confirmation
    1–3 hours after the result, transfer to hospital within hours."""
    rows = pq.read_table(city / "cases.parquet").to_pylist()
    places = {pk: place for pk, *place in Person.objects.filter(
        pk__in=[r["person_id"] for r in rows]).values_list(
        "pk", "district_id", "street_id", "community_id", "grid_id")}
    zone = timezone.get_default_timezone()
    cases = []
    for r in rows:
        if r["person_id"] not in places or r["isolated_at"] is None:
            continue
        isolated = _utc(r["isolated_at"])
        sampled = dt.datetime.combine(r["sample_date"], dt.time(6), tzinfo=zone)
        result = max(isolated - dt.timedelta(hours=rng.uniform(2, 6)), sampled)
        confirmed = result + dt.timedelta(hours=rng.uniform(1, 3))
        requested = confirmed + dt.timedelta(hours=rng.uniform(0.5, 3))
        case = Case(person_id=r["person_id"], external_id=r["case_id"],
                    classification=r["classification"], onset_date=r["onset_date"],
                    sample_date=r["sample_date"], result_at=result, confirmed_at=confirmed,
                    isolated_at=isolated, origin=CaseOrigin.IMPORT,
                    hospital="定点医院" if r["classification"] == "confirmed" else "方舱医院",
                    transfer_requested_at=requested,
                    hospital_admitted_at=requested + dt.timedelta(hours=rng.uniform(1, 5)),
                    created_by_id=actor.user_id, created_at=confirmed)
        case.district_id, case.street_id, case.community_id, case.grid_id = places[
            r["person_id"]]
        cases.append(case)
    return Case.objects.bulk_create(cases, batch_size=500)


def link_sources(*, city: Path, cases: list[Case]) -> int:
    """The investigation's finding, simulated: the true infector when it is a case; a case
    infected at home by an earlier confirmed case was found in quarantine."""
    by_person = {c.person_id: c for c in cases}
    linked = []
    for r in pq.read_table(city / "infections.parquet").to_pylist():
        case, source = by_person.get(r["person_id"]), by_person.get(r["infector_id"])
        if case is None or source is None or source.pk == case.pk:
            continue
        case.source_case = source
        case.source_note = "流调确认 (simulated demo history)"
        if r["setting"] == "household" and source.confirmed_at < case.result_at:
            case.found_in = FoundIn.QUARANTINE
        linked.append(case)
    Case.objects.bulk_update(linked, ["source_case", "source_note", "found_in"], batch_size=500)
    return len(linked)


@dataclass
class History:
    """The simulated control of one case's new contacts (a ``store_contacts`` hook)."""

    rng: random.Random
    speed: float  # this case's team: < 1 is faster than the means
    hard: float  # chance that a close contact is hard to reach
    escalate_after: int  # hours, from the policy in force
    until: dt.datetime  # the end of the story: no step after it

    def __call__(self, contact: dict[str, Any]) -> None:
        rng, at = self.rng, contact["identified_at"]
        for (share, mean), status in zip(STEPS[contact["contact_type"]],
                                         ("notified", "located", "transferred"), strict=True):
            if rng.random() > share:
                break
            at += dt.timedelta(hours=self.speed * min(rng.expovariate(1 / mean), 3 * mean))
            if status == "located" and contact["contact_type"] == "close" and (
                    rng.random() < self.hard):
                at += dt.timedelta(hours=rng.uniform(*HARD_HOURS))
            if at > self.until:
                break
            contact[f"{status}_at"], contact["status"] = at, status
        if contact["transferred_at"] is not None:
            centralised = contact["contact_type"] == "close" and rng.random() < 0.85
            contact["disposition"] = "centralised" if centralised else "home"
            contact["destination"] = (f"集中隔离点 {rng.randint(1, 12)} 号" if centralised
                                      else "居家 (home address on file)")
        deadline = contact["identified_at"] + dt.timedelta(hours=self.escalate_after)
        if deadline <= self.until and (contact["located_at"] is None
                                       or contact["located_at"] > deadline):
            contact["escalated_at"] = deadline


def detect_all(*, actor: Actor, cases: list[Case], rng: random.Random) -> dict[str, int]:
    """One engine run for every case (close contacts and companions), then each case's
    contacts stored with its own identification time and a simulated history."""
    if not cases:
        return {}
    as_of = max(c.confirmed_at for c in cases) + dt.timedelta(hours=max(DETECT_AFTER))
    policy = dataclasses.replace(contact_policy(on=cases[0].sample_date), secondary=False)
    table = detection.run_engine(case_ids=frozenset(c.pk for c in cases), policy=policy,
                                 as_of=as_of, quarantined={})
    grouped = detection.rows_by_case(table)
    totals: dict[str, int] = {}
    until = as_of + STORY_AFTER
    for case in cases:
        identified = case.confirmed_at + dt.timedelta(hours=rng.uniform(*DETECT_AFTER))
        rows = grouped.get(case.pk, [])
        history = History(
            rng=rng, speed=rng.uniform(0.3, 1.3), until=until,
            hard=1.5 / max(len(rows), 1) if rng.random() < HARD_CASES else 0.0,
            escalate_after=escalation_hours(on=timezone.localtime(identified).date()))
        with transaction.atomic():
            result = detection.store_contacts(case=case, rows=rows, identified_at=identified,
                                              prepare=history)
            case.contacts_run_at = identified
            case.save(update_fields=["contacts_run_at"])
            record(actor=actor, verb="tracing.case.detect", target=case,
                   after={**dataclasses.asdict(result), "as_of": str(identified),
                          "note": "demo seed; contacts' control is simulated history"})
        for key, n in result.by_type.items():
            totals[key] = totals.get(key, 0) + n
    return totals


def publish_risk_points(*, actor: Actor, reviewer: Actor | None) -> dict[str, int]:
    """Drafts from a few cases' check-ins, reviewed by a second person and published."""
    pool = Case.objects.order_by("confirmed_at")
    if reviewer is not None:
        pool = scope(pool, reviewer)
    drafted = published = 0
    for case in pool[:RISK_POINT_CASES]:
        points = actions_risk.do_draft_risk_points(actor=actor, case_id=case.pk)
        drafted += len(points)
        if reviewer is None:
            continue
        for point in points:
            actions_risk.do_review_risk_point(actor=reviewer, point_id=point.pk)
            actions_risk.do_publish_risk_point(actor=actor, point_id=point.pk)
            published += 1
    return {"risk_points_drafted": drafted, "risk_points_published": published}


def seed_demo_tracing(*, city: Path, actor: Actor, reviewer: Actor | None = None,
                      seed: int = 2022) -> dict[str, int]:
    """Seed tracing from the generated ``city`` once (an existing case means done)."""
    link_movement(city)
    if Case.objects.exists():
        return {"cases": Case.objects.count()}
    began = time.perf_counter()
    rng = random.Random(seed)
    with transaction.atomic():
        cases = import_cases(city=city, actor=actor, rng=rng)
        linked = link_sources(city=city, cases=cases)
        record(actor=actor, verb="tracing.demo.seed", target=actor.unit,
               target_type="tracing.case",
               after={"cases": len(cases), "linked": linked, "source": str(city),
                      "note": "imported from the generated city; simulated demo history"})
    counts = {"cases": len(cases), "source_links": linked}
    counts |= {f"contacts_{k}": v for k, v in
               detect_all(actor=actor, cases=cases, rng=rng).items()}
    counts["contacts_transferred"] = Contact.objects.filter(status="transferred").count()
    counts["contacts_escalated"] = Contact.objects.filter(escalated_at__isnull=False).count()
    counts |= publish_risk_points(actor=actor, reviewer=reviewer)
    counts["seconds"] = round(time.perf_counter() - began)
    return counts
