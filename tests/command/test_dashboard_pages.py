"""The dashboard page, its live fragment and its API: the figures, drill-down, scoping (a
district officer cannot open another district: 404; a street worker sees its street), the
supplies, cold-chain and vaccination tiles, the latest scenarios (scoped, only with
``simulation.view``), and a change reaching the page through the marks alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fangkong.core import clock
from tests.command.builders_figures import NOON, dashboard_users, make_case, make_ticket, street_of
from tests.factories import City

Capture = Callable[..., AbstractContextManager[Any]]
EN = {"accept-language": "en"}
URL, LIVE, API = "/command/", "/command/dashboard/live/", "/api/v1/command/dashboard"


@pytest.fixture(autouse=True)
def evening(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "now", lambda: NOON + dt.timedelta(hours=6))
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(city: City, django_capture_on_commit_callbacks: Capture) -> dict[str, Any]:
    users = dashboard_users(city)
    d1, d2 = city.districts
    with django_capture_on_commit_callbacks(execute=True):
        make_case(d1.persons[0], at=NOON)
        make_case(d1.persons[1], at=NOON - dt.timedelta(days=1))
        make_case(d2.persons[0], at=NOON, found_in="quarantine")
        make_ticket(d1.grids[0], at=NOON - dt.timedelta(hours=3), hours=1)
    return {"users": users, "city": city, "d1": d1.unit, "d2": d2.unit,
            "street1": street_of(d1.grids[0])}


def client_for(world: dict[str, Any], name: str) -> Client:
    client = Client()
    client.force_login(world["users"][name])
    return client


def test_city_page_shows_tiles_and_rows(world: dict[str, Any]) -> None:
    page = client_for(world, "commander").get(URL, headers=EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="tile-cases_in_community" data-metric="cases_in_community" data-value="1"' in html
    assert 'id="tile-tickets_overdue" data-metric="tickets_overdue" data-value="1"' in html
    assert "District 1" in html and "District 2" in html  # the breakdown, one row per district
    assert f'?unit={world["d1"].pk}&amp;' in html
    for group in ("supplies", "coldchain", "vaccination"):
        assert f'data-group="{group}"' in html
    for metric in ("supply_alerts_open", "supply_alerts_new", "coldchain_positive",
                   "elderly_vaccinated", "elderly_residents"):
        assert f'id="tile-{metric}"' in html
    assert "absent" not in html and "Not built yet" not in html
    assert 'hx-trigger="every 30s"' in html


def test_change_from_the_day_before(world: dict[str, Any]) -> None:
    html = client_for(world, "commander").get(URL, headers=EN).content.decode()
    tile = html.split('id="tile-cases_in_community"')[1].split("</div>")[0]
    assert "±0" in tile  # one case today, one yesterday
    tile = html.split('id="tile-cases_in_quarantine"')[1].split("</div>")[0]
    assert "+1" in tile


def test_drill_down_to_a_district_and_a_street(world: dict[str, Any]) -> None:
    client = client_for(world, "commander")
    district = client.get(URL, {"unit": world["d1"].pk}, headers=EN).content.decode()
    assert 'data-value="1"' in district.split('id="tile-cases_in_community"')[1][:80]
    assert 'data-value="0"' in district.split('id="tile-cases_in_quarantine"')[1][:80]
    assert f'data-unit="{world["street1"].pk}"' in district
    street = client.get(URL, {"unit": world["street1"].pk}, headers=EN).content.decode()
    assert 'id="dash-rows"' not in street and "finest level" in street


def test_a_district_officer_cannot_open_another_district(world: dict[str, Any]) -> None:
    client = client_for(world, "officer1")
    assert client.get(URL, {"unit": world["d2"].pk}, headers=EN).status_code == 404
    assert client.get(LIVE, {"unit": world["d2"].pk}, headers=EN).status_code == 404
    assert client.get(API, {"unit": world["d2"].pk}).status_code == 404
    assert client.get(API, {"unit": world["city"].unit.pk}).status_code == 404
    own = client.get(API).json()
    assert own["unit"]["id"] == world["d1"].pk
    values = {m["name"]: m["value"] for m in own["metrics"]}
    assert values["cases_in_quarantine"] == 0  # district 2's case is not theirs


def test_a_street_worker_sees_its_street(world: dict[str, Any]) -> None:
    client = client_for(world, "street1")
    answer = client.get(API).json()
    assert answer["unit"]["id"] == world["street1"].pk and answer["children"] == []
    assert {m["name"]: m["value"] for m in answer["metrics"]}["tickets_overdue"] == 1
    assert client.get(API, {"unit": world["d1"].pk}).status_code == 404
    assert client.get(URL, headers=EN).status_code == 200


def test_the_api_gives_the_page_figures(world: dict[str, Any]) -> None:
    answer = client_for(world, "commander").get(API, {"day": NOON.date().isoformat()}).json()
    metrics = {m["name"]: m for m in answer["metrics"]}
    assert metrics["cases_in_community"]["value"] == 1
    assert metrics["cases_in_community"]["day_before"] == 1
    assert metrics["cases_in_community"]["trend"][-2:] == [1, 1]
    assert len(metrics["cases_in_community"]["trend"]) == 14
    assert [c["unit"]["id"] for c in answer["children"]] == [world["d1"].pk, world["d2"].pk]
    assert answer["children"][1]["values"]["cases_in_quarantine"] == 1
    assert "absent" not in answer and answer["scenarios"] == []


def test_the_api_refuses_a_future_day(world: dict[str, Any]) -> None:
    answer = client_for(world, "commander").get(API, {"day": "2099-01-01"})
    assert answer.status_code == 422 and "day" in answer.content.decode()


def test_a_new_case_reaches_the_live_fragment(world: dict[str, Any],
                                               django_capture_on_commit_callbacks: Capture
                                               ) -> None:
    client = client_for(world, "commander")
    before = client.get(LIVE, headers=EN).content.decode()
    assert 'id="tile-cases_in_community" data-metric="cases_in_community" data-value="1"' in before
    with django_capture_on_commit_callbacks(execute=True):
        make_case(world["city"].districts[1].persons[1], at=NOON + dt.timedelta(hours=1))
    after = client.get(LIVE, headers=EN).content.decode()
    assert 'id="tile-cases_in_community" data-metric="cases_in_community" data-value="2"' in after


def test_the_page_needs_command_view(world: dict[str, Any]) -> None:
    from tests.factories import make_user

    user = make_user("agent", unit=world["city"].unit, roles=["hotline_agent"])
    client = Client()
    client.force_login(user)
    assert client.get(URL, headers=EN).status_code == 403
    assert Client().get(URL).status_code == 302  # to the login page


def test_the_page_in_chinese(world: dict[str, Any]) -> None:
    page = client_for(world, "commander").get(URL, headers={"accept-language": "zh-hans"})
    assert page.status_code == 200
