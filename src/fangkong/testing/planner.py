"""The capacity plan of a campaign from the registry, and applying it as the campaign's sites.

The plan covers the grids of the campaign's areas that lie in the actor's jurisdiction, so a
district officer plans (and applies) their own district's part of a city-wide round. Only
active residents count: not moved away or dead, not a visitor registered at a table, not
purged."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.core.audit import record
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.testing import logic
from fangkong.testing.models import Campaign, CampaignArea, CampaignStatus, Lab, Site
from fangkong.testing.policy import campaign_policy
from fangkong.testing.queries import get_campaign


@dataclass(frozen=True)
class CampaignPlan:
    """A campaign's plan with what the page and the API show beside it."""

    campaign: Campaign
    policy: logic.PlanPolicy
    plan: logic.RoundPlan
    grids: dict[int, AdminUnit]
    labs: list[Lab]
    existing_sites: int

    @property
    def lab_capacity(self) -> int:
        return sum(lab.tubes_per_hour for lab in self.labs)

    def messages(self) -> list[str]:
        return [notice_text(n, self.grids) for n in self.plan.warnings]


def _area_filter(areas: list[CampaignArea]) -> Q | None:
    """Grids at or below any area; None when an area is the whole city."""
    found = Q(pk__in=[])
    for area in areas:
        if area.unit.level == Level.CITY:
            return None
        if area.unit.level == Level.GRID:
            found |= Q(pk=area.unit_id)
        else:
            found |= Q(**{f"{LEVEL_FIELD[Level(area.unit.level)]}_id": area.unit_id})
    return found


def _pool_size(grid: AdminUnit, areas: list[CampaignArea]) -> int:
    """The pool size of the deepest area holding the grid (a grid's own mode wins)."""
    line = {grid.pk, grid.district_id, grid.street_id, grid.community_id}
    holding = [a for a in areas if a.unit.level == Level.CITY or a.unit_id in line]
    return max(holding, key=lambda a: a.unit.level).pool_size


def campaign_grids(*, actor: Actor, campaign: Campaign) -> tuple[list[AdminUnit], list[int]]:
    """The campaign's grids in the actor's scope, ordered by code, and their pool sizes."""
    areas = list(CampaignArea.objects.filter(campaign=campaign).select_related("unit"))
    if not areas:
        return [], []
    qs = AdminUnit.objects.filter(level=Level.GRID)
    where = _area_filter(areas)
    if where is not None:
        qs = qs.filter(where)
    grids = list(scope(qs, actor).order_by("code"))
    return grids, [_pool_size(g, areas) for g in grids]


def populations(*, actor: Actor, grid_ids: list[int]) -> dict[int, int]:
    """Active residents per grid."""
    rows = (scope(Person.objects.filter(grid_id__in=grid_ids), actor)
            .filter(inactive_since__isnull=True, temporary=False, purged=False)
            .values("grid_id").annotate(n=Count("id")))
    return {row["grid_id"]: row["n"] for row in rows}


def campaign_labs(*, actor: Actor, campaign: Campaign) -> list[Lab]:
    """Labs in the campaign's districts (every lab for a city-wide area) within scope."""
    areas = CampaignArea.objects.filter(campaign=campaign).select_related("unit")
    qs = Lab.objects.all()
    if not any(a.unit.level == Level.CITY for a in areas):
        qs = qs.filter(district_id__in=[a.district_id for a in areas])
    return list(scope(qs, actor).order_by("code"))


def campaign_plan(*, actor: Actor, campaign_id: int) -> CampaignPlan:
    actor.require(Right.SCREENING_VIEW)
    return _build(actor, get_campaign(actor, campaign_id))


def _build(actor: Actor, campaign: Campaign) -> CampaignPlan:
    policy = campaign_policy(campaign)
    grids, pools = campaign_grids(actor=actor, campaign=campaign)
    counts = populations(actor=actor, grid_ids=[g.pk for g in grids])
    demands = [logic.GridDemand(grid_id=g.pk, population=counts.get(g.pk, 0), lat=g.center_lat,
                                lon=g.center_lon, pool_size=k) for g, k in zip(grids, pools,
                                                                               strict=True)]
    labs = campaign_labs(actor=actor, campaign=campaign)
    plan = logic.plan_round(demands, policy, target_hours=campaign.target_hours,
                            lab_capacity=sum(lab.tubes_per_hour for lab in labs))
    existing = scope(Site.objects.filter(campaign=campaign), actor).count()
    return CampaignPlan(campaign=campaign, policy=policy, plan=plan,
                        grids={g.pk: g for g in grids}, labs=labs, existing_sites=existing)


def notice_text(notice: logic.Notice, grids: dict[int, AdminUnit]) -> str:
    """A planner warning in the user's language."""
    p: dict[str, Any] = notice.as_dict()
    texts = {
        "target_unreachable": _("The target of %(target)s h cannot be met: with sampling, "
                                "transport and the lab run the last results come "
                                "%(fastest)s h after opening at best."),
        "no_lab": _("No lab in scope: the tubes have nowhere to go."),
        "lab_short": _("The labs in scope test %(capacity)s tubes an hour; %(need)s are "
                       "needed. At that rate the last results come after %(results_by)s h."),
        "no_position": ngettext("%(grids)s grid has no centre on the map: its sites get no "
                                "position.", "%(grids)s grids have no centre on the map: "
                                "their sites get no position.", int(p.get("grids", 0))),
        "pool_unvalidated": _("Pools of %(pool_size)s are not validated (5, 10 or 20 are): "
                              "positives may be missed."),
        "nobody": _("No active residents in the grids of this campaign in your "
                    "jurisdiction."),
    }
    return texts.get(notice.code, notice.code) % p


# ---------------------------------------------------------------- applying the plan


def check_apply_plan(*, actor: Actor, campaign_id: int) -> CampaignPlan:
    """The plan, if it may become sites: the campaign is not closed, has no sites in the
    actor's jurisdiction yet, and the plan has at least one site."""
    actor.require(Right.SCREENING_MANAGE)
    built = _build(actor, get_campaign(actor, campaign_id))
    if built.campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("The campaign is closed."), field="status")
    if built.existing_sites:
        raise Conflict(ngettext(
            "The campaign already has %(n)s site here; change it on the campaign page instead.",
            "The campaign already has %(n)s sites here; change them on the campaign page "
            "instead.", built.existing_sites) % {"n": built.existing_sites}, field="sites")
    if not built.plan.sites:
        raise DomainError(_("The plan has no sites: no active residents in scope."),
                          field="sites")
    return built


def do_apply_plan(*, actor: Actor, campaign_id: int) -> list[Site]:
    """Create the planned sites in one transaction with one audit row; the campaign row is
    locked first so two organisers applying at once cannot both create sites."""
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        built = check_apply_plan(actor=actor, campaign_id=campaign_id)
        sites = Site.objects.bulk_create(_sites(built))
        record(actor=actor, verb="screening.plan.apply", target=built.campaign, after={
            "sites": [s.code for s in sites], "tables": sum(s.tables for s in sites),
            "labs": sorted({s.lab_id for s in sites if s.lab_id is not None})})
    return sites


def _sites(built: CampaignPlan) -> list[Site]:
    campaign, policy = built.campaign, built.policy
    opens = campaign.starts_at
    closes = opens + dt.timedelta(hours=policy.sampling_hours)
    pick = _lab_picker(built.labs)
    per_grid = Counter(s.grid_id for s in built.plan.sites)
    made = []
    for planned in built.plan.sites:
        grid = built.grids[planned.grid_id]
        name = f"{grid.name}采样点{planned.number if per_grid[grid.pk] > 1 else ''}"
        site = Site(campaign=campaign, code=f"{grid.code}-{planned.number:02d}", name=name,
                    tables=planned.tables, lat=planned.lat, lon=planned.lon, opens_at=opens,
                    closes_at=closes, lab=pick(grid))
        site.place_in(grid)
        made.append(site)
    return made


def _lab_picker(labs: list[Lab]) -> Callable[[AdminUnit], Lab | None]:
    """Round-robin among the labs of the site's district, else among all labs in scope."""
    turns: dict[int | None, int] = {}

    def pick(grid: AdminUnit) -> Lab | None:
        own = [lab for lab in labs if lab.district_id == grid.district_id]
        pool = own or labs
        if not pool:
            return None
        key = grid.district_id if own else None
        turn = turns.get(key, 0)
        turns[key] = turn + 1
        return pool[turn % len(pool)]

    return pick


# ---------------------------------------------------------------- plain rows for the page and API


def _finite(value: float, digits: int = 2) -> float | None:
    return round(value, digits) if value != float("inf") else None


def site_rows(built: CampaignPlan, *, language: str) -> list[dict[str, Any]]:
    rows = []
    for s in built.plan.sites:
        grid = built.grids[s.grid_id]
        rows.append({
            "grid_id": s.grid_id, "grid_code": grid.code, "grid_name": grid.display_name(language),
            "number": s.number, "people": s.people, "tables": s.tables,
            "wait_minutes": _finite(s.wait_minutes), "queue_length": _finite(s.queue_length, 1),
            "utilisation": round(s.utilisation, 3), "pool_size": s.pool_size, "tubes": s.tubes,
            "boxes": s.boxes, "courier_runs": s.courier_runs, "lat": s.lat, "lon": s.lon})
    return rows


def summary(built: CampaignPlan) -> dict[str, Any]:
    """The plan's totals; rates and expectations rounded for reading."""
    p = built.plan
    counts = ("people", "tables", "reserve_tables", "shifts", "samplers", "registrars",
              "reserve_samplers", "reserve_registrars", "practice_samplers", "tubes",
              "reserve_tubes", "retest_tubes", "boxes", "courier_runs", "couriers")
    found: dict[str, Any] = {name: getattr(p, name) for name in counts}
    found.update(
        campaign_id=built.campaign.pk, sites=len(p.sites), target_hours=p.target_hours,
        sampling_hours=built.policy.sampling_hours,
        max_queue_minutes=built.policy.max_queue_minutes,
        expected_prevalence=built.policy.expected_prevalence,
        expected_positive_pools=round(p.expected_positive_pools, 2),
        expected_retests=round(p.expected_retests, 1),
        lab_tubes_per_hour=round(p.lab_tubes_per_hour, 1), lab_capacity=built.lab_capacity,
        results_by_hours=_finite(p.results_by_hours, 1), existing_sites=built.existing_sites)
    return found
