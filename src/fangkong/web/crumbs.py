"""Breadcrumbs city → district → … → unit, showing only the ancestors the actor may see (a
district officer's trail starts at their district, never at the city)."""

from __future__ import annotations

from fangkong.core.jurisdiction import Actor, units_in_scope
from fangkong.core.models import AdminUnit, Level, Placed


def crumbs_for(*, actor: Actor, place: Placed) -> list[AdminUnit]:
    """The admin units above (and including) ``place`` that lie in the actor's scope."""
    ids = [place.district_id, place.street_id, place.community_id, place.grid_id]
    if isinstance(place, AdminUnit):
        ids.append(place.pk)
    units = list(units_in_scope(actor).filter(pk__in=[i for i in ids if i is not None]))
    if actor.unit is not None and actor.unit.level == Level.CITY:
        units.append(actor.unit)
    return sorted({u.pk: u for u in units}.values(), key=lambda u: u.level)
