"""The state every importer needs to accept a good file, built once per test on the small
city: one user holding every importing role in district 1, a hospital (fever clinic), tubes
received by district 1's lab, cold-chain places with a batch, and the dated rule versions."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from fangkong.coldchain import intake
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.registry.models import Person, Venue
from fangkong.testing.models import Lab, Tube
from tests.factories import City, make_user, small_city
from tests.testing.builders import make_round

RULE_VERSIONS = tuple(f"fangkong.{app}.migrations.0002_policy_versions"
                      for app in ("tracing", "testing", "risk", "quarantine", "healthcode",
                                  "hotline", "warning", "supplies", "coldchain", "vaccination"))
ROLES = ["district_officer", "lab_staff", "pharmacy", "clinic", "cold_store", "vaccinator"]


@dataclass
class World:
    city: City
    user: User
    actor: Actor
    lab: Lab
    tube_codes: list[str]
    persons: list[Person]  # district 1's residents, all with ID numbers
    outlets: list[Venue]  # district 1's markets (supplies outlets)
    cold_codes: tuple[str, str]  # venue codes of the warehouse and the market (cold places)
    cold_batch: str  # a batch at the warehouse, for movements
    grid_code: str
    now: dt.datetime

    def __repr__(self) -> str:  # hypothesis prints the fixture with a failing example
        return "World()"

    def at(self, *, hours_ago: float) -> str:
        """An ISO 8601 time with offset in the city's zone, before the clock."""
        return timezone.localtime(self.now - dt.timedelta(hours=hours_ago)).isoformat()


def seed_rules() -> None:
    """Seeded again: a live-server test elsewhere may have flushed what the migrations did."""
    for module in RULE_VERSIONS:
        importlib.import_module(module).add_versions(apps, None)


def build_world() -> World:
    seed_rules()
    city = small_city(people_per_grid=3)
    d1 = city.districts[0]
    user = make_user("fuzzer", unit=d1.unit, roles=ROLES)
    actor = actor_for(user)
    _hospital(d1.grids[0])
    rnd = make_round(city, tubes_per_site=4)
    now = clock.now()
    tubes = [t for site in rnd.sites[:2] for t in (*rnd.tubes[site.pk], *rnd.singles[site.pk])]
    Tube.objects.filter(pk__in=[t.pk for t in tubes]).update(
        status="received", lab=rnd.labs[0], received_at=now - dt.timedelta(hours=2))
    cold = _cold_chain(actor, d1.venues[0], now=now)
    return World(city=city, user=user, actor=actor, lab=rnd.labs[0],
                 tube_codes=[t.code for t in tubes], persons=list(d1.persons),
                 outlets=list(d1.venues), cold_codes=(cold, d1.venues[0].venue_code),
                 cold_batch="FZ-B0", grid_code=d1.grids[0].code, now=now)


def _hospital(grid: object) -> Venue:
    venue = Venue(venue_code="H-FUZZ", type="hospital", name="第一人民医院发热门诊",
                  address="健康路1号", lat=34.2, lon=108.9)
    venue.place_in(grid)  # type: ignore[arg-type]
    venue.save()
    return venue


def _cold_chain(actor: Actor, market: Venue, *, now: dt.datetime) -> str:
    """A supervised warehouse and the grid's market as cold places; batch FZ-B0 at the
    warehouse since yesterday. Returns the warehouse's venue code."""
    store = Venue(venue_code="W-FUZZ", type="other", name="进口冷链食品集中监管仓")
    store.place_in(market.grid)  # type: ignore[arg-type]
    store.save()
    intake.do_add_place(actor=actor, venue_id=store.pk, kind="supervised")
    intake.do_add_place(actor=actor, venue_id=market.pk, kind="market")
    intake.do_record_batch(actor=actor, code="FZ-B0", product="冻带鱼",
                           origin_country="Ecuador", port="天津港",
                           arrived_at=now - dt.timedelta(days=1), quantity_kg="1000",
                           entry_place=store.venue_code, nat_result="negative")
    return store.venue_code
