"""The screening part of the demo: two rounds on the generated city, built once through the
platform's own actions (labs, plan, slots, tubes, bookings, the tables' batches, exemptions,
boxes, results, holds, retests and cases), each at its moment of a simulated story
(``demo_steps.at``).

* **Round 1** over the first district, 10-in-1, began about 20 hours ago and is done: every
  resident sampled or exempt (100 % accounted for), two pools positive, their members retested
  single-tube, one of each pool positive and a tracing case opened for them.
* **Round 2** over the second district began about 5 hours ago and is running: about 60 % of
  the residents sampled, about half of the tubes resulted, one box lost on the road for more
  than 4 hours (the alert job flags its tubes).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.registry.models import Person
from fangkong.testing import channels, coverage
from fangkong.testing.actions_booking import do_book
from fangkong.testing.actions_campaign import (
    MAX_TUBES,
    do_create_campaign,
    do_issue_tubes,
    do_open_slots,
    do_set_status,
)
from fangkong.testing.actions_exempt import do_add_exemption
from fangkong.testing.actions_sampling import single_tube_reasons
from fangkong.testing.demo_steps import (
    FilledTube,
    SiteWork,
    Swab,
    at,
    carry_site,
    fill_tubes,
    received_by_lab,
    report,
    send_batches,
)
from fangkong.testing.labs import do_register_lab
from fangkong.testing.models import Campaign, Hold, Lab, Sample, Site, Slot, Tube, TubeResult
from fangkong.testing.planner import do_apply_plan
from fangkong.testing.policy import campaign_policy
from fangkong.testing.tasks import do_check_alerts
from fangkong.tracing.models import Case, CaseOrigin

POOL = 10
EXEMPT_SHARE = 0.005  # away from the city or in hospital
BOOKINGS = 300
POSITIVE_POOLS = 2
ROUND2_SHARE = 0.6
RUN_R1, RUN_R2 = dt.timedelta(hours=2), dt.timedelta(hours=1)  # courier runs
LAB_RATE = 200  # tubes an hour per district lab
PERSON_FIELDS = ("pk", "id_number", "district_id", "street_id", "community_id", "grid_id",
                 "birth_date", "disabled", "pregnant", "infant", "over80_alone",
                 "chronic_care")


@dataclass
class Cast:
    """Who does what in the story."""

    admin: Actor  # registers labs, runs round 2, samples and carries (holds every right)
    organiser: Actor  # the first district's officer: runs round 1
    lab: Actor  # lab staff at the city: receives boxes and imports results
    rnd: random.Random


def seed_demo_screening(*, admin: Actor, organiser: Actor, lab: Actor,
                        seed: int = 2022) -> dict[str, int]:
    """Build the demo's labs and two rounds once (nothing when a campaign exists)."""
    started = time.monotonic()
    if not Campaign.objects.exists():
        districts = list(AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[:2])
        if len(districts) < 2:
            raise LookupError("the screening demo needs two districts")
        cast = Cast(admin=admin, organiser=organiser, lab=lab, rnd=random.Random(seed))
        with transaction.atomic():  # all or nothing: a failed seed is tried again next time
            _story(cast, districts, clock.now())
    return {**screening_counts(), "seconds": round(time.monotonic() - started)}


def _story(cast: Cast, districts: list[AdminUnit], now: dt.datetime) -> None:
    with at(now - dt.timedelta(hours=23)):
        for n, district in enumerate(
                AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code"), start=1):
            do_register_lab(actor=cast.admin, code=f"LAB{n:02d}", tubes_per_hour=LAB_RATE,
                            name=f"{district.name}核酸检测实验室", unit_id=district.pk)
    _round_one(cast, districts[0], now)
    _round_two(cast, districts[1], now)
    with at(now):
        do_check_alerts(now=now)


def screening_counts() -> dict[str, int]:
    return {"campaigns": Campaign.objects.count(), "labs": Lab.objects.count(),
            "sites": Site.objects.count(), "samples": Sample.objects.count(),
            "tubes": Tube.objects.count(),
            "positives": Tube.objects.filter(result=TubeResult.POSITIVE).count(),
            "holds": Hold.objects.count(),
            "cases": Case.objects.filter(origin=CaseOrigin.RESULT).count()}


# ------------------------------------------------------------------ round 1: done


def _round_one(cast: Cast, district: AdminUnit, now: dt.datetime) -> None:
    start = (now - dt.timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    campaign, sites = _open_round(cast.organiser, district, "R1", 1, start)
    residents = _residents(campaign, district)
    exempt = _exempt_choice(cast.rnd, residents)
    works = _sample(cast, cast.organiser, campaign, sites,
                    [p for p in residents if p.pk not in exempt], share=1.0,
                    until=sites[0].closes_at, every=RUN_R1, book=True)
    with at(start + dt.timedelta(hours=5)):
        for n, person_id in enumerate(sorted(exempt)):
            do_add_exemption(actor=cast.organiser, campaign_id=campaign.pk,
                             person_id=person_id, reason="away" if n % 3 else "hospital")
    positive = _positive_pools(cast.rnd, works)
    last = _carry_and_report(cast, campaign, works, positive, start)
    done = _retest(cast, campaign, works, positive, last + dt.timedelta(minutes=30))
    with at(done + dt.timedelta(hours=1)):
        do_set_status(actor=cast.organiser, campaign_id=campaign.pk, act="close")
    counts = coverage.totals(campaign, actor=cast.admin, node=district)
    assert counts.registered and counts.untested == 0, counts


def _open_round(actor: Actor, district: AdminUnit, code: str, n: int,
                start: dt.datetime) -> tuple[Campaign, list[Site]]:
    """Created and planned two hours before it starts, slots opened (started later)."""
    with at(start - dt.timedelta(hours=2)):
        campaign = do_create_campaign(
            actor=actor, code=code, name=f"第{n}轮区域核酸（{district.name}）", starts_at=start,
            ends_at=start + dt.timedelta(hours=24), areas={district.pk: POOL})
        do_apply_plan(actor=actor, campaign_id=campaign.pk)
        sites = list(Site.objects.filter(campaign=campaign).order_by("code"))
        for site in sites:
            do_open_slots(actor=actor, site_id=site.pk)
    return campaign, sites


def _residents(campaign: Campaign, district: AdminUnit) -> list[Person]:
    return list(Person.objects.filter(coverage.registered_q(campaign), district_id=district.pk)
                .only(*PERSON_FIELDS).order_by("pk"))


def _exempt_choice(rnd: random.Random, residents: list[Person]) -> set[int]:
    """Residents without an ID number (nothing to scan) and about 0.5 % at random."""
    with_id = [p.pk for p in residents if p.id_number]
    chosen = set(rnd.sample(with_id, round(len(with_id) * EXEMPT_SHARE)))
    return chosen | {p.pk for p in residents if not p.id_number}


def _sample(cast: Cast, actor: Actor, campaign: Campaign, sites: list[Site],
            people: list[Person], *, share: float, until: dt.datetime, every: dt.timedelta,
            book: bool) -> list[SiteWork]:
    """Deal ``share`` of the people to their grid's sites, issue the tubes, book a few
    hundred, start the round and send the tables' batches."""
    cast.rnd.shuffle(people)
    people = sorted(people[:round(len(people) * share)], key=lambda p: p.pk)
    dealt = _deal(sites, people)
    plans = []
    with at(campaign.starts_at - dt.timedelta(hours=1)):
        for site in sites:
            swabs = _swabs(cast.rnd, site, dealt[site.pk], until)
            plans.append(_issue(actor, site, swabs, _pickups(site, every)))
        if book:
            _book(cast, actor, campaign, [w for w in plans if w.tubes])
    with at(campaign.starts_at):
        do_set_status(actor=actor, campaign_id=campaign.pk, act="start")
    for work in plans:
        send_batches(actor=cast.admin, work=work, key=campaign.code, device="demo-pad")
    return plans


def _deal(sites: list[Site], people: list[Person]) -> dict[int, list[Person]]:
    """Each resident to a site of their grid, round-robin (else the first site)."""
    by_grid: dict[int | None, list[Site]] = defaultdict(list)
    for site in sites:
        by_grid[site.grid_id].append(site)
    dealt: dict[int, list[Person]] = {s.pk: [] for s in sites}
    turn: dict[int | None, int] = defaultdict(int)
    for person in people:
        options = by_grid.get(person.grid_id) or sites[:1]
        dealt[options[turn[person.grid_id] % len(options)].pk].append(person)
        turn[person.grid_id] += 1
    return dealt


def _swabs(rnd: random.Random, site: Site, people: list[Person],
           until: dt.datetime) -> list[Swab]:
    """Times spread evenly over the opening hours (to ``until``), lanes from the rules."""
    rnd.shuffle(people)
    begin = site.opens_at + dt.timedelta(minutes=3)
    span = (min(site.closes_at, until) - begin).total_seconds() - 300
    day = timezone.localdate(site.opens_at)
    swabs = []
    for k, person in enumerate(people):
        lane = ("door" if channels.on_door_list(person)
                else "green" if site.green_channel and channels.green_channel(person, on=day)
                else "site")
        swabs.append(Swab(person, begin + dt.timedelta(seconds=span * k / max(len(people), 1)),
                          lane))
    return swabs


def _issue(actor: Actor, site: Site, swabs: list[Swab],
           pickups: list[dt.datetime]) -> SiteWork:
    """Pooled tubes for the site's swabs (one more per courier run, as tubes are sealed
    before each run) and single tubes for open contacts; then the tubes filled."""
    single = set(single_tube_reasons(campaign_id=site.campaign_id,
                                     persons=[s.person for s in swabs]))
    pooled = sum(1 for s in swabs if s.person.pk not in single)
    pooled_count = math.ceil(pooled / POOL) + len(pickups) if pooled else 0
    codes: dict[int, list[str]] = {POOL: [], 1: []}
    for capacity, wanted in ((POOL, pooled_count), (1, len(single))):
        for first in range(0, wanted, MAX_TUBES):
            made = do_issue_tubes(actor=actor, site_id=site.pk, capacity=capacity,
                                  count=min(wanted - first, MAX_TUBES))
            codes[capacity] += [t.code for t in made]
    return fill_tubes(site, swabs, codes=(codes[POOL], codes[1]), single_pks=single,
                      size=POOL, pickups=pickups)


def _book(cast: Cast, actor: Actor, campaign: Campaign, works: list[SiteWork]) -> None:
    """A few hundred residents booked by staff into the slot in which they come."""
    slots: dict[int, list[Slot]] = defaultdict(list)
    for slot in Slot.objects.filter(site__campaign=campaign).order_by("starts_at"):
        slots[slot.site_id].append(slot)
    swabs = [(w.site.pk, s) for w in works for t in w.tubes for s in t.swabs]
    for site_id, swab in cast.rnd.sample(swabs, min(BOOKINGS, len(swabs))):
        found = next((s for s in slots[site_id] if s.starts_at <= swab.at < s.ends_at), None)
        if found is not None:
            do_book(actor=actor, campaign_id=campaign.pk, person_id=swab.person.pk,
                    slot_id=found.pk)


def _positive_pools(rnd: random.Random, works: list[SiteWork]) -> dict[str, int]:
    """Two pooled tubes with no tracing case among their members → the one truly infected."""
    cases = set(Case.objects.values_list("person_id", flat=True))
    pools = sorted((t for w in works for t in w.tubes if len(t.swabs) > 1
                    and not {s.person.pk for s in t.swabs} & cases), key=lambda t: t.code)
    chosen = rnd.sample(pools, min(POSITIVE_POOLS, len(pools)))
    return {t.code: rnd.choice(t.swabs).person.pk for t in chosen}


def _pickups(site: Site, every: dt.timedelta) -> list[dt.datetime]:
    times, at_ = [], site.opens_at + every
    while at_ < site.closes_at:
        times.append(at_)
        at_ += every
    return [*times, site.closes_at + dt.timedelta(minutes=15)]


def _carry_and_report(cast: Cast, campaign: Campaign, works: list[SiteWork],
                      positive: dict[str, int], start: dt.datetime) -> dt.datetime:
    """Courier runs every two hours; each run received 45 min later and resulted 3.5 h
    after that. Returns the time of the last result file."""
    per_box = campaign_policy(campaign).tubes_per_box
    pickups = _pickups(works[0].site, RUN_R1)
    when = start
    for n, pickup in enumerate(pickups, start=1):
        receipt = pickup + dt.timedelta(minutes=45)
        for work in works:
            carry_site(sampler=cast.admin, lab=cast.lab, work=work, key=campaign.code,
                       windows=[(pickup, receipt)], per_box=per_box, first=n)
        when = receipt + dt.timedelta(hours=3, minutes=30)
        for lab_id, codes in received_by_lab(campaign.pk).items():
            report(lab=cast.lab, lab_id=lab_id, key=f"demo-{campaign.code}-{lab_id}-{n}",
                   outcome={c: "positive" if c in positive else "negative" for c in codes},
                   when=when)
    return when


def _retest(cast: Cast, campaign: Campaign, works: list[SiteWork], positive: dict[str, int],
            when: dt.datetime) -> dt.datetime:
    """Retest tubes for the held members at each positive pool's site, swabbed at home an
    hour later, carried, and resulted: the infected member positive, the rest negative.
    Returns the time of the last result."""
    truly = set(positive.values())
    last = when
    per_box = campaign_policy(campaign).tubes_per_box
    for work in works:
        pools = [t for t in work.tubes if t.code in positive]
        held = [s.person for t in pools for s in t.swabs]
        if not held:
            continue
        with at(when):
            codes = [t.code for t in do_issue_tubes(actor=cast.organiser, site_id=work.site.pk,
                                                    count=len(held), capacity=1,
                                                    kind="retest")]
        swab_at = when + dt.timedelta(hours=1)
        retest = SiteWork(site=work.site, tubes=[
            FilledTube(code, [Swab(person, swab_at + dt.timedelta(minutes=3 * k), "door")],
                       swab_at + dt.timedelta(minutes=3 * k + 1))
            for k, (code, person) in enumerate(zip(codes, held, strict=True))])
        send_batches(actor=cast.admin, work=retest, key=f"{campaign.code}-retest",
                     device="demo-retest")
        pickup = swab_at + dt.timedelta(hours=1)
        carry_site(sampler=cast.admin, lab=cast.lab, work=retest, key=f"{campaign.code}R",
                   windows=[(pickup, pickup + dt.timedelta(minutes=45))], per_box=per_box)
        for lab_id, found in received_by_lab(campaign.pk, kind="retest").items():
            outcome = {t.code: "positive" if t.swabs[0].person.pk in truly else "negative"
                       for t in retest.tubes if t.code in found}
            if outcome:
                last = pickup + dt.timedelta(hours=4)
                report(lab=cast.lab, lab_id=lab_id, outcome=outcome, when=last,
                       key=f"demo-{campaign.code}-retest-{work.site.code}")
    return last


# ------------------------------------------------------------------ round 2: running


def _round_two(cast: Cast, district: AdminUnit, now: dt.datetime) -> None:
    """Started about 5 h ago; about 60 % sampled so far; the first three hourly courier runs
    received and resulted (but one box lost on the road), the fourth in transit."""
    start = (now - dt.timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    campaign, sites = _open_round(cast.admin, district, "R2", 2, start)
    works = _sample(cast, cast.admin, campaign, sites, _residents(campaign, district),
                    share=ROUND2_SHARE, until=now - dt.timedelta(minutes=10), every=RUN_R2,
                    book=False)
    per_box = campaign_policy(campaign).tubes_per_box
    hour = dt.timedelta(hours=1)
    pickup = start + hour - dt.timedelta(minutes=2)
    busiest = max(works, key=lambda w: sum(1 for t in w.tubes if t.sealed_at <= pickup))
    for work in works:
        lost = work is busiest  # its first box never reaches the lab
        windows: list[tuple[dt.datetime, dt.datetime | None]] = [
            (start + hour, None if lost else start + hour * 1.75),
            (start + 2 * hour, start + hour * 2.75),
            (start + 3 * hour, start + hour * 3.75),
            (start + 4 * hour, None)]
        carry_site(sampler=cast.admin, lab=cast.lab, work=work, key=campaign.code,
                   windows=windows, per_box=per_box)
    for lab_id, codes in received_by_lab(campaign.pk).items():
        report(lab=cast.lab, lab_id=lab_id, key=f"demo-{campaign.code}-{lab_id}",
               outcome=dict.fromkeys(codes, "negative"), when=now - dt.timedelta(minutes=10))
