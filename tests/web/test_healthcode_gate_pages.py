"""The gate page and its service worker as served: the right is needed, the venues offered
are the user's own (another district's are not), the fever threshold is the dated quarantine
rule's, and the worker's script comes from the page's own path so it may control the page."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.factories import City
from tests.healthcode.builders_gate import gate_users


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _config(html: str) -> dict[str, Any]:
    start = html.index('<script id="gate-config" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return dict(json.loads(body))


def test_door_staff_see_their_venues_and_the_rules(city: City) -> None:
    users = gate_users(city)
    page = _client(users["door1"]).get("/healthcode/gate/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-cache"
    html = page.content.decode()
    assert "Health-code gate" in html and 'id="token"' in html
    config = _config(html)
    mine = city.districts[0].venues[0]
    assert [v["id"] for v in config["venues"]] == [mine.pk]  # their grid's venue only
    assert config["fever_c"] == 37.3  # the quarantine version in force
    assert config["api"] == "/api/v1/healthcode/gate/scans"
    assert config["sw"] == "/healthcode/gate/sw.js" and config["scope"] == "/healthcode/gate/"
    assert config["keys"] == "/public/healthcode/keys.json"
    assert "/static/healthcode/verify.js" in config["assets"]
    assert config["reasons"]["red"] == "Red code: no entry"
    assert "healthcode/gate.js" in html and "healthcode/verify.js" in html


def test_another_districts_door_sees_none_of_the_first(city: City) -> None:
    users = gate_users(city)
    config = _config(_client(users["door2"]).get("/healthcode/gate/").content.decode())
    theirs = {v.pk for v in city.districts[0].venues}
    assert config["venues"] and not theirs & {v["id"] for v in config["venues"]}


def test_the_page_speaks_chinese_by_default(city: City) -> None:
    users = gate_users(city)
    html = _client(users["door1"], "zh-hans").get("/healthcode/gate/").content.decode()
    assert 'lang="zh-hans"' in html


def test_the_page_and_worker_need_the_gate_right(city: City) -> None:
    users = gate_users(city)
    officer = _client(users["officer1"])
    assert officer.get("/healthcode/gate/").status_code == 403
    assert officer.get("/healthcode/gate/sw.js").status_code == 403
    anonymous = Client()
    assert anonymous.get("/healthcode/gate/").status_code == 302
    assert anonymous.get("/healthcode/gate/sw.js").status_code == 302
    assert _client(users["door1"]).post("/healthcode/gate/").status_code == 405


def test_the_service_worker_is_served_from_the_gate_path(city: City) -> None:
    users = gate_users(city)
    script = _client(users["door1"]).get("/healthcode/gate/sw.js")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")
    assert script["Cache-Control"] == "no-cache"
    body = script.content.decode()
    assert "addEventListener(\"fetch\"" in body and "caches.open" in body
