"""The demo's reports: yesterday's city and district reports, ready, once."""

from __future__ import annotations

import datetime as dt

from fangkong.command.demo_reports import seed_reports
from fangkong.command.models import ReportStatus, SituationReport
from fangkong.core import clock
from tests.factories import City


def test_yesterdays_reports_are_made_once(city: City) -> None:
    counts = seed_reports()
    assert counts["situation_reports"] == counts["ready"] == 3
    yesterday = clock.city_today() - dt.timedelta(days=1)
    rows = SituationReport.objects.all()
    assert {(r.day, r.status, r.scheduled) for r in rows} == {
        (yesterday, ReportStatus.READY, True)}
    assert {r.unit_id for r in rows} == {city.unit.pk, *(d.unit.pk for d in city.districts)}
    assert seed_reports()["situation_reports"] == 0
    assert SituationReport.objects.count() == 3
