"""Reads of risk areas, always scoped by jurisdiction (the public page reads published facts
only, through its own function)."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope, within
from fangkong.registry.models import Household, Person
from fangkong.risk.logic import LEVELS
from fangkong.risk.models import AreaStatus, LiftProposal, ProposalStatus, RiskArea, RiskLevel

M = TypeVar("M", bound=Model)


def visible(qs: QuerySet[M], actor: Actor, *, via: str = "") -> QuerySet[M]:
    """Rows of areas placed in the actor's subtree, and of areas drawn over a node above the
    actor: a grid worker or gate keeper inside a community-wide sealed area works for it."""
    unit = actor.unit
    if unit is None:
        return qs.none()
    above = [pk for pk in (unit.district_id, unit.street_id, unit.community_id, unit.grid_id)
             if pk is not None and pk != unit.pk]
    return scope(qs, actor) | qs.filter(**{f"{via}unit_id__in": above})


def areas_for(actor: Actor) -> QuerySet[RiskArea]:
    """Areas the actor works in (see :func:`visible`), newest first."""
    return visible(RiskArea.objects.all(), actor).order_by("-started_at", "-id")


def area_for(actor: Actor, area_id: int) -> RiskArea:
    area = areas_for(actor).filter(pk=area_id).first()
    if area is None:
        raise NotFound("risk area")
    return area


def area_members(area: RiskArea) -> QuerySet[Person]:
    """The residents an area covers: everyone placed under its node, or living in its
    building; visitors and people who moved away are not members."""
    people = Person.objects.filter(inactive_since__isnull=True, temporary=False)
    if area.building_id is not None:
        return people.filter(household__building_id=area.building_id)
    assert area.unit is not None
    return within(people, area.unit)


def active_areas() -> QuerySet[RiskArea]:
    return RiskArea.objects.filter(status=AreaStatus.ACTIVE)


def active_areas_of_person(person: Person) -> list[RiskArea]:
    """Active areas whose members include ``person``: an area over one of their units, or over
    the building they live in. Visitors and people who moved away belong to none."""
    if person.inactive_since is not None or person.temporary:
        return []
    units = [u for u in (person.district_id, person.street_id, person.community_id,
                         person.grid_id) if u is not None]
    covers = Q(unit_id__in=units)
    building_id = (Household.objects.filter(pk=person.household_id)
                   .values_list("building_id", flat=True).first()
                   if person.household_id is not None else None)
    if building_id is not None:
        covers |= Q(building_id=building_id)
    found = active_areas().filter(covers).order_by("pk")
    return sorted(found, key=lambda area: LEVELS.index(area.level))


def filtered_areas(actor: Actor, *, level: str = "", status: str = "") -> QuerySet[RiskArea]:
    """The list page's areas: in scope, optionally of one level and one status."""
    qs = areas_for(actor).select_related("unit", "building", "district")
    if level in RiskLevel.values:
        qs = qs.filter(level=level)
    if status in AreaStatus.values:
        qs = qs.filter(status=status)
    return qs


def counts_by_level(actor: Actor) -> dict[str, int]:
    """Active areas in scope per level (every level present, zero when none)."""
    rows = (areas_for(actor).filter(status=AreaStatus.ACTIVE).order_by()
            .values("level").annotate(n=Count("pk")))
    found = {row["level"]: row["n"] for row in rows}
    return {level: found.get(level, 0) for level in RiskLevel.values}


def proposals_for(actor: Actor, *, status: str = ProposalStatus.PENDING
                  ) -> QuerySet[LiftProposal]:
    """Proposals in scope, oldest first (the order they should be decided in)."""
    qs = scope(LiftProposal.objects.select_related("area"), actor)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("proposed_at", "pk")


def proposal_for(actor: Actor, proposal_id: int) -> LiftProposal:
    return get_scoped(LiftProposal.objects.select_related("area"), actor, what="proposal",
                      pk=proposal_id)


def public_areas(*, lifted_since: dt.datetime) -> QuerySet[RiskArea]:
    """Areas the public page shows: every active one, and those lifted since ``lifted_since``
    (no scoping: these are published facts; the caller picks the public fields)."""
    return (RiskArea.objects.filter(Q(status=AreaStatus.ACTIVE)
                                    | Q(status=AreaStatus.LIFTED, lifted_at__gte=lifted_since))
            .select_related("unit", "building", "district")
            .prefetch_related("events").order_by("-started_at", "pk"))
