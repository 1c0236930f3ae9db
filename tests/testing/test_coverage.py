"""Coverage counts against a brute-force count written apart, on random rounds: random
residents (some inactive, purged or visitors), buildings and households, screening samples,
retests, exemptions (some of people also tested), and samples and exemptions of another
round that must not count. Every unit, building and household total and the untested list
must equal what a plain Python loop over every person finds."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Building, Household, Person
from fangkong.testing import coverage
from fangkong.testing.models import Campaign, CampaignArea, Exemption, Sample, Tube
from tests.testing.builders import TZ, Round

pytestmark = pytest.mark.django_db
REASONS = ["away", "hospital", "quarantine", "case", "other"]


@dataclass(frozen=True)
class Spec:
    grid: int  # 0..3: d1 g1, d1 g2, d2 g1, d2 g2
    home: int | None  # None: no household; else one of the grid's households
    inactive: bool
    temporary: bool
    purged: bool
    sampled: bool
    retest: bool
    exempt: str | None
    elsewhere: bool  # sampled and exempt in another round only


specs = st.builds(Spec, grid=st.integers(0, 3), home=st.none() | st.integers(0, 3),
                  inactive=st.booleans(), temporary=st.booleans(), purged=st.booleans(),
                  sampled=st.booleans(), retest=st.booleans(),
                  exempt=st.none() | st.sampled_from(REASONS), elsewhere=st.booleans())
AREAS = ["both", "d1", "grid21", "d1+grid22", "city"]


def _grids(rnd: Round) -> list[AdminUnit]:
    return [g for d in rnd.city.districts for g in d.grids]


def _set_areas(rnd: Round, choice: str) -> None:
    d1, d2 = rnd.city.districts
    units = {"both": [d1.unit, d2.unit], "d1": [d1.unit], "grid21": [d2.grids[0]],
             "d1+grid22": [d1.unit, d2.grids[1]], "city": [rnd.city.unit]}[choice]
    CampaignArea.objects.filter(campaign=rnd.campaign).delete()
    for unit in units:
        area = CampaignArea(campaign=rnd.campaign, unit=unit)
        area.place_in(unit)
        area.save()


def _homes(rnd: Round) -> dict[int, list[Household]]:
    """Two more buildings per grid, with two households each."""
    homes: dict[int, list[Household]] = {}
    for g, grid in enumerate(_grids(rnd)):
        homes[g] = []
        for b in range(2):
            building = Building(name=f"B{g}{b}", address=f"路{g}-{b}", lat=34.2, lon=108.9)
            building.place_in(grid)
            building.save()
            for h in range(2):
                home = Household(building=building, address=f"路{g}-{b} {h + 1}01")
                home.place_in(grid)
                home.save()
                homes[g].append(home)
    return homes


def _populate(rnd: Round, people: list[Spec], hours: list[int]) -> None:
    start = rnd.campaign.starts_at
    other = Campaign.objects.create(code="R0", name="上一轮", starts_at=start,
                                    ends_at=rnd.campaign.ends_at, created_at=start)
    tube = next(iter(rnd.tubes.values()))[0]
    old_tube = Tube.objects.create(campaign=other, code="OLD-1", capacity=10)
    homes, grids = _homes(rnd), _grids(rnd)
    for n, spec in enumerate(people):
        person = Person(name=f"甲{n}", sex="F", temporary=spec.temporary, purged=spec.purged,
                        inactive_since=dt.date(2022, 1, 1) if spec.inactive else None,
                        household=None if spec.home is None else homes[spec.grid][spec.home])
        person.place_in(grids[spec.grid])
        person.save()
        at = rnd.campaign.starts_at + dt.timedelta(hours=hours[n % len(hours)], minutes=n)
        if spec.sampled:
            _sample(rnd.campaign, tube, person, at, "screening")
        if spec.retest:
            _sample(rnd.campaign, tube, person, at + dt.timedelta(hours=5), "retest")
        if spec.exempt:
            _exempt(rnd.campaign, person, spec.exempt)
        if spec.elsewhere:
            _sample(other, old_tube, person, at, "screening")
            _exempt(other, person, "away")


def _sample(campaign: Campaign, tube: Tube, person: Person, at: dt.datetime, kind: str) -> None:
    sample = Sample(campaign=campaign, tube=tube, person=person, kind=kind, sampled_at=at)
    sample.place_in(person.grid)  # type: ignore[arg-type]
    sample.save()


def _exempt(campaign: Campaign, person: Person, reason: str) -> None:
    exemption = Exemption(campaign=campaign, person=person, reason=reason,
                          created_at=campaign.starts_at)
    exemption.place_in(person.grid)  # type: ignore[arg-type]
    exemption.save()


class Brute:
    """The reference: every person looked at one by one, straight from the definitions."""

    def __init__(self, campaign: Campaign) -> None:
        self.areas = {a.unit_id for a in campaign.areas.all()}
        self.city_wide = any(a.unit.level == 0 for a in campaign.areas.all())
        self.tested = {s.person_id for s in Sample.objects.filter(campaign=campaign,
                                                                  kind="screening")}
        self.exempt = {e.person_id: e.reason for e in Exemption.objects.filter(
            campaign=campaign)}
        self.people = list(Person.objects.select_related("household"))

    def in_areas(self, p: Person) -> bool:
        places = {p.district_id, p.street_id, p.community_id, p.grid_id}
        return self.city_wide or bool(places & self.areas)

    def registered(self, node: AdminUnit) -> list[Person]:
        return [p for p in self.people if self.in_areas(p) and _under(p, node)
                and p.inactive_since is None and not p.temporary and not p.purged]

    def status(self, p: Person) -> str:
        return "tested" if p.pk in self.tested else "exempt" if p.pk in self.exempt else "no"

    def counts(self, people: list[Person]) -> coverage.Counts:
        c = Counter(self.status(p) for p in people)
        return coverage.Counts(len(people), c["tested"], c["exempt"])

    def by(self, node: AdminUnit, key: str) -> dict[int | None, coverage.Counts]:
        groups: dict[int | None, list[Person]] = defaultdict(list)
        for p in self.registered(node):
            home = p.household
            value = {"household": p.household_id, "building": home.building_id if home else None,
                     "child": getattr(p, f"{LEVEL_FIELD[Level(node.level + 1)]}_id", None)
                     if node.level < Level.GRID else None}[key]
            groups[value].append(p)
        return {k: self.counts(v) for k, v in groups.items()}


def _under(p: Person, node: AdminUnit) -> bool:
    return node.level == 0 or node.pk in {p.district_id, p.street_id, p.community_id, p.grid_id}


def _all_untested(campaign: Campaign, actor: Actor, node: AdminUnit) -> list[int]:
    seen, after = [], None
    while True:
        rows, after = coverage.untested(campaign, actor=actor, node=node, after=after, size=3)
        seen += [p.pk for p in rows]
        if after is None:
            return seen


def _check_node(rnd: Round, ref: Brute, actor: Actor, node: AdminUnit) -> None:
    campaign = rnd.campaign
    want = ref.counts(ref.registered(node))
    assert coverage.totals(campaign, actor=actor, node=node) == want
    missing = sorted(p.pk for p in ref.registered(node) if ref.status(p) == "no")
    assert _all_untested(campaign, actor, node) == missing
    reasons = Counter(ref.exempt[p.pk] for p in ref.registered(node) if ref.status(p) == "exempt")
    assert coverage.exempt_by_reason(campaign, actor=actor, node=node) == dict(reasons)
    visitors = [p for p in ref.people if p.temporary and p.pk in ref.tested and _under(p, node)]
    assert coverage.visitors_tested(campaign, actor=actor, node=node) == len(visitors)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(specs, max_size=24), areas=st.sampled_from(AREAS),
       hours=st.lists(st.integers(0, 9), min_size=1, max_size=5))
def test_coverage_matches_brute_force(rnd: Round, people: list[Spec], areas: str,
                                      hours: list[int]) -> None:
    with transaction.atomic():
        _set_areas(rnd, areas)
        _populate(rnd, people, hours)
        _check_round(rnd)
        transaction.set_rollback(True)


def _check_round(rnd: Round) -> None:
    ref = Brute(rnd.campaign)
    admin = actor_for(rnd.users["admin"])
    d1, d2 = rnd.city.districts
    for node in [rnd.city.unit, d1.unit, d2.unit, *_grids(rnd)]:
        _check_node(rnd, ref, admin, node)
    communities = list(AdminUnit.objects.filter(level=Level.COMMUNITY))
    for node in [rnd.city.unit, d1.unit, *communities]:
        rows = coverage.child_rows(rnd.campaign, actor=admin, node=node)
        assert {r.key: r.counts for r in rows if r.counts.registered} == ref.by(node, "child")
    for grid in _grids(rnd):
        got_b = coverage.building_rows(rnd.campaign, actor=admin, grid=grid)
        assert {r.key: r.counts for r in got_b} == ref.by(grid, "building")
        got_h = coverage.household_rows(rnd.campaign, actor=admin, grid=grid)
        assert {r.key: r.counts for r in got_h} == ref.by(grid, "household")
    # the second district's officer, asked about the city, counts only district 2
    officer2 = actor_for(rnd.users["organiser2"])
    assert coverage.totals(rnd.campaign, actor=officer2, node=rnd.city.unit) == ref.counts(
        ref.registered(d2.unit))
    assert set(_all_untested(rnd.campaign, officer2, rnd.city.unit)) <= {
        p.pk for p in ref.people if p.district_id == d2.unit.pk}
    _check_progress(rnd, ref, admin)


def _check_progress(rnd: Round, ref: Brute, actor: Actor) -> None:
    registered = ref.registered(rnd.city.unit)
    hours = coverage.progress(rnd.campaign, actor=actor, node=rnd.city.unit,
                              registered_total=len(registered))
    samples = list(Sample.objects.filter(campaign=rnd.campaign, kind="screening"))
    per_hour = Counter(s.sampled_at.astimezone(TZ).replace(minute=0, second=0) for s in samples)
    assert {h.start: h.samples for h in hours if h.samples} == dict(per_hour)
    assert sum(h.samples for h in hours) == len(samples)
    tested = sum(1 for p in registered if p.pk in ref.tested)
    assert (hours[-1].cumulative if hours else 0) == tested
    if hours:
        assert all(b.start - a.start == dt.timedelta(hours=1) for a, b in itertools.pairwise(hours))


def test_counts_of_the_plain_round(rnd: Round) -> None:
    """No sample yet: 16 residents, none accounted; the percent is 0, not None."""
    admin = actor_for(rnd.users["admin"])
    counts = coverage.totals(rnd.campaign, actor=admin, node=rnd.city.unit)
    assert (counts.registered, counts.accounted, counts.untested) == (16, 0, 16)
    assert counts.percent == 0.0


def test_percent_rounds_down_so_100_means_everyone() -> None:
    assert coverage.percent_down(9999, 10000) == 99.9
    assert coverage.percent_down(9922, 10000) == 99.2
    assert coverage.percent_down(10000, 10000) == 100.0
    assert coverage.percent_down(0, 0) is None


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=300))
def test_spread_matches_numpy(values: list[float]) -> None:
    got = coverage.spread(values)
    want = np.percentile(values, [50, 90, 99])
    assert got.count == len(values)
    for value, expected in zip((got.p50, got.p90, got.p99), want, strict=True):
        assert value == pytest.approx(expected, abs=0.006)


def test_turnaround_steps(rnd: Round) -> None:
    """Each step uses only samples with both ends; hours come from the tube's times."""
    admin = actor_for(rnd.users["admin"])
    persons = rnd.city.districts[0].persons
    start = rnd.campaign.starts_at
    for n, tube in enumerate(rnd.tubes[rnd.sites[0].pk][:2]):
        Tube.objects.filter(pk=tube.pk).update(
            received_at=start + dt.timedelta(hours=2 + n),
            resulted_at=start + dt.timedelta(hours=6 + 2 * n) if n == 0 else None)
        for person in persons[2 * n:2 * n + 2]:
            _sample(rnd.campaign, tube, person, start, "screening")
    Sample.objects.filter(person=persons[0]).update(notified_at=start + dt.timedelta(hours=7))
    steps = coverage.turnaround(rnd.campaign, actor=admin, node=rnd.city.unit).steps
    assert steps["sampled_received"].count == 4
    assert steps["sampled_received"].p50 == 2.5
    assert steps["received_resulted"] == coverage.Spread(2, 4.0, 4.0, 4.0)
    assert steps["resulted_notified"] == coverage.Spread(1, 1.0, 1.0, 1.0)
    assert steps["sampled_notified"] == coverage.Spread(1, 7.0, 7.0, 7.0)
    officer2 = actor_for(rnd.users["organiser2"])
    assert coverage.turnaround(rnd.campaign, actor=officer2, node=rnd.city.unit).steps[
        "sampled_received"].count == 0


def test_node_outside_scope_is_not_found(rnd: Round) -> None:
    from fangkong.core.errors import NotFound

    officer2 = actor_for(rnd.users["organiser2"])
    with pytest.raises(NotFound):
        coverage.coverage_node(officer2, rnd.city.districts[0].unit.pk)
    assert coverage.coverage_node(officer2, None) == rnd.city.districts[1].unit
    nobody = Actor(user_id=None, username="x", unit=None, rights=frozenset(Right))
    with pytest.raises(NotFound):
        coverage.coverage_node(nobody, None)
