"""The rest of bench_command.py's outbreak (see ``command_fixture``): screening rounds with
tubes and samples for most residents, risk areas around the cases with their households'
supply requests, hotline tickets and the HQs' directives with one task per unit below."""

from __future__ import annotations

import datetime as dt
from typing import Any

from benchmarks.command_fixture import World, insert
from fangkong.command.models import Directive, Task
from fangkong.core.models import AdminUnit, Level
from fangkong.hotline.models import Ticket
from fangkong.risk.models import RiskArea, SupplyRequest
from fangkong.testing.models import Campaign, CampaignArea, Sample, Tube

PLACED = ["district", "street", "community", "grid"]
CATEGORIES = ["medical", "supply", "code", "quarantine", "testing", "travel", "complaint",
              "other"]


def build_city(world: World, outbreak: dict[str, Any]) -> None:
    make_rounds(world)
    areas = make_areas(world, outbreak["cases"])
    make_requests(world, areas)
    make_tickets(world)
    make_directives(world)


def make_rounds(world: World) -> None:
    """Rounds over every district, 10-in-1 (``Shape.rounds``: days ago, share sampled), 24
    hours each from 06:00; today's started at 06:00 or, before that, an hour ago, and is under
    way. (Areas per district, as bench_screening's: a single city-level area counts no one
    as expected, see docs/performance.md.)"""
    districts = list(AdminUnit.objects.filter(level=Level.DISTRICT))
    samples = tubes = 0
    for n, (ago, share) in enumerate(world.shape.rounds):
        day = world.shape.days - 1 - ago
        start = min(world.start(day) + dt.timedelta(hours=6), world.now - dt.timedelta(hours=1))
        campaign = Campaign.objects.create(
            code=f"CB-R{n + 1}", name=f"bench round {n + 1}", starts_at=start,
            ends_at=start + dt.timedelta(hours=24), status="running" if ago == 0 else "closed",
            created_at=start - dt.timedelta(hours=12))
        for district in districts:
            area = CampaignArea(campaign=campaign, unit=district, pool_size=10)
            area.place_in(district)
            area.save()
        sampled = sorted(i for i in range(len(world.people)) if world.rng.random() < share)
        sampled.sort(key=lambda i: world.people[i][4] or 0)  # pooled by grid
        tubes += _tubes(world, campaign, sampled)
        samples += _samples(world, campaign, sampled, start)
    world.sizes |= {"screening_rounds": len(world.shape.rounds), "tubes": tubes,
                    "samples": samples}


def _tubes(world: World, campaign: Campaign, sampled: list[int]) -> int:
    rows = [(campaign.pk, f"{campaign.code}-{k // 10:07d}", 10, "screening", "resulted",
             min(10, len(sampled) - k), *world.place(sampled[k]))
            for k in range(0, len(sampled), 10)]
    return insert(Tube, ["campaign", "code", "capacity", "kind", "status", "members",
                         *PLACED], rows)


def _samples(world: World, campaign: Campaign, sampled: list[int], start: dt.datetime) -> int:
    tube_ids = list(Tube.objects.filter(campaign=campaign).order_by("code")
                    .values_list("pk", flat=True))
    span = max(60.0, min(16 * 3600.0, (world.now - start).total_seconds() - 60))
    rows = []
    for k, index in enumerate(sampled):
        at = start + dt.timedelta(seconds=span * k / max(1, len(sampled)))
        rows.append((campaign.pk, tube_ids[k // 10], world.people[index][0], "screening",
                     "site", at, *world.place(index)))
    return insert(Sample, ["campaign", "tube", "person", "kind", "channel", "sampled_at",
                           *PLACED], rows)


def make_areas(world: World, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each case's grid sealed, its community controlled, its street a precaution area, from
    two hours after the first case there; a sealed grid is lifted after 7 days (if due)."""
    units = {u.pk: u for u in AdminUnit.objects.filter(level__gte=Level.STREET)}
    first: dict[tuple[str, int], dt.datetime] = {}
    for case in sorted(cases, key=lambda c: c["confirmed"]):
        _d, street, community, grid = world.place(case["index"])
        for level, unit in (("sealed", grid), ("controlled", community),
                            ("precaution", street)):
            if unit is not None:
                first.setdefault((level, unit), case["confirmed"] + dt.timedelta(hours=2))
    areas, rows = [], []
    for n, ((level, unit), since) in enumerate(sorted(first.items(), key=lambda i: i[1])):
        started = min(since, world.now)
        lifted = world.capped(started + dt.timedelta(days=7)) if level == "sealed" else None
        node = units[unit]
        rows.append((f"CB-A{n + 1:06d}", f"{node.name}", unit, level, level, started,
                     "bench", "lifted" if lifted else "active", started, lifted,
                     node.district_id, node.street_id, node.community_id, node.grid_id))
        areas.append({"level": level, "unit": unit, "started": started, "lifted": lifted})
    insert(RiskArea, ["code", "name", "unit", "level", "designated_level", "level_since",
                      "reason", "status", "started_at", "lifted_at", *PLACED], rows)
    world.sizes["risk_areas"] = len(rows)
    return areas


def make_requests(world: World, areas: list[dict[str, Any]]) -> None:
    """Households of sealed grids ask for goods or medicine while sealed; most are done in
    time, some late, some still open."""
    sealed = {a["unit"]: a for a in areas if a["level"] == "sealed"}
    homes: dict[int, int] = {}
    for index, p in enumerate(world.people):
        if p[4] in sealed and p[5] is not None:
            homes.setdefault(p[5], index)
    rows = []
    for household, index in homes.items():
        if world.rng.random() >= world.shape.request_share:
            continue
        area = sealed[world.people[index][4]]
        end = area["lifted"] or world.now
        at = area["started"] + (end - area["started"]) * world.rng.random()
        urgent = world.rng.random() < 0.2
        deadline = at + dt.timedelta(hours=2 if urgent else 24)
        done = world.capped(at + dt.timedelta(hours=world.rng.uniform(0.5, 30)))
        rows.append((household, world.people[index][0], "medicine" if urgent else "groceries",
                     0 if urgent else 2, deadline, "done" if done else "open", "staff", "",
                     at, done, *world.place(index)))
    insert(SupplyRequest, ["household", "person", "kind", "priority", "deadline", "status",
                           "channel", "client_key", "created_at", "done_at", *PLACED], rows)
    world.sizes["supply_requests"] = len(rows)


def make_tickets(world: World) -> None:
    """Calls growing with the outbreak, routed to the caller's street (5 % unrouted, at the
    city); 4-hour deadline if urgent, 24 hours otherwise; most resolved, some late."""
    n = round(len(world.people) * world.shape.ticket_share)
    rows = []
    for k in range(n):
        index = world.rng.randrange(len(world.people))
        at = world.moment(world.growing_day())
        urgency = world.rng.choice([0, 1, 2, 2, 2])
        resolved = world.capped(at + dt.timedelta(hours=world.rng.uniform(1, 30)))
        routed = world.rng.random() >= 0.05
        place = world.place(index) if routed else (None, None, None, None)
        rows.append((f"CB{k + 1:08d}", "phone", world.rng.choice(CATEGORIES), urgency,
                     "resolved" if resolved else "new", "咨询", routed, "bench", at,
                     at + dt.timedelta(hours=1), at + dt.timedelta(hours=4 if urgency == 0
                                                                  else 24),
                     resolved, "", *place))
    insert(Ticket, ["number", "channel", "category", "urgency", "status", "subject", "routed",
                    "policy_name", "created_at", "respond_by", "resolve_by", "resolved_at",
                    "client_key", *PLACED], rows)
    world.sizes["tickets"] = len(rows)


def make_directives(world: World) -> None:
    """Each day the city HQ issues ``directives_per_day`` directives to every district and
    each district three to its streets; a task is done within 4–40 hours of issue."""
    kids: dict[int, list[AdminUnit]] = {}
    for unit in AdminUnit.objects.filter(level__in=[Level.DISTRICT, Level.STREET]):
        if unit.parent_id is not None:
            kids.setdefault(unit.parent_id, []).append(unit)
    city = AdminUnit.objects.get(level=Level.CITY)
    issuers = [(city, world.shape.directives_per_day)] + [
        (d, 3) for d in AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")]
    plan = [(issuer, world.moment(day)) for day in range(world.shape.days)
            for issuer, per_day in issuers for _ in range(per_day)]
    insert(Directive, ["number", "title", "body", "group", "issuer_unit", "issued_at",
                       "deadline", *PLACED],
           [(f"CB-D{n + 1:06d}", "排查", "排查", "tracing", issuer.pk, at,
             at + dt.timedelta(hours=24), issuer.district_id, issuer.street_id, None, None)
            for n, (issuer, at) in enumerate(plan)])
    ids = dict(Directive.objects.filter(number__startswith="CB-D")
               .values_list("number", "pk"))
    rows = []
    for n, (issuer, at) in enumerate(plan):
        for unit in kids.get(issuer.pk, []):
            done = world.capped(at + dt.timedelta(hours=world.rng.uniform(4, 40)))
            rows.append((ids[f"CB-D{n + 1:06d}"], unit.pk, "done" if done else "issued",
                         at + dt.timedelta(hours=24), done, unit.district_id, unit.street_id,
                         None, None))
    insert(Task, ["directive", "unit", "status", "deadline", "done_at", *PLACED], rows)
    world.sizes |= {"directives": len(plan), "tasks": len(rows)}
