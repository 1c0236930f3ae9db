"""Reads shared by the screening pages and API, always scoped by jurisdiction.

A campaign is visible to an actor when one of its areas lies in the actor's subtree or is an
ancestor of the actor's node (a city-wide round covers every district officer's district).
Every other screening row is Placed and goes through ``core.jurisdiction.scope`` directly.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level
from fangkong.testing.models import Campaign, Site


def ancestor_ids(unit: AdminUnit) -> list[int]:
    """The node's ancestors (city excluded, as it has no column) and the city itself."""
    ids = [getattr(unit, f"{LEVEL_FIELD[level]}_id") for level in LEVEL_FIELD
           if level < unit.level]
    city = AdminUnit.objects.filter(level=Level.CITY).values_list("pk", flat=True).first()
    return [i for i in [*ids, city] if i is not None]


def campaigns_for(actor: Actor) -> QuerySet[Campaign]:
    if actor.unit is None:
        return Campaign.objects.none()
    inside = scope(Campaign.objects.all(), actor, via="areas__").values("pk")
    above = Campaign.objects.filter(areas__unit_id__in=ancestor_ids(actor.unit)).values("pk")
    return Campaign.objects.filter(Q(pk__in=inside) | Q(pk__in=above))


def get_campaign(actor: Actor, campaign_id: int) -> Campaign:
    campaign = campaigns_for(actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("campaign")
    return campaign


def sites_for(actor: Actor, campaign: Campaign) -> QuerySet[Site]:
    return scope(Site.objects.filter(campaign=campaign), actor).order_by("code")
