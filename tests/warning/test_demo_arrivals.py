"""The arrivals demo: origins, a week of arrivals by ``checkpoint1`` (counter and a list with
two bad lines), the test job, residents' own reports; stored once."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core.models import AuditLog
from fangkong.warning.demo_arrivals import EMPTY, LISTED, TYPED, seed_arrivals
from fangkong.warning.models import (
    ArrivalBatch,
    ArrivalRecord,
    ArrivalTest,
    FollowUp,
    RiskOrigin,
    SelfReport,
)
from fangkong.warning.selfreport import TRACERS_MARK
from tests.factories import City, make_user
from tests.warning.builders_arrivals import resulted_sample
from tests.warning.builders_sentinel import SUMMER, move_clock

pytestmark = pytest.mark.django_db


def test_a_week_of_arrivals_today_owes_no_tests_and_is_stored_once(city: City) -> None:
    make_user("checkpoint1", unit=city.unit, roles=["checkpoint"])
    found = seed_arrivals(seed=3)
    assert found["origins"] == RiskOrigin.objects.count() == 2
    assert found["arrivals"] == ArrivalRecord.objects.count() == TYPED + LISTED
    assert 0 < found["unmatched"] == ArrivalRecord.objects.filter(person__isnull=True).count()
    batch = ArrivalBatch.objects.get()
    assert (found["rejected_lines"], batch.rejected, batch.rows) == (2, 2, LISTED + 2)
    assert found["tests"] == 0 == ArrivalTest.objects.count()  # after 3 December 2022
    assert set(AuditLog.objects.filter(verb="warning.arrival.record")
               .values_list("actor_name", flat=True)) == {"checkpoint1"}
    assert found["self_reports"] == SelfReport.objects.count() == 7
    contact = FollowUp.objects.get(kind="self_report", summary__startswith=TRACERS_MARK)
    assert SelfReport.objects.get(pk=contact.source_id).kind == "contact"
    listed = ArrivalRecord.objects.filter(risk_origin__isnull=False)
    assert listed.exists() and FollowUp.objects.filter(
        kind="arrival", source_id__in=listed.values("pk")).count() == listed.count()
    assert seed_arrivals(seed=3) == EMPTY
    assert ArrivalRecord.objects.count() == TYPED + LISTED and SelfReport.objects.count() == 7


def test_under_the_2022_rules_some_tests_are_done_and_some_missed(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    move_clock(monkeypatch, SUMMER)
    for person in city.districts[0].persons:  # district 1 sampled twice this week
        for back in (5, 2):
            resulted_sample(person, at=SUMMER - dt.timedelta(days=back, hours=1))
    found = seed_arrivals(seed=3)
    tests = ArrivalTest.objects.all()
    assert found["tests"] == tests.count() > 0
    assert 0 < found["tests_done"] == tests.filter(done_at__isnull=False).count()
    assert not tests.filter(done_at__isnull=False, person__district=city.districts[1].unit)
    assert 0 < found["tests_missed"] == AuditLog.objects.filter(
        verb="warning.arrival.test_missed").count()
    listed = tests.filter(record__risk_origin__isnull=False).values("record").distinct()
    assert 0 < listed.count() <= tests.values("record").distinct().count()
