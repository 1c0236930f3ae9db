"""The directive and task pages and the API: a directive issued from the form, a task worked
through its forms (a bad file answered on the form), the scoped download, the supervision
page, and the second district's 404s."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fangkong.command.models import Directive, Evidence, Task, TaskStatus
from fangkong.core import clock
from tests.command.builders_tasks import Cast, issue, task_cast
from tests.factories import City

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def cast(city: City) -> Cast:
    return task_cast(city)


def client_of(cast: Cast, name: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(cast, name))
    return client


def _when(hours: float) -> str:
    return timezone.localtime(clock.now() + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_issue_from_the_form(city: City, cast: Cast) -> None:
    officer = client_of(cast, "officer1")
    page = officer.get("/command/directives/new")
    assert page.status_code == 200 and "Street 1b" in page.content.decode()
    assert str(cast.street_2a.pk) not in [str(c[0]) for c in
                                          page.context["form"].fields["unit_ids"].choices]
    bad = officer.post("/command/directives/new", {
        "title": "入户排查", "group": "community", "deadline": _when(-1),
        "unit_ids": [cast.street_1a.pk]})
    assert bad.status_code == 422 and "must be in the future" in bad.content.decode()
    done = officer.post("/command/directives/new", {
        "title": "入户排查", "group": "community", "deadline": _when(5),
        "all_streets_of": city.districts[0].unit.pk})
    directive = Directive.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/command/directives/{directive.pk}/"
    detail = officer.get(done["Location"]).content.decode()
    assert directive.number in detail and "Street 1b" in detail
    listing = officer.get("/command/directives/").content.decode()
    assert "0 of 2 done, 0 acknowledged" in listing


def test_work_a_task_through_its_forms(cast: Cast) -> None:
    task = issue(cast.actor("officer1"), [cast.street_1a]).tasks.get()
    street = client_of(cast, "street1")
    url = f"/command/tasks/{task.pk}/"
    assert "Acknowledge" in street.get(url).content.decode()
    street.post(f"{url}acknowledge")
    refused = street.post(f"{url}close", {"note": ""})
    assert refused.status_code == 422 and "closed with evidence" in refused.content.decode()
    wrong = street.post(f"{url}evidence", {"file": SimpleUploadedFile("a.exe", b"MZ")})
    assert wrong.status_code == 422 and "allowed files are" in wrong.content.decode()
    street.post(f"{url}progress", {"progress": 60, "note": "过半"})
    street.post(f"{url}evidence", {"note": "", "file": SimpleUploadedFile("回执.pdf", PDF)})
    assert street.post(f"{url}close", {"note": ""}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.progress == 100
    history = street.get(url).content.decode()
    for kind in ("issued", "acknowledged", "progress", "evidence", "done"):
        assert f'data-kind="{kind}"' in history
    file = Evidence.objects.get()
    download = street.get(f"{url}evidence/{file.pk}")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert "%E5%9B%9E%E6%89%A7.pdf" in download["Content-Disposition"]
    other = client_of(cast, "street1b")
    assert other.get(f"{url}evidence/{file.pk}").status_code == 404
    assert other.get(url).status_code == 404
    assert other.post(f"{url}acknowledge").status_code == 404


def test_other_district_sees_nothing(cast: Cast) -> None:
    directive = issue(cast.actor("officer1"), [cast.street_1a])
    task = directive.tasks.get()
    officer2 = client_of(cast, "officer2")
    assert officer2.get(f"/command/directives/{directive.pk}/").status_code == 404
    assert officer2.get(f"/command/tasks/{task.pk}/").status_code == 404
    assert directive.number not in officer2.get("/command/directives/").content.decode()
    assert directive.number not in officer2.get(
        "/command/tasks/?show=below&status=all").content.decode()
    assert officer2.get(f"/api/v1/command/tasks/{task.pk}").status_code == 404
    assert officer2.get(f"/api/v1/command/supervision?unit={cast.street_1a.pk}").status_code == 404


def test_a_street_sees_only_its_tasks(cast: Cast) -> None:
    issue(cast.actor("officer1"), [cast.street_1a, cast.street_1b])
    page = client_of(cast, "street1").get("/command/tasks/?show=below").content.decode()
    assert page.count("全员核酸筛查") == 1
    assert client_of(cast, "street1").get("/command/directives/new").status_code == 403


def test_supervision_page_ranks_and_drills_down(city: City, cast: Cast) -> None:
    start = clock.now() - dt.timedelta(hours=30)
    directive = issue(cast.actor("commander"), [cast.street_1a, cast.street_2a], hours=2,
                      when=start)
    Task.objects.filter(directive=directive, unit=cast.street_2a).update(
        status=TaskStatus.DONE, done_at=start + dt.timedelta(hours=1),
        acknowledged_at=start + dt.timedelta(minutes=30))
    commander = client_of(cast, "commander")
    page = commander.get("/command/supervision/")
    rows = page.context["rows"]
    assert [r.unit for r in rows] == [city.districts[1].unit, city.districts[0].unit]
    assert (rows[0].figures.score, rows[1].figures.score) == (100.0, 0.0)
    assert rows[0].figures.mean_ack_hours == pytest.approx(0.5)
    down = commander.get(f"/command/supervision/?unit={city.districts[0].unit.pk}")
    assert [r.unit for r in down.context["rows"]] == [cast.street_1a, cast.street_1b]
    assert "全员核酸筛查" in down.content.decode()  # in the overdue list
    api = commander.get("/api/v1/command/supervision?sort=score&order=asc").json()
    assert [r["score"] for r in api["rows"]] == [0.0, 100.0]


def test_the_api_way(cast: Cast) -> None:
    officer = client_of(cast, "officer1")
    created = officer.post("/api/v1/command/directives", json.dumps({
        "title": "物资配送", "group": "supply",
        "deadline": (clock.now() + dt.timedelta(hours=3)).isoformat(),
        "unit_ids": [cast.street_1a.pk, cast.street_2a.pk]}), content_type="application/json")
    assert created.status_code == 422 and created.json()["field"] == "unit_ids"
    created = officer.post("/api/v1/command/directives", json.dumps({
        "title": "物资配送", "group": "supply",
        "deadline": (clock.now() + dt.timedelta(hours=3)).isoformat(),
        "unit_ids": [cast.street_1a.pk]}), content_type="application/json")
    assert created.status_code == 201
    task_id = created.json()["task_list"][0]["id"]
    street = client_of(cast, "street1")
    mine = street.get("/api/v1/command/tasks").json()
    assert [t["id"] for t in mine] == [task_id]
    base = f"/api/v1/command/tasks/{task_id}"
    assert street.post(f"{base}/acknowledge").json()["status"] == "acknowledged"
    big = street.post(f"{base}/evidence", {"file": SimpleUploadedFile(
        "x.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024))})
    assert big.status_code == 422 and "larger than 5 MB" in big.json()["detail"]
    added = street.post(f"{base}/evidence", {"note": "已送达120户"}).json()
    assert added["evidence"] == "已送达120户"
    closed = street.post(f"{base}/close", "{}", content_type="application/json").json()
    assert closed["status"] == "done" and [e["kind"] for e in closed["events"]][-1] == "done"
    reopened = officer.post(f"{base}/reopen", json.dumps({"reason": "缺照片"}),
                            content_type="application/json")
    assert reopened.json()["status"] == "in_progress"
    assert street.post(f"{base}/reopen", json.dumps({"reason": "x"}),
                       content_type="application/json").status_code == 403
