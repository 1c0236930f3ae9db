"""Asking for a situation report records it pending and a job fills it: ready with its
figures and both files, or failed with the error (the PDF's font missing); bad input names
its field; a district's officer neither makes nor sees another district's reports; the daily
run makes yesterday's city and district reports once the city's clock passes the hour, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from fangkong.command import report_pdf, reports
from fangkong.command.models import ReportStatus, SituationReport
from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AuditLog
from tests.command.builders_reports import DAY, report_users, seed_figures
from tests.factories import City, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
Capture = Callable[..., Any]


@pytest.fixture
def users(city: City) -> dict[str, User]:
    seed_figures(city)
    return report_users(city)


def _actor(user: User) -> Actor:
    return actor_for(user)


def _request(capture: Capture, user: User, unit_id: int, *, language: str = "en",
             day: dt.date = DAY) -> SituationReport:
    with capture(execute=True):
        report = reports.do_request_report(actor=_actor(user), unit_id=unit_id, day=day,
                                           language=language)
    report.refresh_from_db()
    return report


def test_a_requested_report_is_generated_by_the_job(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture) -> None:
    report = _request(django_capture_on_commit_callbacks, users["commander"], city.unit.pk)
    assert report.status == ReportStatus.READY, report.error
    assert bytes(report.pdf).startswith(b"%PDF-")
    assert bytes(report.xlsx).startswith(b"PK")  # a zip: the workbook
    assert report.figures["unit"]["id"] == city.unit.pk and report.figures["day"] == "2022-05-01"
    assert report.generated_at is not None and report.requested_by == users["commander"]
    verbs = list(AuditLog.objects.filter(target_id=str(report.pk)).order_by("pk")
                 .values_list("verb", "actor_name"))
    assert verbs == [("command.report.request", "commander"),
                     ("command.report.ready", reports.SYSTEM_NAME)]


def test_the_job_runs_once_per_report(city: City, users: dict[str, User],
                                      django_capture_on_commit_callbacks: Capture) -> None:
    report = _request(django_capture_on_commit_callbacks, users["commander"], city.unit.pk)
    again = reports.do_generate_report(report_id=report.pk)
    assert again is not None and again.generated_at == report.generated_at
    assert AuditLog.objects.filter(verb="command.report.ready").count() == 1


def test_a_failure_is_kept_on_the_report_with_its_reason(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A server without a CJK TrueType font: the report fails, saying which package."""
    monkeypatch.setattr(report_pdf, "FONT_CANDIDATES", [("/nonexistent/cjk.ttc", 0)])
    report = _request(django_capture_on_commit_callbacks, users["commander"], city.unit.pk)
    assert report.status == ReportStatus.FAILED
    assert "fonts-wqy-zenhei" in report.error
    assert report.pdf is None and report.xlsx is None and report.figures == {}
    assert AuditLog.objects.filter(verb="command.report.fail", target_id=str(report.pk)).exists()
    with pytest.raises(NotFound):
        reports.report_file(_actor(users["commander"]), report_id=report.pk, kind="pdf")


@pytest.mark.parametrize(("change", "field"), [
    ({"unit": "street"}, "unit_id"),
    ({"day": "tomorrow"}, "day"),
    ({"language": "fr"}, "language"),
])
def test_bad_input_names_its_field_and_records_nothing(
        city: City, users: dict[str, User], change: dict[str, str], field: str) -> None:
    unit = city.unit
    if change.get("unit") == "street":
        unit = city.districts[0].grids[0].parent.parent  # the street
    day = DAY + dt.timedelta(days=3650) if change.get("day") else DAY
    with pytest.raises(DomainError) as err:
        reports.do_request_report(actor=_actor(users["commander"]), unit_id=unit.pk, day=day,
                                  language=change.get("language", "en"))
    assert err.value.field == field
    assert not SituationReport.objects.exists()


def test_a_district_officer_makes_and_sees_only_their_district(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture) -> None:
    d1, d2 = (d.unit for d in city.districts)
    officer1, officer2 = _actor(users["officer1"]), _actor(users["officer2"])
    assert list(reports.report_units(officer2)) == [d2]
    for unit in (city.unit, d1):
        with pytest.raises(NotFound):
            reports.do_request_report(actor=officer2, unit_id=unit.pk, day=DAY, language="en")
    mine = _request(django_capture_on_commit_callbacks, users["officer1"], d1.pk)
    city_report = _request(django_capture_on_commit_callbacks, users["commander"], city.unit.pk)
    assert list(reports.reports_for(officer2)) == []
    assert list(reports.reports_for(officer1)) == [mine]
    assert set(reports.reports_for(_actor(users["commander"]))) == {mine, city_report}
    for report_id in (mine.pk, city_report.pk):
        with pytest.raises(NotFound):
            reports.report_file(officer2, report_id=report_id, kind="pdf")
        with pytest.raises(NotFound):
            reports.report_for(officer2, report_id=report_id)
    assert reports.report_file(officer1, report_id=mine.pk, kind="xlsx")[2].endswith("sheet")


def test_viewing_without_the_right_to_make_one(city: City,
                                               users: dict[str, User]) -> None:
    viewer = make_user("watcher", unit=city.unit, roles=["street_worker"])
    with pytest.raises(PermissionDenied):
        reports.do_request_report(actor=_actor(viewer), unit_id=city.unit.pk, day=DAY,
                                  language="en")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@override_settings(COMMAND_REPORT_HOUR=7, LANGUAGE_CODE="zh-hans")
def test_the_daily_run_makes_yesterdays_reports_once_after_the_hour(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture) -> None:
    morning = DAY + dt.timedelta(days=1)
    assert reports.do_schedule_daily(now=_at(morning, 6, 59)) == []
    assert reports.report_day(_at(morning, 6, 59)) is None
    # 07:05 in Shanghai is 23:05 UTC of the day before: the day is still the city's yesterday
    at = _at(morning, 7, 5)
    assert at.astimezone(dt.UTC).date() == DAY
    with django_capture_on_commit_callbacks(execute=True):
        made = reports.do_schedule_daily(now=at)
    assert sorted(r.unit_id for r in made) == sorted(
        [city.unit.pk, *(d.unit.pk for d in city.districts)])
    rows = SituationReport.objects.all()
    assert {(r.day, r.scheduled, r.language, r.status) for r in rows} == {
        (DAY, True, "zh-hans", ReportStatus.READY)}
    assert all(r.requested_by is None for r in rows)
    assert reports.do_schedule_daily(now=_at(morning, 9)) == []  # once a day
    later = reports.do_schedule_daily(now=_at(morning + dt.timedelta(days=1), 0, 30))
    assert later == []  # 00:30 is before the hour of the next day


@override_settings(COMMAND_REPORT_HOUR=7)
def test_a_hand_made_report_does_not_stop_the_daily_one(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture) -> None:
    _request(django_capture_on_commit_callbacks, users["commander"], city.unit.pk)
    with django_capture_on_commit_callbacks(execute=True):
        made = reports.do_schedule_daily(now=_at(DAY + dt.timedelta(days=1), 8))
    assert len(made) == 3
    assert SituationReport.objects.filter(unit=city.unit, day=DAY).count() == 2  # history


@override_settings(COMMAND_REPORT_HOUR=7)
def test_the_hourly_task_reads_the_city_clock(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fangkong.command import jobs_reports

    morning = DAY + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: _at(morning, 6, 5))
    jobs_reports.daily_reports.call_local()
    assert not SituationReport.objects.exists()
    monkeypatch.setattr(clock, "now", lambda: _at(morning, 7, 5))
    with django_capture_on_commit_callbacks(execute=True):
        jobs_reports.daily_reports.call_local()
    assert SituationReport.objects.filter(day=DAY, status=ReportStatus.READY).count() == 3
