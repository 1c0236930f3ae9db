"""A small cold chain over the two-district city, built with the real actions.

District 1: a supervised warehouse W (grid 1), the market M (grid 1's market venue) and a
shop S1 (grid 2's market venue). District 2: a shop S2. Batch B1 enters W, is split to M and
to S2 a day later, and M passes some to S1; B2 sits in W with B1; B3 reaches W after B1
left. Handlers work at W, M, S1 and S2."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fangkong.coldchain import handlers, intake
from fangkong.coldchain.models import Batch, ColdPlace, Handler
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.registry.models import Venue
from tests.factories import City, make_user


@dataclass
class Chain:
    t0: dt.datetime
    w: ColdPlace
    m: ColdPlace
    s1: ColdPlace
    s2: ColdPlace
    b1: Batch
    b2: Batch
    b3: Batch
    handlers: dict[str, Handler]
    actors: dict[str, Actor]


def users(city: City) -> dict[str, Actor]:
    d1, d2 = city.districts
    built = {
        "store1": make_user("store1", unit=d1.unit, roles=["cold_store"]),
        "store2": make_user("store2", unit=d2.unit, roles=["cold_store"]),
        "tracer1": make_user("tracer1", unit=d1.unit, roles=["tracer"]),
        "tracer1b": make_user("tracer1b", unit=d1.unit, roles=["tracer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "admin": make_user("admin", unit=city.unit, roles=["city_admin"]),
        "viewer": make_user("viewer", unit=city.unit, roles=["viewer"]),
    }
    return {name: actor_for(user) for name, user in built.items()}


def _warehouse(city: City) -> Venue:
    grid = city.districts[0].grids[0]
    venue = Venue(venue_code="W000001", type="other", name="第1区进口冷链食品集中监管仓")
    venue.place_in(grid)
    venue.save()
    return venue


def batch(store: Actor, code: str, *, at: dt.datetime, place: str = "W000001") -> Batch:
    return intake.do_record_batch(
        actor=store, code=code, product="冻带鱼", origin_country="Ecuador", port="天津港",
        arrived_at=at, quantity_kg="1000", entry_place=place, nat_certificate="NAT-" + code,
        nat_result="negative", disinfection_certificate="DIS-" + code,
        disinfected_on=at.date(), supervised_checked=True).row


def move(actor: Actor, code: str, src: str, dst: str, at: dt.datetime, *, key: str) -> None:
    intake.do_record_movement(actor=actor, batch_code=code, from_place=src, to_place=dst,
                              moved_at=at, quantity_kg="100", client_key=key)


def chain(city: City) -> Chain:
    actors = users(city)
    d1, d2 = city.districts
    store1, store2 = actors["store1"], actors["store2"]
    w = intake.do_add_place(actor=store1, venue_id=_warehouse(city).pk, kind="supervised")
    m = intake.do_add_place(actor=store1, venue_id=d1.venues[0].pk, kind="market")
    s1 = intake.do_add_place(actor=store1, venue_id=d1.venues[1].pk, kind="shop")
    s2 = intake.do_add_place(actor=store2, venue_id=d2.venues[0].pk, kind="shop")
    t0 = clock.now() - dt.timedelta(days=10)
    b1 = batch(store1, "B1", at=t0)
    b2 = batch(store1, "B2", at=t0 + dt.timedelta(hours=12))
    day = dt.timedelta(days=1)
    codes = {p: p.venue.venue_code for p in (w, m, s1, s2)}
    move(store1, "B1", codes[w], codes[m], t0 + day, key="k1")
    move(store1, "B1", codes[w], codes[s2], t0 + day, key="k2")
    move(store1, "B1", codes[m], codes[s1], t0 + 2 * day, key="k3")
    move(store1, "B2", codes[w], codes[m], t0 + 4 * day, key="k4")
    b3 = batch(store1, "B3", at=t0 + 5 * day)
    staff = {"w": (w, d1.persons[0]), "m": (m, d1.persons[1]), "s1": (s1, d1.persons[4]),
             "s2": (s2, d2.persons[0])}
    hs = {}
    for name, (place, person) in staff.items():
        owner = store2 if place is s2 else store1
        hs[name] = handlers.do_add_handler(actor=owner, place_id=place.pk,
                                           id_number=person.id_number or "",
                                           role="porter", since=t0.date())
    return Chain(t0, w, m, s1, s2, b1, b2, b3, hs, actors)
