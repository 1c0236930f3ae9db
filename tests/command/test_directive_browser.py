"""A directive in headless Chromium (Debian's): district 1's HQ issues it to its first
street, the street acknowledges it, the server's clock passes the deadline and the job
escalates it (the HQ's supervision page shows it overdue and escalated), the street adds a
file and closes it, and the supervision ranking shows it done late. The other street gets the
not-found page.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fangkong.command.directives import do_escalate_overdue_tasks
from fangkong.command.models import Task, TaskStatus
from fangkong.core import clock
from tests.command.builders_tasks import Cast, task_cast
from tests.factories import City
from tests.web.browser import BROWSER, browser, done, login, shoot  # noqa: F401 (fixture)

pytestmark = BROWSER
PDF = b"%PDF-1.4\n% signed list\n"


@pytest.fixture
def cast(city: City) -> Cast:
    return task_cast(city)


def _issue(page: Any, base: str, cast: Cast) -> str:
    page.goto(f"{base}/command/directives/new")
    page.fill("#directive-form input[name=title]", "重点人员排查")
    page.fill("#directive-form textarea[name=body]", "今晚完成辖区重点人员排查")
    page.select_option("#directive-form select[name=group]", "community")
    deadline = timezone.localtime(clock.now() + dt.timedelta(hours=2))
    page.fill("#directive-form input[name=deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.check(f"#directive-form input[name=unit_ids][value='{cast.street_1a.pk}']")
    page.click("#directive-form button.primary")
    page.wait_for_url(f"{base}/command/directives/*/")
    assert "issued to 1 units" in page.inner_text(".messages")
    number = page.inner_text("h1 .mono")
    assert number.startswith("ZL-") and "issued" in page.inner_text("#tasks")
    shoot(page, "command-directive")
    return number


def _acknowledge(page: Any, base: str, number: str) -> None:
    page.goto(f"{base}/command/tasks/")
    page.click(f"#tasks a:has-text('{number}')")
    page.click("#acknowledge-form button")
    page.wait_for_selector("#progress-form")
    assert "Task acknowledged" in page.inner_text(".messages")
    assert "acknowledged" in page.inner_text("#task-status")


def _close_with_evidence(page: Any) -> None:
    page.reload()
    assert "overdue" in page.inner_text("#task-status")
    page.click("#close-form button.primary")
    page.wait_for_selector("#close-form .field-error")
    assert "closed with evidence" in page.inner_text("#close-form")
    page.set_input_files("#evidence-form input[name=file]", files=[{
        "name": "排查名单.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("#evidence-form button")
    page.wait_for_selector("#files a:has-text('排查名单.pdf')")
    page.fill("#close-form input[name=note]", "已排查 36 户")
    page.click("#close-form button.primary")
    page.wait_for_selector("#history tr[data-kind=done]")
    assert "done" in page.inner_text("#task-status")
    shoot(page, "command-task")


def test_a_directive_goes_from_issue_to_overdue_to_done(
        city: City, cast: Cast, live_server: Any, browser: Any,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    base = live_server.url
    officer = login(browser, base, "officer1")
    number = _issue(officer, base, cast)
    street = login(browser, base, "street1")
    _acknowledge(street, base, number)
    task = Task.objects.get(directive__number=number)
    other = login(browser, base, "street1b")
    assert other.goto(f"{base}/command/tasks/{task.pk}/").status == 404
    done(other)

    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + dt.timedelta(hours=3))
    assert do_escalate_overdue_tasks(now=clock.now()) == {1: 1}
    officer.goto(f"{base}/command/supervision/")
    assert number in officer.inner_text("#list-escalated")
    assert officer.inner_text(f"#ranking tr[data-unit='{cast.street_1a.code}'] td.score") == "0.0"
    shoot(officer, "command-supervision-overdue")

    _close_with_evidence(street)
    done(street)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.escalation_level == 1
    officer.goto(f"{base}/command/supervision/")
    cells = officer.locator(f"#ranking tr[data-unit='{cast.street_1a.code}'] td")
    assert [cells.nth(i).inner_text() for i in (2, 3, 4, 5, 6)] == ["50.0", "1", "0", "1", "0"]
    assert number not in officer.inner_text("#list-escalated")
    shoot(officer, "command-supervision")
    officer.goto(f"{base}/command/directives/")
    assert "1 of 1 done" in officer.inner_text("#directives")
    done(officer)
    connection.close()
