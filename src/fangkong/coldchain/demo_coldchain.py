"""Demo of the cold chain: a supervised warehouse (监管仓) in each of the first three
districts, their markets and supermarkets as cold-chain places, a few hundred imported
frozen batches moved warehouse → markets → shops over the last month, handlers from the
registry at every place, and one positive packaging sample at a shop, ready to trace.
Stored through the real actions with fixed codes and client keys: seeding twice stores it
once."""

from __future__ import annotations

import datetime as dt
import random

from fangkong.coldchain import handlers, intake, trace
from fangkong.coldchain.models import ColdPlace, Movement, PlaceKind, PositiveSample
from fangkong.core import clock
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Person, Venue, VenueType

BATCHES = 300
PRODUCTS = ("冻带鱼", "冻虾仁", "冻牛肉", "冻猪肉", "冻鸡翅", "冻三文鱼")
ORIGINS = (("Ecuador", "天津港"), ("Brazil", "上海港"), ("Argentina", "青岛港"),
           ("Norway", "大连港"), ("New Zealand", "宁波港"))
ROLES = ("porter", "warehouse", "driver", "seller")


def _system() -> Actor:
    city = AdminUnit.objects.get(level=Level.CITY)
    return Actor(user_id=None, username="demo:coldchain", unit=city, rights=frozenset(
        {Right.COLDCHAIN_RECORD, Right.COLDCHAIN_TRACE, Right.COLDCHAIN_VIEW}))


def _place(actor: Actor, venue: Venue, kind: str) -> ColdPlace:
    found = ColdPlace.objects.filter(venue=venue).first()
    return found or intake.do_add_place(actor=actor, venue_id=venue.pk, kind=kind)


def _warehouse(actor: Actor, district: AdminUnit) -> ColdPlace | None:
    grid = AdminUnit.objects.filter(district=district, level=Level.GRID).order_by("pk").first()
    if grid is None:
        return None
    venue = Venue.objects.filter(venue_code=f"CCW{district.code}"[:32]).first()
    if venue is None:
        venue = Venue(venue_code=f"CCW{district.code}"[:32], type=VenueType.OTHER,
                      name=f"{district.name}进口冷链食品集中监管仓", lat=grid.center_lat,
                      lon=grid.center_lon)
        venue.place_in(grid)
        venue.save()
    return _place(actor, venue, PlaceKind.SUPERVISED)


def _network(actor: Actor) -> list[tuple[ColdPlace, list[ColdPlace], list[ColdPlace]]]:
    """Per district: its warehouse, up to 3 markets, up to 6 supermarkets."""
    out = []
    for district in AdminUnit.objects.filter(level=Level.DISTRICT).order_by("pk")[:3]:
        warehouse = _warehouse(actor, district)
        venues = Venue.objects.filter(district=district).order_by("pk")
        markets = [_place(actor, v, PlaceKind.MARKET)
                   for v in venues.filter(type=VenueType.MARKET)[:3]]
        shops = [_place(actor, v, PlaceKind.SHOP)
                 for v in venues.filter(type=VenueType.SUPERMARKET)[:6]]
        if warehouse is not None and markets and shops:
            out.append((warehouse, markets, shops))
    return out


def _code(place: ColdPlace) -> str:
    return place.venue.venue_code


def _batch(actor: Actor, rng: random.Random, n: int, network: list[tuple[
        ColdPlace, list[ColdPlace], list[ColdPlace]]], now: dt.datetime) -> int:
    warehouse, markets, shops = network[n % len(network)]
    origin, port = rng.choice(ORIGINS)
    arrived = now - dt.timedelta(days=rng.uniform(4, 30))
    code = f"DEMO-{n:04d}"
    intake.do_record_batch(actor=actor, code=code, product=rng.choice(PRODUCTS),
                           origin_country=origin, port=port, arrived_at=arrived,
                           quantity_kg=str(rng.randrange(500, 5000)),
                           entry_place=_code(warehouse), nat_certificate=f"NAT{n:06d}",
                           nat_result="negative", disinfection_certificate=f"DIS{n:06d}",
                           disinfected_on=arrived.date(), supervised_checked=True)
    moves = 0
    for k, market in enumerate(rng.sample(markets, k=min(len(markets), rng.randint(1, 2)))):
        at_market = arrived + dt.timedelta(hours=rng.uniform(12, 48))
        moves += _move(actor, code, warehouse, market, at_market, key=f"{code}-m{k}")
        for j, shop in enumerate(rng.sample(shops, k=min(len(shops), rng.randint(1, 3)))):
            at_shop = at_market + dt.timedelta(hours=rng.uniform(6, 36))
            moves += _move(actor, code, market, shop, min(at_shop, now),
                           key=f"{code}-m{k}s{j}")
    return moves


def _move(actor: Actor, code: str, src: ColdPlace, dst: ColdPlace, at: dt.datetime, *,
          key: str) -> int:
    stored = intake.do_record_movement(actor=actor, batch_code=code, from_place=_code(src),
                                       to_place=_code(dst), moved_at=at, quantity_kg="100",
                                       client_key=key)
    return int(stored.created)


def _handlers(actor: Actor, rng: random.Random, places: list[ColdPlace]) -> int:
    added = 0
    for place in places:
        people = list(Person.objects.filter(district_id=place.district_id, purged=False,
                                            id_number__isnull=False).order_by("pk")[:300])
        for person in rng.sample(people, k=min(len(people), 2)):
            try:
                handlers.do_add_handler(actor=actor, place_id=place.pk,
                                        id_number=person.id_number or "",
                                        role=rng.choice(ROLES),
                                        since=clock.city_today() - dt.timedelta(days=60))
            except DomainError:
                continue  # seeded before
            added += 1
    return added


def seed_coldchain(*, seed: int = 2022) -> dict[str, int]:
    """Counts of what was stored (zeros when the city has no markets and supermarkets)."""
    actor, rng, now = _system(), random.Random(seed), clock.now()
    network = _network(actor)
    if not network:
        return {"places": 0, "batches": 0, "movements": 0, "handlers": 0, "samples": 0}
    moves = sum(_batch(actor, rng, n, network, now) for n in range(BATCHES))
    places = [p for w, ms, ss in network for p in (w, *ms, *ss)]
    added = _handlers(actor, rng, places)
    return {"places": len(places), "batches": BATCHES, "movements": moves,
            "handlers": added, "samples": _sample(actor)}


def _sample(actor: Actor) -> int:
    """A positive packaging sample on the first demo batch, at the first shop it reached,
    a day after it arrived there."""
    if PositiveSample.objects.filter(note="demo").exists():
        return 0
    first = Movement.objects.filter(batch__code="DEMO-0000", to_place__kind=PlaceKind.SHOP
                                    ).order_by("moved_at").first()
    if first is None:
        return 0
    trace.do_report_sample(actor=actor, place_id=first.to_place_id, kind="packaging",
                           batch_code="DEMO-0000", note="demo",
                           sampled_at=min(first.moved_at + dt.timedelta(days=1), clock.now()))
    return 1
