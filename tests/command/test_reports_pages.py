"""The reports' pages and API: the history lists the scope's reports with their downloads,
the form makes one (the job runs inline here), the downloads answer PDF and XLSX, another
district's report is not found (404) on pages and API alike, and bad input comes back on its
field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from fangkong.command.models import ReportStatus, SituationReport
from fangkong.command.reports import do_generate_report
from tests.command.builders_reports import DAY, report_users, seed_figures
from tests.factories import PASSWORD, City

Capture = Callable[..., Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def users(city: City) -> dict[str, User]:
    seed_figures(city)
    return report_users(city)


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def _make(client: Client, capture: Capture, unit_id: int, day: str = "2022-05-01") -> Any:
    with capture(execute=True):
        return client.post(reverse("command_report_new"),
                           {"unit_id": unit_id, "day": day, "language": "zh-hans"})


def test_the_form_makes_a_report_and_the_list_offers_its_files(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture) -> None:
    client = _client(users["commander"])
    page = client.get(reverse("command_reports"))
    assert page.status_code == 200
    assert b"No reports yet." in page.content and b'id="report-new"' in page.content
    answer = _make(client, django_capture_on_commit_callbacks, city.unit.pk)
    assert answer.status_code == 302
    report = SituationReport.objects.get()
    assert report.status == ReportStatus.READY and report.requested_by == users["commander"]
    page = client.get(reverse("command_reports"))
    html = page.content.decode()
    assert "The report is being made" in html  # the job ran after the view's commit
    assert reverse("command_report_pdf", args=[report.pk]) in html
    assert 'hx-trigger="every 3s"' not in html  # nothing pending: no polling
    pdf = client.get(reverse("command_report_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert "attachment" in pdf["Content-Disposition"]
    xlsx = client.get(reverse("command_report_xlsx", args=[report.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX


def test_bad_input_comes_back_on_its_field(city: City, users: dict[str, User],
                                           django_capture_on_commit_callbacks: Capture) -> None:
    client = _client(users["commander"])
    answer = _make(client, django_capture_on_commit_callbacks, city.unit.pk, day="2999-01-01")
    assert answer.status_code == 422
    assert b"has not come yet" in answer.content
    assert not SituationReport.objects.exists()


def test_another_districts_report_is_not_found(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture) -> None:
    _make(_client(users["officer1"]), django_capture_on_commit_callbacks,
          city.districts[0].unit.pk)
    report = SituationReport.objects.get()
    other = _client(users["officer2"])
    listing = other.get(reverse("command_reports")).content.decode()
    assert f'data-report="{report.pk}"' not in listing
    for name in ("command_report_pdf", "command_report_xlsx"):
        assert other.get(reverse(name, args=[report.pk])).status_code == 404
    assert other.get(f"/api/v1/command/reports/{report.pk}").status_code == 404
    assert other.get(f"/api/v1/command/reports/{report.pk}/pdf").status_code == 404
    assert other.get("/api/v1/command/reports").json() == []
    # and cannot make one for the first district either
    answer = _make(other, django_capture_on_commit_callbacks, city.districts[0].unit.pk)
    assert answer.status_code in (404, 422)
    assert SituationReport.objects.count() == 1


def test_the_api_requests_lists_and_serves_a_report(
        city: City, users: dict[str, User], django_capture_on_commit_callbacks: Capture) -> None:
    client = _client(users["commander"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/api/v1/command/reports", {"unit_id": city.districts[1].unit.pk,
                                                         "day": DAY.isoformat(),
                                                         "language": "en"},
                             content_type="application/json")
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "pending"  # answered before the job ran (after commit)
    got = client.get(f"/api/v1/command/reports/{body['id']}").json()
    assert got["status"] == "ready" and got["pdf_url"].endswith("/pdf")
    pdf = client.get(got["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(got["xlsx_url"])["Content-Type"] == XLSX
    figures = client.get(f"/api/v1/command/reports/{body['id']}/figures").json()
    assert figures["unit"]["id"] == city.districts[1].unit.pk
    listed = client.get("/api/v1/command/reports").json()
    assert [r["id"] for r in listed] == [body["id"]]
    bad = client.post("/api/v1/command/reports", {"unit_id": city.unit.pk, "day": "2999-01-01"},
                      content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "day"


def test_a_viewer_without_the_right_to_make_sees_no_form(city: City,
                                                         users: dict[str, User]) -> None:
    from tests.factories import make_user

    viewer = make_user("street1", unit=city.districts[0].grids[0].parent.parent,
                       roles=["street_worker"])
    client = _client(viewer)
    page = client.get(reverse("command_reports"))
    assert page.status_code == 200 and b'id="report-new"' not in page.content
    assert client.post(reverse("command_report_new"), {}).status_code == 403


def test_a_pending_report_makes_the_rows_poll_until_it_is_done(city: City,
                                                               users: dict[str, User]) -> None:
    client = _client(users["commander"])
    client.post(reverse("command_report_new"),  # the job is queued on commit: not run here
                {"unit_id": city.unit.pk, "day": "2022-05-01", "language": "en"})
    report = SituationReport.objects.get()
    assert report.status == ReportStatus.PENDING
    page = client.get(reverse("command_reports")).content.decode()
    assert 'hx-trigger="every 3s"' in page and "being generated" in page
    rows = client.get(reverse("command_reports") + "?rows=1", HTTP_HX_REQUEST="true")
    assert rows.content.decode().lstrip().startswith('<tbody id="report-rows"')
    do_generate_report(report_id=report.pk)
    rows = client.get(reverse("command_reports") + "?rows=1", HTTP_HX_REQUEST="true")
    html = rows.content.decode()
    assert "hx-trigger" not in html and 'data-status="ready"' in html
