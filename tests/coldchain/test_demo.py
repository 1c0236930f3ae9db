"""The demo seeds a cold chain with one positive sample ready to trace, and seeding twice
stores it once."""

from __future__ import annotations

import datetime as dt

from fangkong.coldchain import trace
from fangkong.coldchain.demo_coldchain import seed_coldchain
from fangkong.coldchain.models import Batch, Movement, PositiveSample
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import Level
from fangkong.core.rights import Right
from fangkong.registry.models import Venue
from tests.factories import City


def test_demo_seeds_a_traceable_chain_once(city: City) -> None:
    for d in city.districts:  # the small city's second venue of each district: a supermarket
        Venue.objects.filter(pk=d.venues[1].pk).update(type="supermarket")
    first = seed_coldchain(seed=1)
    assert first["batches"] == 300 and first["movements"] > 300 and first["samples"] == 1
    count = Movement.objects.count()
    again = seed_coldchain(seed=1)
    assert (again["movements"], again["handlers"], again["samples"]) == (0, 0, 0)
    assert Movement.objects.count() == count and Batch.objects.count() == 300
    sample = PositiveSample.objects.get()
    actor = Actor(user_id=None, username="t", unit=city.unit, rights=frozenset(
        {Right.COLDCHAIN_TRACE, Right.COLDCHAIN_VIEW}))
    assert city.unit.level == Level.CITY
    run = trace.do_run_trace(actor=actor, sample_id=sample.pk)
    assert run.places >= 3 and run.handlers >= 4
    assert sample.sampled_at <= run.run_at + dt.timedelta(seconds=1)
