"""The dashboard's issue-11 tiles and table columns on the page and in the API, a dose
reaching the page through the sweep, and the latest-scenarios panel: only finished scenarios
of the viewer's scope, none of another district's, and no panel without ``simulation.view``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fangkong.core import clock
from tests.command.builders_figures import NOON, dashboard_users, street_of
from tests.command.builders_supplies import (
    bulk_doses,
    make_age,
    make_alert,
    make_positive,
    make_scenario,
)
from tests.factories import City

Capture = Callable[..., AbstractContextManager[Any]]
EN = {"accept-language": "en"}
URL, LIVE, API = "/command/", "/command/dashboard/live/", "/api/v1/command/dashboard"
HOUR = dt.timedelta(hours=1)
NOW = NOON + 6 * HOUR
SHARE = {"value": 0.42, "low": 0.353, "high": 0.489}
ATTACK = {"mean": 0.0123, "low": 0.011, "high": 0.0136}


@pytest.fixture(autouse=True)
def evening(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(city: City, django_capture_on_commit_callbacks: Capture) -> dict[str, Any]:
    users = dashboard_users(city)
    d1, d2 = city.districts
    with django_capture_on_commit_callbacks(execute=True):
        make_alert(street_of(d1.grids[0]), at=NOON)
        make_alert(street_of(d1.grids[0]), at=NOON, good="milk", acknowledged_at=NOON + HOUR)
        make_positive(d1.venues[0], at=NOON)
        for person in d1.persons[:2]:
            make_age(person, age=68, on=NOON.date())
    bulk_doses(d1.persons[0], counts=[1, 2], on=[NOON.date() - dt.timedelta(days=30),
                                                  NOON.date()], recorded_at=NOW)
    scenarios = {
        "city": make_scenario(city.unit, name="全市基线", at=NOON - 3 * HOUR, summary={
            "controlled": SHARE}),
        "d1": make_scenario(d1.unit, name="一区 追踪80%", at=NOON - 2 * HOUR, summary={
            "controlled": SHARE}),
        "d1_agents": make_scenario(d1.unit, name="一区 城市模型", at=NOON - HOUR,
                                   model="agents", summary={"attack_rate": ATTACK}),
        "d1_queued": make_scenario(d1.unit, name="一区 排队中", at=NOON, status="queued"),
        "d2": make_scenario(d2.unit, name="二区 十混一", at=NOON - HOUR, summary={
            "controlled": SHARE}),
    }
    return {"users": users, "city": city, "d1": d1.unit, "d2": d2.unit,
            "scenarios": scenarios}


def client_for(world: dict[str, Any], name: str) -> Client:
    client = Client()
    client.force_login(world["users"][name])
    return client


def tile_value(html: str, metric: str) -> str:
    return html.split(f'id="tile-{metric}"')[1].split('data-value="')[1].split('"', maxsplit=1)[0]


def test_the_city_page_shows_the_new_tiles_and_columns(world: dict[str, Any]) -> None:
    html = client_for(world, "commander").get(URL, headers=EN).content.decode()
    assert tile_value(html, "supply_alerts_open") == "2"
    assert tile_value(html, "supply_alerts_new") == "1"
    assert tile_value(html, "coldchain_positive") == "1"
    assert tile_value(html, "elderly_vaccinated") == "1"  # the dose found by the page's sweep
    assert tile_value(html, "elderly_residents") == "2"
    assert "of 2 · 50.0 %" in html.split('id="tile-elderly_vaccinated"')[1].split("</div>")[0]
    row = html.split(f'data-unit="{world["d1"].pk}"')[1].split("</tr>")[0]
    assert ">2 (1)</td>" in row and ">1 / 2</td>" in row
    assert "Elderly fully vaccinated" in html and "absent" not in html


def test_the_other_district_sees_none_of_the_first(world: dict[str, Any]) -> None:
    client = client_for(world, "officer2")
    values = {m["name"]: m["value"] for m in client.get(API).json()["metrics"]}
    for metric in ("supply_alerts_open", "coldchain_positive", "elderly_vaccinated",
                   "elderly_residents"):
        assert values[metric] == 0
    assert client.get(API, {"unit": world["d1"].pk}).status_code == 404
    own = client_for(world, "officer1").get(API).json()
    assert {m["name"]: m["value"] for m in own["metrics"]}["elderly_residents"] == 2


def test_the_panel_lists_finished_scenarios_of_the_scope(world: dict[str, Any]) -> None:
    s = world["scenarios"]
    city_html = client_for(world, "commander").get(URL, headers=EN).content.decode()
    for key in ("city", "d1", "d1_agents", "d2"):
        assert f'data-scenario="{s[key].pk}"' in city_html
    assert f'data-scenario="{s["d1_queued"].pk}"' not in city_html  # not finished
    assert "42.0 % (35.3–48.9)" in city_html and "1.23 % (1.10–1.36)" in city_html
    officer = client_for(world, "officer1").get(LIVE, headers=EN).content.decode()
    assert f'data-scenario="{s["d1"].pk}"' in officer
    assert f'data-scenario="{s["d2"].pk}"' not in officer  # another district's
    assert f'data-scenario="{s["city"].pk}"' not in officer  # the city's is above them
    assert 'id="dash-sim-compare"' not in officer  # one scenario per model: nothing to pair
    link = city_html.split('id="dash-sim-compare" href="')[1].split('"')[0]
    ids = "&amp;".join(f"ids={s[k].pk}" for k in ("d2", "d1", "city"))  # newest branching
    assert link == f"/simulation/compare/?{ids}"


def test_the_api_lists_the_scenarios_and_hides_them_without_the_right(
        world: dict[str, Any]) -> None:
    s = world["scenarios"]
    answer = client_for(world, "officer2").get(API).json()
    assert [x["id"] for x in answer["scenarios"]] == [s["d2"].pk]
    assert answer["scenarios"][0]["headline"] == "42.0 % (35.3–48.9)"
    assert answer["scenarios"][0]["measure"] == "controlled"
    street = client_for(world, "street1")
    assert street.get(API).json()["scenarios"] is None
    html = street.get(URL, headers=EN).content.decode()
    assert 'id="dash-sim"' not in html and "data-scenario" not in html
