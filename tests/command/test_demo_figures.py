"""The demo's figures: rebuilt over the days from the first case to today, and again the same."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

from fangkong.command import queries
from fangkong.command.demo_figures import seed_figures
from fangkong.command.models import Figure
from fangkong.core import clock
from tests.command.builders_figures import make_case, make_ticket
from tests.factories import City


def test_seed_rebuilds_the_demo_days(city: City) -> None:
    cache.clear()
    now = clock.now()
    Figure.objects.all().delete()
    make_case(city.districts[0].persons[0], at=now - dt.timedelta(days=20))
    make_case(city.districts[1].persons[0], at=now)
    make_ticket(None, at=now)
    Figure.objects.all().delete()  # as after a bulk load: nothing computed
    first = seed_figures()
    assert first["days"] == 21 and first["figures"] >= 3
    today = clock.city_today()
    assert queries.snapshot(unit=city.unit, day=today)["cases_in_community"] == 1
    assert queries.snapshot(unit=city.unit, day=today)["tickets_open"] == 1
    old = queries.trend(unit=city.unit, metric="cases_in_community", days=21, until=today)
    assert old[0][1] == 1
    rows = sorted(Figure.objects.values_list("unit_id", "day", "metric", "value"))
    assert seed_figures()["figures"] == first["figures"]
    assert sorted(Figure.objects.values_list("unit_id", "day", "metric", "value")) == rows


def test_an_older_outbreak_is_rebuilt_too(city: City) -> None:
    cache.clear()
    now = clock.now()
    make_case(city.districts[0].persons[0], at=now - dt.timedelta(days=400))
    make_case(city.districts[0].persons[1], at=now - dt.timedelta(days=396))
    make_case(city.districts[1].persons[0], at=now)
    Figure.objects.all().delete()
    counts = seed_figures()
    assert counts["days"] == 90 + 4 + 1 + 14
    then = clock.city_today() - dt.timedelta(days=396)
    assert queries.snapshot(unit=city.unit, day=then)["cases_in_community"] == 1
