"""The tracing journey in headless Chromium (Debian's): an investigator registers a case by
searching the registry, records the interview, runs contact detection over a tiny movement
folder of Parquet files, grid and district workers bring the contacts under control row by
row (htmx), a second tracer reviews the drafted risk point before it is published, the
funnel and chain pages show the case, and the second district's officer sees none of it.

Set ``FANGKONG_SCREENSHOTS`` to a folder to keep pictures of the case and chains pages."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.utils import timezone

from fangkong.core.jurisdiction import actor_for
from fangkong.registry.models import Person
from fangkong.tracing.actions_cases import do_link_source, do_register_case
from tests.factories import PASSWORD, City, make_user, small_city
from tests.web.browser import BROWSER
from tests.web.conftest import give_boundaries

TZ = ZoneInfo("Asia/Shanghai")

pytestmark = BROWSER




class World:
    """The city, the people the journey uses, and the times it types into forms."""

    def __init__(self, city: City, result_at: dt.datetime) -> None:
        d1 = city.districts[0]
        self.city = city
        self.index = d1.persons[0]  # grid 1; its household holds persons 1 and 2
        self.second = d1.persons[4]  # grid 2: infected by the index case
        self.met_at_venue = d1.persons[3]  # grid 2, other household: a venue contact
        self.companion = d1.persons[5]  # grid 2: a phone in the same cell
        self.venue = d1.venues[0]
        self.result_at = result_at
        self.sample = result_at.date()
        self.visit = dt.datetime.combine(self.sample - dt.timedelta(days=1), dt.time(9, 0),
                                         tzinfo=TZ)


def _background_cases(city: City) -> None:
    """Earlier cases of the first district in three chains, so the graph has clusters."""
    grid = city.districts[0].grids[1]
    people = [Person(name=f"病例{n:02d}", sex="FM"[n % 2], address="幸福路") for n in range(16)]
    for person in people:
        person.place_in(grid)
    Person.objects.bulk_create(people)
    tracer = actor_for(make_user("history", unit=city.districts[0].unit, roles=["tracer"]))
    day = timezone.localdate() - dt.timedelta(days=6)
    cases = []
    for n, person in enumerate(Person.objects.filter(name__startswith="病例").order_by("pk")):
        when = dt.datetime.combine(day + dt.timedelta(days=n // 4), dt.time(8 + n % 4, 0),
                                   tzinfo=TZ)
        cases.append(do_register_case(
            actor=tracer, person_id=person.pk, classification="asymptomatic" if n % 5 == 2
            else "confirmed", sample_date=when.date(), result_at=when,
            onset_date=None if n % 5 == 2 else when.date() - dt.timedelta(days=1)))
    for child, parent in [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 0), (8, 7), (9, 7),
                          (10, 9), (11, 9), (13, 12), (14, 13)]:
        do_link_source(actor=tracer, case_id=cases[child].pk, source_case_id=cases[parent].pk)


def _movement(root: Path, w: World) -> Path:
    """The index case and two others at the venue, the household, and phone pings where the
    index case and the companion share a cell for half an hour."""
    ts = pa.timestamp("s", tz="UTC")
    minutes = dt.timedelta(minutes=1)
    checkins = [(w.index.pk, w.visit, w.visit + 75 * minutes),
                (w.met_at_venue.pk, w.visit + 20 * minutes, w.visit + 90 * minutes)]
    by_day: dict[dt.date, list[Any]] = defaultdict(list)
    for person, start, end in checkins:
        by_day[start.astimezone(TZ).date()].append((person, start, end))
    (root / "checkins").mkdir(parents=True)
    for day, rows in by_day.items():
        pq.write_table(pa.table({
            "person_id": pa.array([r[0] for r in rows], pa.int64()),
            "venue_id": pa.array([w.venue.pk] * len(rows), pa.int64()),
            "ts": pa.array([r[1] for r in rows], ts), "exit_ts": pa.array([r[2] for r in rows], ts),
            "source": pa.array(["doorbell_code"] * len(rows)),
        }), root / "checkins" / f"day={day.isoformat()}.parquet")
    pings = []
    for k in range(7):  # 12:00–12:30 in one cell for both phones; then home for the case
        at = w.visit + dt.timedelta(hours=3, minutes=5 * k)
        pings += [(w.index.pk, at, 34.2301, 108.9402), (w.companion.pk, at, 34.2302, 108.9403)]
    for k in range(5):
        pings.append((w.index.pk, w.visit + dt.timedelta(hours=8, minutes=10 * k),
                      34.2105, 108.9051))
    (root / "pings").mkdir()
    pq.write_table(pa.table({
        "person_id": pa.array([p[0] for p in pings], pa.int64()),
        "ts": pa.array([p[1] for p in pings], ts),
        "lat": pa.array([p[2] for p in pings], pa.float64()),
        "lon": pa.array([p[3] for p in pings], pa.float64()),
    }), root / "pings" / f"day={w.visit.date().isoformat()}.parquet")
    household = w.city.districts[0].households[0]
    members = [p for p in w.city.districts[0].persons if p.household_id == household.pk]
    pq.write_table(pa.table({
        "person_id": pa.array([p.pk for p in members], pa.int64()),
        "household_id": pa.array([household.pk] * len(members), pa.int64()),
    }), root / "households.parquet")
    return root


@pytest.fixture
def world(transactional_db: None, tmp_path: Path, settings: Any) -> World:
    city = small_city()
    give_boundaries(city)
    make_user("tracer1", unit=city.districts[0].unit, roles=["tracer"])
    make_user("tracer1b", unit=city.districts[0].unit, roles=["tracer"])
    make_user("gridder", unit=city.districts[0].grids[0], roles=["grid_worker"])
    make_user("officer2", unit=city.districts[1].unit, roles=["district_officer"])
    _background_cases(city)
    now = timezone.localtime().replace(second=0, microsecond=0)
    w = World(city, result_at=now - dt.timedelta(hours=3))
    settings.MOVEMENT_DIR = _movement(tmp_path / "movement", w)
    return w


def _login(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def _local(value: dt.datetime, fmt: str = "%Y-%m-%dT%H:%M") -> str:
    return value.astimezone(TZ).strftime(fmt)


def _register(page: Any, base: str, person: Person, w: World) -> int:
    """Register a case through the form, choosing the person by live search."""
    page.goto(f"{base}/tracing/cases/")
    page.click("details.register summary")
    page.fill("input[name=person_q]", person.name)
    page.locator(f"#person-results input[value='{person.pk}']").check()
    page.select_option("select[name=classification]", "confirmed")
    page.fill("input[name=result_at]", _local(w.result_at))
    page.fill("input[name=sample_date]", w.sample.isoformat())
    page.fill("input[name=onset_date]", (w.sample - dt.timedelta(days=1)).isoformat())
    page.click("form[action='/tracing/cases/register'] button.primary")
    page.wait_for_url(re.compile(r".*/tracing/cases/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _control_contacts(page: Any, base: str, *, destination: str) -> int:
    """Assign, notify, locate and transfer every open contact listed (htmx row swaps)."""
    page.goto(f"{base}/tracing/contacts/?status=identified")
    ids = [row.get_attribute("id") for row in page.locator("tbody tr[id^=contact-]").all()]
    for row_id in ids:
        row = page.locator(f"#{row_id}")
        row.locator("button:has-text('分配给我')").click()
        row.locator("strong:has-text('我')").wait_for()
        row.locator("button[value=notified]").click()
        row.locator(".cs-notified").wait_for()
        row.locator("button[value=located]").click()
        row.locator(".cs-located").wait_for()
        row.locator("details.transfer summary").click()
        row.locator("select[name=disposition]").select_option("centralised")
        row.locator("input[name=destination]").fill(destination)
        row.locator("form.transfer button").click()
        row.locator(".cs-transferred").wait_for()
        assert destination in row.inner_text()
    return len(ids)


def _shoot(page: Any, name: str) -> None:
    folder = os.environ.get("FANGKONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_tracing_journey(world: World, live_server: Any, browser: Any) -> None:
    base, w = live_server.url, world
    page = _login(browser, base, "tracer1")
    assert "病例" in page.locator("nav.sidebar").inner_text()
    case_id = _register(page, base, w.index, w)
    assert w.index.name in page.locator("h1").inner_text()

    # the interview: a venue chosen by search, with transport and companions
    page.click("details.entry-form summary")
    page.fill("#entry-form input[name=start]", _local(w.visit - dt.timedelta(minutes=10)))
    page.fill("#entry-form input[name=end]", _local(w.visit + dt.timedelta(minutes=80)))
    page.fill("input[name=venue_q]", w.venue.name[:4])
    page.locator(f"#venue-results input[value='{w.venue.pk}']").check()
    page.fill("#entry-form input[name=transport]", "步行")
    page.fill("#entry-form input[name=companions]", "无")
    page.fill("#entry-form input[name=place]", "菜市场一层蔬菜区")
    page.click("#entry-form button.primary")
    page.wait_for_url(re.compile(rf".*/tracing/cases/{case_id}/#timeline$"))
    assert page.locator(".tl-item.kind-interview").count() == 1
    assert page.locator(".tl-item.kind-checkin").count() >= 1  # from the movement folder
    assert page.locator(".tl-item.kind-ping").count() >= 2

    # contact detection: counts per type and rule, then the contacts table
    page.click("#run-detection")
    page.wait_for_selector("#detection")
    chips = page.locator("#detection .chips").inner_text()
    assert "密切接触者" in chips and "时空伴随者" in chips
    contacts = page.locator("#contacts tbody").inner_text()
    for person in (w.met_at_venue, w.companion, w.city.districts[0].persons[1]):
        assert person.name in contacts

    # isolation and the hospital transfer (应转尽转)
    page.click("summary:has-text('隔离与转运')")
    page.fill("input[name=isolated_at]", _local(w.result_at + dt.timedelta(minutes=40)))
    page.fill("input[name=hospital]", "市第八医院")
    page.fill("input[name=transfer_requested_at]", _local(w.result_at + dt.timedelta(hours=1)))
    page.click("form[action$='/update'] button")
    page.wait_for_url(re.compile(rf".*/tracing/cases/{case_id}/$"))
    assert page.locator(".step.done").count() >= 4

    # a second case, infected by the first
    second_id = _register(page, base, w.second, w)
    page.click("summary:has-text('关联传染源病例')")
    page.fill("input[name=source_case]", f"#{case_id}")
    page.click("form[action$='/source'] button")
    page.wait_for_url(re.compile(rf".*/tracing/cases/{second_id}/$"))
    assert page.locator(f"a[href='/tracing/cases/{case_id}/']").count() >= 1

    # risk point: drafted by this tracer, reviewed by another, then published
    page.goto(f"{base}/tracing/cases/{case_id}/")
    page.click("#risk-points button")
    page.wait_for_selector(".msg.success")
    assert page.locator("#risk-points .rp-draft").count() == 1
    reviewer = _login(browser, base, "tracer1b")
    reviewer.goto(f"{base}/tracing/risk-points/")
    reviewer.click("form[action$='/review'] button")
    reviewer.wait_for_selector(".msg.success")
    page.goto(f"{base}/tracing/risk-points/?status=reviewed")
    page.click("form[action$='/publish'] button")
    page.wait_for_selector(".msg.success")

    # contacts brought under control: the grid worker takes grid 1, the tracer the rest
    gridder = _login(browser, base, "gridder")
    in_grid = _control_contacts(gridder, base, destination="集中隔离点A")
    rest = _control_contacts(page, base, destination="集中隔离点B")
    assert in_grid >= 1 and rest >= 1

    page.goto(f"{base}/tracing/cases/{case_id}/")
    assert page.locator("#contacts .cs-transferred").count() == in_grid + rest
    _shoot(page, "tracing-case.png")

    page.goto(f"{base}/tracing/funnel/")
    page.wait_for_selector("#funnel-steps canvas")
    page.wait_for_selector("body[data-charts-ready='1']")
    row = page.locator("tbody tr", has=page.locator(f"a[href='/tracing/cases/{case_id}/']"))
    assert "是" in row.inner_text()  # under control within 24 hours
    _shoot(page, "tracing-funnel.png")
    page.goto(f"{base}/tracing/contacts/")
    _shoot(page, "tracing-contacts.png")

    page.goto(f"{base}/tracing/chains/")
    page.wait_for_selector("#chain-chart canvas")
    page.wait_for_timeout(2500)  # let the force layout settle before the picture
    table = page.locator("table.grid-table").inner_text()
    assert f"#{case_id}" in table and f"#{second_id}" in table
    _shoot(page, "tracing-chains.png")

    # the public notice: the place and time, never the person
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{base}/public/risk-points/")
    notice = public.content()
    _shoot(public, "tracing-public.png")
    assert w.venue.name in notice and w.index.name not in notice
    assert public.request.get(f"{base}/public/risk-points.json").json()["points"]

    # the second district's officer sees none of it
    other = _login(browser, base, "officer2")
    for url in ("/tracing/cases/", "/tracing/contacts/", "/tracing/funnel/",
                "/tracing/chains/", "/tracing/risk-points/?status=all"):
        other.goto(f"{base}{url}")
        text = other.locator("main").inner_text()
        assert w.index.name not in text and w.second.name not in text, url
        assert f"#{case_id}" not in text, url
    response = other.goto(f"{base}/tracing/cases/{case_id}/")
    assert response is not None and response.status == 404
    api = other.request.get(f"{base}/api/v1/tracing/cases/{case_id}")
    assert api.status == 404
