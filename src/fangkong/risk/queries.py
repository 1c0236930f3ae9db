"""Reads of risk areas, always scoped by jurisdiction (the public page reads published facts
only, through its own function)."""

from __future__ import annotations

from django.db.models import QuerySet

from fangkong.core.jurisdiction import Actor, get_scoped, scope, within
from fangkong.registry.models import Person
from fangkong.risk.models import AreaStatus, RiskArea


def areas_for(actor: Actor) -> QuerySet[RiskArea]:
    """Areas placed in the actor's subtree, newest first."""
    return scope(RiskArea.objects.all(), actor).order_by("-started_at", "-id")


def area_for(actor: Actor, area_id: int) -> RiskArea:
    return get_scoped(RiskArea.objects.all(), actor, what="risk area", pk=area_id)


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
