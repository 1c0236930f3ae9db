"""The risk-area part of the demo: the first district's story of the last days, built once
through the platform's own actions, each at its moment (``demo_steps.at``), under the policy
version in force today.

* **Fresh sealed buildings**: the buildings of the two cases screening round 1 found, sealed
  an hour after each case was confirmed (the case linked), with their gates, and a
  precaution area over each one's community.
* **An older sealed building** elsewhere in the district, sealed six days ago over a case of
  that morning: the daily lifting job (run today) proposes lifting it, and the proposal is
  left pending for a second person to approve.
* **Life in the areas**: supply and medical requests in every state (open, taken by
  ``volunteer1``, done, cancelled, overdue, an emergency, a dialysis trip), today's roster
  checks for part of the special-group members, exit passes and gate checks (one let
  through, one stopped at the wrong gate).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.registry.models import Building, Household, Person
from fangkong.risk.actions_area import do_add_gate, do_designate, do_link_case
from fangkong.risk.demo_life import seed_life
from fangkong.risk.lifting import do_propose_due
from fangkong.risk.models import ExitPass, RiskArea, RiskLevel, SupplyRequest
from fangkong.testing.demo_steps import at
from fangkong.tracing.actions_cases import do_register_case
from fangkong.tracing.models import Case, CaseOrigin, Classification

OLD_HOUSEHOLDS = 12  # the older sealed building: the largest up to this size
OLD_DAYS = 6  # the older sealed building: designated this many days ago
SEAL_AFTER = dt.timedelta(hours=1)  # from a case's confirmation to its building's seal
JOB_HOUR = dt.time(6, 5)  # the daily lifting job (``risk.tasks.propose_lifting``)


@dataclass
class Cast:
    """Who does what in the story."""

    officer: Actor  # the first district's officer: designates, dispatches, issues passes
    volunteer: Actor | None  # volunteer of the first sealed building's grid
    gate: Actor | None  # gate keeper of that grid
    rnd: random.Random


def moment(day: dt.date, hour: float, *, now: dt.datetime) -> dt.datetime:
    """The story's time of ``hour`` on ``day``: the clock time on a past day; today, the same
    share of the hours gone since midnight (never after ``now``, whenever the demo runs)."""
    midnight = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    if day < timezone.localdate(now):
        return midnight + dt.timedelta(hours=hour)
    return midnight + (now - midnight) * (hour / 24)


def result_cases(district: AdminUnit) -> list[Case]:
    """The cases screening opened in ``district``, first confirmed first."""
    return list(Case.objects.filter(origin=CaseOrigin.RESULT, district=district)
                .select_related("person__household__building").order_by("confirmed_at", "pk"))


def demo_grid() -> AdminUnit | None:
    """The grid of the first sealed building (that of screening's first case in the first
    district), where ``volunteer1`` and ``gate1`` work; None before screening found it."""
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
    first = result_cases(district)[:1] if district is not None else []
    return first[0].person.grid if first else None


def seed_demo_risk(*, officer: Actor, volunteer: Actor | None, gate: Actor | None,
                   seed: int = 2022) -> dict[str, int]:
    """Build the demo's risk areas once (nothing when an area exists)."""
    started = time.monotonic()
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if not RiskArea.objects.exists() and district is not None and result_cases(district):
        cast = Cast(officer=officer, volunteer=volunteer, gate=gate, rnd=random.Random(seed))
        with transaction.atomic():  # all or nothing: a failed seed is tried again next time
            _story(cast, district, clock.now())
    return {**risk_counts(), "seconds": round(time.monotonic() - started)}


def risk_counts() -> dict[str, int]:
    return {"areas": RiskArea.objects.count(), "requests": SupplyRequest.objects.count(),
            "passes": ExitPass.objects.count()}


def _story(cast: Cast, district: AdminUnit, now: dt.datetime) -> None:
    cases = result_cases(district)
    old = _older_area(cast, district, cases, now)
    fresh = _fresh_areas(cast, cases, now)
    today = timezone.localdate(now)
    with at(moment(today, JOB_HOUR.hour + JOB_HOUR.minute / 60, now=now)):
        do_propose_due(today=today)
    seed_life(officer=cast.officer, volunteer=cast.volunteer, gate=cast.gate, rnd=cast.rnd,
              fresh=fresh, old=old, now=now)


def _older_building(district: AdminUnit, cases: list[Case]) -> Building:
    """A building of the district away from the new cases' communities, with several
    households, none of whose residents is a case."""
    busy = {c.community_id for c in cases}
    ill = Case.objects.filter(person__household__isnull=False).values(
        "person__household__building_id")
    found = (Building.objects.filter(district=district).exclude(community_id__in=busy)
             .exclude(pk__in=ill).annotate(n=Count("households")).order_by("-n", "pk"))
    best = found.filter(n__lte=OLD_HOUSEHOLDS).first() or found.first()
    if best is None:
        raise LookupError("the risk demo needs a second community in the first district")
    return best


def _older_area(cast: Cast, district: AdminUnit, cases: list[Case],
                now: dt.datetime) -> RiskArea:
    """A case six days ago in another community and its building sealed that noon."""
    building = _older_building(district, cases)
    day = timezone.localdate(now) - dt.timedelta(days=OLD_DAYS)
    person = (Person.objects.filter(household__building=building, inactive_since__isnull=True,
                                    temporary=False).order_by("pk").first())
    assert person is not None
    with at(moment(day, 9, now=now)):
        case = do_register_case(
            actor=cast.officer, person_id=person.pk, classification=Classification.CONFIRMED,
            sample_date=day - dt.timedelta(days=1), result_at=moment(day, 7, now=now),
            onset_date=day - dt.timedelta(days=1), isolated_at=moment(day, 8, now=now))
    with at(moment(day, 12, now=now)):
        area = do_designate(actor=cast.officer, level=RiskLevel.SEALED, building_id=building.pk,
                            name=f"{building.address} 封控区",
                            reason="确诊病例居住楼栋", case_ids=[case.pk])
        _gates(cast.officer, area, building)
    return area


def _fresh_areas(cast: Cast, cases: list[Case], now: dt.datetime) -> list[RiskArea]:
    """Each new case's building sealed an hour after its confirmation (a second case in the
    same building is linked to it), then a precaution area over each community."""
    areas: dict[int, RiskArea] = {}
    for case in cases:
        household = case.person.household
        if household is None:
            continue
        when = min(case.confirmed_at + SEAL_AFTER, now - dt.timedelta(minutes=30))
        with at(when):
            area = areas.get(household.building_id)
            if area is not None:
                do_link_case(actor=cast.officer, area_id=area.pk, case_id=case.pk)
                continue
            building = household.building
            areas[building.pk] = do_designate(
                actor=cast.officer, level=RiskLevel.SEALED, building_id=building.pk,
                name=f"{building.address} 封控区", reason="区域核酸筛查阳性病例居住楼栋",
                case_ids=[case.pk])
            _gates(cast.officer, areas[building.pk], building)
    _precaution(cast, cases, now)
    return list(areas.values())


def _precaution(cast: Cast, cases: list[Case], now: dt.datetime) -> None:
    by_community: dict[int, list[Case]] = {}
    for case in cases:
        if case.community_id is not None:
            by_community.setdefault(case.community_id, []).append(case)
    for community_id, linked in by_community.items():
        community = AdminUnit.objects.get(pk=community_id)
        when = min(max(c.confirmed_at for c in linked) + 2 * SEAL_AFTER,
                   now - dt.timedelta(minutes=20))
        with at(when):
            do_designate(actor=cast.officer, level=RiskLevel.PRECAUTION, unit_id=community_id,
                         name=f"{community.name} 防范区",
                         reason="封控楼栋所在社区",
                         case_ids=[c.pk for c in linked])


def _gates(officer: Actor, area: RiskArea, building: Building) -> None:
    """Two gates a few metres either side of the building."""
    for name, shift in (("1号门", 0.0002), ("2号门", -0.0002)):
        do_add_gate(actor=officer, area_id=area.pk, name=name,
                    lat=round(building.lat + shift, 6), lon=round(building.lon, 6))


def households_of(area: RiskArea) -> list[Household]:
    assert area.building_id is not None
    return list(Household.objects.filter(building_id=area.building_id).order_by("pk"))
