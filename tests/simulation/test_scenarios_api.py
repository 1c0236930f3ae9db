"""The simulation API: create (202, then done), read with the result, a bad parameter as a
422 naming it, compare, run again, delete; the viewer 403, the second district 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from fangkong.simulation.models import Scenario
from tests.factories import PASSWORD, City
from tests.simulation.test_scenarios import sim_users

Capture = Callable[..., Any]
API = "/api/v1/simulation"
BODY = {"name": "Trace 60", "model": "branching", "params": {"traced": 0.6, "cap_days": 140},
        "runs": 30, "seed": 5}


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _create(client: Client, capture: Capture, **fields: Any) -> Any:
    with capture(execute=True):
        return client.post(f"{API}/scenarios", {**BODY, **fields},
                           content_type="application/json")


def test_create_read_compare_rerun_delete(
        city: City, django_capture_on_commit_callbacks: Capture) -> None:
    sim_users(city)
    boss = _client("commander1")
    made = _create(boss, django_capture_on_commit_callbacks)
    assert made.status_code == 202 and made.json()["status"] in ("queued", "done")
    sid = made.json()["id"]
    read = boss.get(f"{API}/scenarios/{sid}").json()
    assert read["status"] == "done" and read["params"]["traced"] == 0.6
    assert read["result"]["summary"]["controlled"]["n"] == 30
    other = _create(boss, django_capture_on_commit_callbacks, name="Trace 90",
                    params={"traced": 0.9, "cap_days": 140}).json()["id"]
    both = boss.get(f"{API}/compare?ids={sid}&ids={other}")
    assert both.status_code == 200 and [s["id"] for s in both.json()] == [sid, other]
    assert boss.get(f"{API}/compare?ids={sid}").status_code == 422
    listed = boss.get(f"{API}/scenarios?status=done").json()
    assert {s["id"] for s in listed} == {sid, other} and "result" not in listed[0]
    with django_capture_on_commit_callbacks(execute=True):
        again = boss.post(f"{API}/scenarios/{sid}/run")
    assert again.status_code == 202
    assert boss.get(f"{API}/scenarios/{sid}").json()["result"] == read["result"]
    assert boss.delete(f"{API}/scenarios/{sid}").status_code == 204
    assert boss.get(f"{API}/scenarios/{sid}").status_code == 404


def test_a_bad_parameter_is_a_422_naming_it(city: City,
                                           django_capture_on_commit_callbacks: Capture) -> None:
    sim_users(city)
    bad = _create(_client("commander1"), django_capture_on_commit_callbacks,
                  params={"traced": 0.6, "speed": 2})
    assert bad.status_code == 422 and "speed" in str(bad.json())
    capped = _create(_client("commander1"), django_capture_on_commit_callbacks, runs=10_000)
    assert capped.status_code == 422 and "runs" in str(capped.json())
    assert not Scenario.objects.exists()


def test_presets_and_quarantine_versions(city: City) -> None:
    sim_users(city)
    boss = _client("commander1")
    presets = boss.get(f"{API}/presets").json()
    assert presets["pool_20"]["params"]["pool_size"] == 20
    assert presets["hellewell"]["model"] == "branching"
    versions = {v["name"]: v for v in boss.get(f"{API}/quarantine-versions").json()}
    assert versions["20 measures"]["centralised_days"] == 5


def test_the_viewer_403_and_the_second_district_404(
        city: City, django_capture_on_commit_callbacks: Capture) -> None:
    sim_users(city)
    sid = _create(_client("commander1"), django_capture_on_commit_callbacks).json()["id"]
    viewer = _client("viewer1")
    assert viewer.get(f"{API}/scenarios").status_code == 403
    assert _create(viewer, django_capture_on_commit_callbacks).status_code == 403
    other = _client("officer2")
    assert other.get(f"{API}/scenarios").json() == []
    assert other.get(f"{API}/scenarios/{sid}").status_code == 404
    assert other.post(f"{API}/scenarios/{sid}/run").status_code == 404
    assert other.delete(f"{API}/scenarios/{sid}").status_code == 404
    assert other.get(f"{API}/compare?ids={sid}&ids={sid + 1}").status_code == 404
    assert Scenario.objects.filter(pk=sid).exists()
