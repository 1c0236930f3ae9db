"""Demo of supplies and prices: the demo city's markets and supermarkets report 14 days of
stock and prices through the real intake (one API-style batch a day), each outlet holding its
share of its street's need for 3.5 to 6 days. Two streets run low on grain and vegetables over
the last three days, and one street's meat price jumps by a third on the last two, so the
overview and the alert list have something to show. Fixed client keys: seeding twice on the
same day stores it once."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.utils import timezone

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Venue
from fangkong.supplies.figures import residents
from fangkong.supplies.models import SupplyAlert
from fangkong.supplies.policy import supply_rules
from fangkong.supplies.reports import OUTLET_TYPES
from fangkong.supplies.uploads import do_report_batch

DAYS = 14
PRICES = {"grain": 3.0, "oil": 14.0, "meat": 28.0, "eggs": 10.0, "vegetables": 4.5, "milk": 11.0}
LOW_GOODS = ("grain", "vegetables")


def _rows(*, venues: list[Venue], share: dict[int, float], day: dt.date, back: int,
          story: dict[str, Any], rng: random.Random, seed: int) -> list[dict[str, Any]]:
    rules = supply_rules(on=day)
    rows = []
    for venue in venues:
        for good, need in rules.daily_need.items():
            days = rng.uniform(3.5, 6.0)
            if venue.street_id in story["low"] and good in LOW_GOODS and back < 3:
                days = rng.uniform(0.8, 1.8)
            price = PRICES[good] * rng.uniform(0.97, 1.03)
            if venue.street_id == story["spike"] and good == "meat" and back < 2:
                price *= 1.35
            rows.append({"client_key": f"demo-{seed}-{venue.pk}-{good}-{day}",
                         "venue_id": venue.pk, "good": good, "day": day,
                         "stock": round(need * share[venue.pk] * days, 1),
                         "price": round(price, 2)})
    return rows


def seed_supplies(*, seed: int = 2022) -> dict[str, int]:
    """14 days of reports from every market and supermarket; counts of what was stored."""
    venues = list(Venue.objects.filter(type__in=OUTLET_TYPES, street__isnull=False)
                  .order_by("pk"))
    city = AdminUnit.objects.filter(level=Level.CITY).first()
    if not venues or city is None:
        return {"reports": 0, "outlets": 0, "open_alerts": 0}
    per_street = Counter(v.street_id for v in venues)
    people = residents([s for s in per_street if s is not None])
    share = {v.pk: people.get(v.street_id or 0, 0) / per_street[v.street_id] for v in venues}
    rng = random.Random(seed)
    streets = sorted(s for s in per_street if s is not None and people.get(s))
    picked = rng.sample(streets, min(3, len(streets)))
    story = {"spike": picked[0] if picked else None, "low": set(picked[1:])}
    desk = Actor(user_id=None, username="demo:market", unit=city,
                 rights=frozenset({Right.SUPPLIES_REPORT}))
    today = timezone.localdate(clock.now())
    stored = 0
    for back in range(DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        rows = _rows(venues=venues, share=share, day=day, back=back, story=story, rng=rng,
                     seed=seed)
        for start in range(0, len(rows), 1000):
            answers = do_report_batch(actor=desk, rows=rows[start:start + 1000])
            stored += sum(a["status"] in ("stored", "replaced") for a in answers)
    return {"reports": stored, "outlets": len(venues),
            "open_alerts": SupplyAlert.objects.filter(status="open").count()}
