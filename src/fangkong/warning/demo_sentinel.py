"""Demo of the sentinel part: a day at the first hospital's fever clinic (residents with and
without fever, some sampled, one visitor not in the registry), then the daily step that puts
untested pharmacy buyers on their grid's list (it opens nothing while the rules in force
have no pharmacy sentinel, as after 3 December 2022). Stored through the real actions, with
fixed client keys: seeding twice stores it once."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.registry.models import Person, Venue, VenueType
from fangkong.warning import clinic, untested

VISITS = 24
FEVERS = ("36.6", "37.0", "37.5", "38.2", "38.9", "39.4")


def seed_sentinel(*, seed: int = 2022) -> dict[str, int]:
    """Visits of the last 24 hours at the first hospital; counts of what was stored."""
    hospital = Venue.objects.filter(type=VenueType.HOSPITAL, grid__isnull=False).order_by(
        "pk").first()
    unit = AdminUnit.objects.filter(pk=hospital.grid_id or 0).first() if hospital else None
    if hospital is None or unit is None:
        return {"visits": 0, "follow_ups": 0, "buyer_follow_ups": 0}
    desk = Actor(user_id=None, username="demo:clinic", unit=unit,
                 rights=frozenset({Right.CLINIC_REPORT}))
    rng = random.Random(seed)
    people = list(Person.objects.filter(district_id=hospital.district_id,
                                        inactive_since__isnull=True).order_by("pk")[:400])
    now, stored, fevers = clock.now(), 0, 0
    for n in range(VISITS):
        when = now - dt.timedelta(minutes=rng.randrange(10, 24 * 60))
        temperature, sampled = rng.choice(FEVERS), rng.random() < 0.5
        who = ({"id_number": rng.choice(people).id_number or ""} if people and n else
               {"name": "外地访客", "phone": "13300000000"})
        result = clinic.do_report_visit(actor=desk, client_key=f"demo-{seed}-{n}",
                                        visited_at=when, temperature=temperature,
                                        sampled=sampled, clinic_id=hospital.pk, **who)
        stored += result.created
        fevers += (result.created and not sampled
                   and Decimal(temperature) >= clinic.fever_line(on=when))
    opened = untested.do_open_buyer_follow_ups(now=now)["opened"]
    return {"visits": stored, "follow_ups": fevers, "buyer_follow_ups": opened}
