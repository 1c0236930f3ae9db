"""A synthetic cold-chain supply graph for the trace benchmark, written straight into the
tables (bulk): ports → supervised warehouses → (sometimes another warehouse) → wholesale
markets → shops, over 90 days. Per batch: the entry from the port, a transfer between
warehouses for one in ten, a split to 1–3 markets a day or two later, and from each market
to 1–4 shops within two days: about 8 movements a batch, so ``movements / 8`` batches."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

WAREHOUSES, MARKETS, SHOPS = 60, 600, 6000
DAYS = 90


@dataclass
class Graph:
    places: dict[str, list[int]]  # kind → ColdPlace ids
    batches: int
    movements: int
    start: dt.datetime


def _unit(parent: Any, level: int, code: str) -> Any:
    from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level

    unit = AdminUnit(parent=parent, level=level, code=code, name=code, center_lat=39.9,
                     center_lon=116.4)
    if parent is not None:
        unit.place_in(parent)
    unit.save()
    if level != Level.CITY:
        setattr(unit, f"{LEVEL_FIELD[Level(level)]}_id", unit.pk)
        unit.save()
    return unit


def _places(grids: list[Any], now: dt.datetime) -> dict[str, list[int]]:
    from fangkong.coldchain.models import ColdPlace
    from fangkong.registry.models import Venue

    kinds = {"supervised": WAREHOUSES, "market": MARKETS, "shop": SHOPS}
    venues = []
    for kind, n in kinds.items():
        for k in range(n):
            v = Venue(venue_code=f"B{kind[:2]}{k:05d}", type="other", name=f"{kind} {k}")
            v.place_in(grids[k % len(grids)])
            venues.append(v)
    Venue.objects.bulk_create(venues, batch_size=5000)
    by_code = dict(Venue.objects.values_list("venue_code", "pk"))
    rows = []
    for v in venues:
        kind = next(k for k in kinds if v.venue_code.startswith(f"B{k[:2]}"))
        p = ColdPlace(venue_id=by_code[v.venue_code], kind=kind, created_at=now)
        p.district_id, p.street_id = v.district_id, v.street_id
        p.community_id, p.grid_id = v.community_id, v.grid_id
        rows.append(p)
    ColdPlace.objects.bulk_create(rows, batch_size=5000)
    out: dict[str, list[int]] = {k: [] for k in kinds}
    for pk, kind in ColdPlace.objects.values_list("pk", "kind").order_by("pk"):
        out[kind].append(pk)
    return out


def build(*, movements: int, seed: int) -> Graph:
    """Seven districts of one grid each; the places; the batches and their movements."""
    from fangkong.core import clock
    from fangkong.core.models import Level

    now = clock.now()
    city = _unit(None, Level.CITY, "9901")
    grids = []
    for d in range(7):
        district = _unit(city, Level.DISTRICT, f"9901{d:02d}")
        street = _unit(district, Level.STREET, f"9901{d:02d}001")
        community = _unit(street, Level.COMMUNITY, f"9901{d:02d}001001")
        grids.append(_unit(community, Level.GRID, f"9901{d:02d}00100101"))
    places = _places(grids, now)
    start = now - dt.timedelta(days=DAYS + 5)
    batches, moved = _batches(places, rng=random.Random(seed), movements=movements,
                              start=start)
    return Graph(places, batches, moved, start)


def _chain(places: dict[str, list[int]], rng: random.Random,
           arrived: dt.datetime) -> list[tuple[int | None, int, dt.datetime]]:
    hour = dt.timedelta(hours=1)
    w = rng.choice(places["supervised"])
    out: list[tuple[int | None, int, dt.datetime]] = [(None, w, arrived)]
    t = arrived
    if rng.random() < 0.1:
        w2 = rng.choice(places["supervised"])
        if w2 != w:
            t = t + rng.uniform(6, 24) * hour
            out.append((w, w2, t))
            w = w2
    for market in rng.sample(places["market"], rng.randint(1, 3)):
        tm = t + rng.uniform(12, 48) * hour
        out.append((w, market, tm))
        out.extend((market, shop, tm + rng.uniform(2, 48) * hour)
                   for shop in rng.sample(places["shop"], rng.randint(1, 4)))
    return out


def _batches(places: dict[str, list[int]], *, rng: random.Random, movements: int,
             start: dt.datetime) -> tuple[int, int]:
    from django.db import connection

    from fangkong.coldchain.models import Batch, Movement
    from fangkong.core import clock
    from fangkong.core.bulk import insert_rows

    now, n, moved = clock.now(), 0, 0
    columns = ["batch_id", "from_place_id", "to_place_id", "moved_at", "quantity_kg",
               "client_key", "recorded_at", "district_id", "street_id", "community_id",
               "grid_id"]
    place_of = {}
    from fangkong.coldchain.models import ColdPlace

    for pk, d, s, c, g in ColdPlace.objects.values_list("pk", "district_id", "street_id",
                                                         "community_id", "grid_id"):
        place_of[pk] = (d, s, c, g)
    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" \
        else (lambda v: v)
    while moved < movements:
        chunk = [Batch(code=f"BB{n + k:07d}", product="冻品", origin_country="X", port="P",
                       arrived_at=start + dt.timedelta(seconds=rng.uniform(0, DAYS * 86400)),
                       quantity_kg=1000, entry_place_id=places["supervised"][0],
                       recorded_at=now) for k in range(5000)]
        Batch.objects.bulk_create(chunk)
        ids = dict(Batch.objects.filter(code__in=[b.code for b in chunk]).values_list(
            "code", "pk"))
        rows = []
        for b in chunk:
            for src, dst, t in _chain(places, rng, b.arrived_at):
                rows.append((ids[b.code], src, dst, adapt(t), 100, f"bm{moved + len(rows)}",
                             adapt(now), *place_of[dst]))
        insert_rows(table=Movement._meta.db_table, columns=columns, rows=rows)
        n, moved = n + len(chunk), moved + len(rows)
    return n, moved
