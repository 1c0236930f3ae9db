"""The benchmark's city: one district of streets, communities and grids (1,000 residents a
grid), residents with birth dates from an age pyramid close to a Chinese city's (2020 census:
about 19 % aged 60 and over), and their doses as the demo draws them (``demo_vaccination``),
all bulk-inserted (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

PER_GRID = 1_000
GRIDS_PER_COMMUNITY = 5
COMMUNITIES_PER_STREET = 10
# age from, share of residents (sums to 1)
PYRAMID = [(0, 0.03), (3, 0.10), (12, 0.06), (18, 0.62), (60, 0.10), (70, 0.06), (80, 0.03)]


def unit(parent: Any, level: Any, code: str) -> Any:
    from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level

    row = AdminUnit(parent=parent, level=level, code=code, name=code, center_lat=31.5,
                    center_lon=120.3)
    if parent is not None:
        row.place_in(parent)
    row.save()
    if level != Level.CITY:
        setattr(row, f"{LEVEL_FIELD[level]}_id", row.pk)
        row.save()
    return row


def make_tree(residents: int) -> tuple[Any, list[Any]]:
    from fangkong.core.models import Level

    city = unit(None, Level.CITY, "3202")
    district = unit(city, Level.DISTRICT, "320211")
    grids: list[Any] = []
    street = community = None
    for g in range(max(1, residents // PER_GRID)):
        if g % (GRIDS_PER_COMMUNITY * COMMUNITIES_PER_STREET) == 0:
            street = unit(district, Level.STREET, f"320211{len(grids) // 50:03d}")
        if g % GRIDS_PER_COMMUNITY == 0:
            community = unit(street, Level.COMMUNITY, f"{street.code}{g // 5 % 10:03d}")
        grids.append(unit(community, Level.GRID, f"{community.code}{g % 5:02d}"))
    return city, grids


def birth(rng: random.Random, today: dt.date) -> dt.date:
    low = rng.choices([a for a, _s in PYRAMID], weights=[s for _a, s in PYRAMID])[0]
    high = next((a for a, _s in PYRAMID if a > low), 100)
    age_days = rng.randrange(low * 365, high * 365 + 364)
    return today - dt.timedelta(days=age_days)


def load_people(grids: list[Any], residents: int, *, seed: int, today: dt.date) -> float:
    """Insert the residents; seconds taken."""
    from django.db import connection, transaction

    from fangkong.core.bulk import insert_rows
    from fangkong.registry.models import Person

    rng = random.Random(seed)
    began = time.perf_counter()
    cols = ["name", "id_last4", "phone", "phone_last4", "sex", "birth_date", "address",
            "occupation", "over80_alone", "disabled", "pregnant", "chronic_care", "infant",
            "temporary", "purged", "district_id", "street_id", "community_id", "grid_id"]
    pg = connection.vendor == "postgresql"
    rows = []
    for k in range(residents):
        g = grids[k % len(grids)]
        born = birth(rng, today)
        rows.append((f"居民{k}", "", f"139{k:08d}", f"{k % 10000:04d}", "MF"[k % 2],
                     born if pg else born.isoformat(), "", "other", False, False, False,
                     False, False, False, False, g.district_id, g.street_id, g.community_id,
                     g.pk))
    with transaction.atomic():
        for lo in range(0, len(rows), 100_000):
            insert_rows(table=Person._meta.db_table, columns=cols, rows=rows[lo:lo + 100_000])
    return time.perf_counter() - began


def load_doses(*, seed: int, today: dt.date) -> tuple[int, float]:
    """The doses of every resident; (count, seconds)."""
    from django.db import transaction

    from fangkong.core.bulk import insert_rows
    from fangkong.vaccination import demo_vaccination as demo
    from fangkong.vaccination.models import Dose
    from fangkong.vaccination.policy import booster_days_lookup

    began = time.perf_counter()
    rows = demo.dose_rows(demo.residents(), seed=seed, today=today,
                          products=demo.products_by_mix(), lookup=booster_days_lookup())
    with transaction.atomic():
        for lo in range(0, len(rows), 100_000):
            insert_rows(table=Dose._meta.db_table, columns=demo.COLUMNS,
                        rows=rows[lo:lo + 100_000])
    return len(rows), time.perf_counter() - began


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
