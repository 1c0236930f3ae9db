"""A screening round over a loaded city, built through the platform's own actions: the
campaign over every district (10-in-1), the planner's sites, tubes issued per site, and the
sampler batches that would come from the tables (built in memory before any clock starts).

Every ``skip_every``-th resident with an ID number is left unsampled, so the coverage
queries have untested people to find."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, Level, Profile
from fangkong.registry.models import Person
from fangkong.testing.actions_campaign import (
    MAX_TUBES,
    do_create_campaign,
    do_issue_tubes,
    do_set_status,
)
from fangkong.testing.actions_sampling import Batch, Event
from fangkong.testing.models import Campaign, Site, Tube
from fangkong.testing.planner import do_apply_plan

TUBES_PER_BATCH = 10  # a device uploads after every ten tubes (about 100 scans)


@dataclass
class Round:
    campaign: Campaign
    batches: list[Batch] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # the samples, for the baseline
    scans: int = 0


def bench_actor() -> Actor:
    user = User.objects.filter(username="bench").first()
    if user is None:
        user = User.objects.create_user(username="bench", password="bench-only")
        city = AdminUnit.objects.get(level=Level.CITY)
        Profile.objects.create(user=user, unit=city, roles=["city_admin"])
    return actor_for(user)


def build_round(*, actor: Actor, code: str, district_ids: list[int], skip_every: int) -> Round:
    """Campaign, planned sites, tubes and the batches that sample its residents."""
    start = clock.now() - dt.timedelta(hours=8)
    campaign = do_create_campaign(
        actor=actor, code=code, name=f"bench {code}", starts_at=start,
        ends_at=start + dt.timedelta(hours=24), areas=dict.fromkeys(district_ids, 10))
    do_apply_plan(actor=actor, campaign_id=campaign.pk)
    do_set_status(actor=actor, campaign_id=campaign.pk, act="start")
    sites = list(Site.objects.filter(campaign=campaign).order_by("pk"))
    people = _people_by_site(sites, district_ids, skip_every)
    built = Round(campaign=campaign)
    for site in sites:
        persons = people.get(site.pk, [])
        _issue(actor, site, math.ceil(len(persons) / 10))
        tubes = list(Tube.objects.filter(site=site).order_by("code").values_list("pk", "code"))
        _batches(built, site, persons, tubes, start)
    return built


def _people_by_site(sites: list[Site], district_ids: list[int],
                    skip_every: int) -> dict[int, list[tuple[Any, ...]]]:
    """Residents of each grid dealt round-robin to the grid's sites."""
    by_grid: dict[int, list[Site]] = defaultdict(list)
    for site in sites:
        if site.grid_id is not None:
            by_grid[site.grid_id].append(site)
    dealt: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    seen: dict[int, int] = defaultdict(int)
    rows = (Person.objects.filter(district_id__in=district_ids, id_number__isnull=False,
                                  inactive_since__isnull=True, temporary=False)
            .order_by("pk").values_list("pk", "id_number", "district_id", "street_id",
                                        "community_id", "grid_id"))
    for n, row in enumerate(rows.iterator(chunk_size=50_000)):
        if skip_every and n % skip_every == skip_every - 1:
            continue
        grid_sites = by_grid.get(row[5])
        if grid_sites:
            dealt[grid_sites[seen[row[5]] % len(grid_sites)].pk].append(row)
            seen[row[5]] += 1
    return dealt


def _issue(actor: Actor, site: Site, count: int) -> None:
    while count > 0:
        do_issue_tubes(actor=actor, site_id=site.pk, count=min(count, MAX_TUBES), capacity=10)
        count -= MAX_TUBES


def _batches(built: Round, site: Site, persons: list[tuple[Any, ...]],
             tubes: list[tuple[int, str]], start: dt.datetime) -> None:
    at = start + dt.timedelta(hours=1)
    step = dt.timedelta(seconds=1)
    for first in range(0, len(tubes), TUBES_PER_BATCH):
        events: list[Event] = []
        for t, (tube_pk, code) in enumerate(tubes[first:first + TUBES_PER_BATCH], first):
            members = persons[t * 10:(t + 1) * 10]
            events.append(Event(type="open", tube=code, at=at))
            for person in members:
                events.append(Event(type="scan", tube=code, at=at, id_number=person[1]))
                built.rows.append((built.campaign.pk, tube_pk, person[0], at, *person[2:]))
                at += step
            events.append(Event(type="seal", tube=code, at=at))
            built.scans += len(members)
        key = f"bench-{built.campaign.code}-{site.code}-{first:06d}"
        built.batches.append(Batch(client_key=key, campaign_id=built.campaign.pk,
                                   site_id=site.pk, device=f"bench-{site.code}",
                                   events=events))
