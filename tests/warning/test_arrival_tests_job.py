"""The daily job: a result in a test's window marks it done; a passed day without one puts
the arrival on the grid's list once."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.warning import arrivals
from fangkong.warning.jobs_arrivals import do_mark_arrival_tests
from fangkong.warning.models import ArrivalTest, FollowUp
from tests.factories import City
from tests.warning.builders_arrivals import ARRIVED, checkpoint, fields, origin, resulted_sample

pytestmark = pytest.mark.django_db


def test_done_missed_and_idempotent(city: City) -> None:
    person = city.districts[0].persons[0]
    origin(code="WH")
    row = arrivals.do_record_arrival(actor=checkpoint(city), **fields(person, origin="WH")).record
    FollowUp.objects.all().delete()  # the listed one; see that missing a test opens one
    resulted_sample(person, at=ARRIVED + dt.timedelta(hours=2))  # day 1
    resulted_sample(person, at=ARRIVED + dt.timedelta(days=3))  # day 4: counts for no test
    now = ARRIVED + dt.timedelta(days=4)
    result = do_mark_arrival_tests(now=now)
    states = {t.sequence: t.done_at is not None for t in ArrivalTest.objects.filter(record=row)}
    assert states == {1: True, 2: False, 3: False, 4: False, 5: False}
    assert (result.done, result.missed) == (1, 1)
    follow = FollowUp.objects.get(kind="arrival", source_id=row.pk)
    assert "has no result" in follow.summary and follow.grid_id == person.grid_id
    again = do_mark_arrival_tests(now=now)
    assert (again.done, again.missed) == (0, 0) and FollowUp.objects.count() == 1


def test_the_single_test_counts_any_day_up_to_its_deadline(city: City) -> None:
    person = city.districts[0].persons[1]
    row = arrivals.do_record_arrival(actor=checkpoint(city), **fields(person)).record
    resulted_sample(person, at=ARRIVED + dt.timedelta(days=2), result="positive")
    assert do_mark_arrival_tests(now=ARRIVED + dt.timedelta(days=5)).done == 1
    assert ArrivalTest.objects.get(record=row).done_at is not None
    assert not FollowUp.objects.exists()
