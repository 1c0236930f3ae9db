"""The anomaly demo: 60 days of counts, a rise in one street of the first district that the
real scan finds (one anomaly, one task), the recent sales through the real upload, once."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.command.models import Task
from fangkong.core import clock
from fangkong.core.models import AuditLog
from fangkong.healthcode.models import PersonCode, Purchase
from fangkong.registry.models import Venue
from fangkong.warning.anomaly import daily_counts
from fangkong.warning.demo_anomaly import HISTORY_DAYS, RECENT, RISE_DAYS, seed_anomaly
from fangkong.warning.models import Anomaly, ClinicVisit, FollowUp
from tests.factories import City
from tests.warning.builders_sentinel import SUMMER, hospital, move_clock

pytestmark = pytest.mark.django_db


def pharmacy(city: City, district: int) -> Venue:
    grid = city.districts[district].grids[1]
    venue = Venue(venue_code=f"P{district}", type="pharmacy", name=f"第{district + 1}药店",
                  address="健康路2号", lat=34.2, lon=108.9)
    venue.place_in(grid)
    venue.save()
    return venue


def _venues(city: City) -> None:
    for d in (0, 1):
        hospital(city, d)
        pharmacy(city, d)


def _street(city: City, district: int) -> int:
    street_id = city.districts[district].grids[0].parent.parent_id  # type: ignore[union-attr]
    assert street_id is not None
    return street_id


def test_after_december_2022_the_clinic_visits_rise_and_one_task_is_raised(city: City) -> None:
    _venues(city)
    found = seed_anomaly(seed=2022)
    anomaly = Anomaly.objects.get()
    assert found["anomalies"] == 1 and anomaly.stream == "clinic"
    assert anomaly.street_id == _street(city, 0)
    assert clock.city_today() - dt.timedelta(days=RISE_DAYS) <= anomaly.day < clock.city_today()
    assert Task.objects.filter(unit_id=_street(city, 0)).count() == 1 == Task.objects.count()
    assert found["visits"] == ClinicVisit.objects.count() > 2 * HISTORY_DAYS * 4 * 0.8
    assert found["purchases"] == Purchase.objects.count()
    assert not FollowUp.objects.exists()  # visits sampled at the clinic owe none
    # placed at the visitor's residence, each with its audit row
    assert set(ClinicVisit.objects.values_list("street_id", flat=True)) == {
        _street(city, 0), _street(city, 1)}
    assert AuditLog.objects.filter(verb="warning.clinic.visit").count() == found["visits"]
    again = seed_anomaly(seed=2022)
    assert again == {"purchases": 0, "visits": 0, "scanned_days": 0, "anomalies": 0}
    assert Anomaly.objects.count() == 1 and Task.objects.count() == 1


def test_while_the_sentinel_ran_fever_sales_rise_and_recent_buyers_get_their_code(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    move_clock(monkeypatch, SUMMER)
    _venues(city)
    found = seed_anomaly(seed=5)
    anomaly = Anomaly.objects.get(street_id=_street(city, 0), stream="fever")
    assert found["anomalies"] == Anomaly.objects.count() >= 1
    assert anomaly.observed > 2 * anomaly.expected
    # the rise is only in the target street's fever sales over the last days
    today = clock.city_today()
    counts = daily_counts(stream="fever", street_ids=[_street(city, 0), _street(city, 1)],
                          first=today - dt.timedelta(days=HISTORY_DAYS), last=today)
    rise, base = counts[:, -1 - RISE_DAYS:-1].mean(axis=1), counts[:, :-1 - RISE_DAYS].mean(axis=1)
    assert rise[0] > 2 * base[0] and rise[1] < 2 * base[1]
    recent = Purchase.objects.filter(bought_at__gte=SUMMER - RECENT)
    assert recent.exists() and AuditLog.objects.filter(
        verb="healthcode.purchase.report").count() == Purchase.objects.count()
    buyers = set(recent.values_list("person_id", flat=True))
    flagged = {c.person_id for c in PersonCode.objects.filter(person_id__in=buyers)
               if "test_missing" in c.flags}
    assert flagged == buyers  # the upload recomputed their codes: no test since
