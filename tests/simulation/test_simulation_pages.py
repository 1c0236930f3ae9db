"""The simulator's pages: the list with a preset filling the form, a bad value back on its
field (nothing stored), a scenario's page with its bands and seed, the comparison with the
summary table, re-running with the same seed; a viewer gets 403, the second district 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.core.jurisdiction import actor_for
from fangkong.simulation.models import Scenario
from tests.factories import PASSWORD, City
from tests.simulation.test_scenarios import make, sim_users

Capture = Callable[..., Any]


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def two_done(city: City, django_capture_on_commit_callbacks: Capture) -> list[Scenario]:
    users = sim_users(city)
    boss = actor_for(users["commander1"])
    with django_capture_on_commit_callbacks(execute=True):
        made = [make(boss, name="Trace 40 %", params={"traced": 0.4, "cap_days": 140}),
                make(boss, name="Trace 90 %", params={"traced": 0.9, "cap_days": 140})]
    return [Scenario.objects.get(pk=s.pk) for s in made]


def test_a_preset_fills_the_form_and_a_post_queues_and_runs(
        city: City, django_capture_on_commit_callbacks: Capture) -> None:
    sim_users(city)
    boss = _client("commander1")
    page = boss.get(reverse("simulation_scenarios") + "?preset=hellewell_trace_80")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="traced"' in html and 'value="0.8"' in html
    assert "Quarantine 5 days instead of 7" in html  # the agent presets are offered too
    with django_capture_on_commit_callbacks(execute=True):
        made = boss.post(reverse("simulation_scenario_new"), {
            "model": "branching", "preset": "hellewell_trace_80", "name": "Trace 80",
            "runs": 30, "seed": 3, "r0": 2.5, "dispersion": 0.16, "initial_cases": 20,
            "traced": 0.8, "delay": "short", "presymptomatic": 0.15, "subclinical": 0,
            "test_delay": 0, "trace_delay": 0, "cap_cases": 5000, "cap_days": 140})
    assert made.status_code == 302
    s = Scenario.objects.get()
    assert s.status == "done" and s.preset == "hellewell_trace_80" and s.params["traced"] == 0.8
    listing = boss.get(reverse("simulation_scenarios")).content.decode()
    assert f'data-scenario="{s.pk}" data-status="done"' in listing
    assert 'hx-trigger="every 2s"' not in listing  # nothing running: no polling


def test_a_bad_value_goes_back_on_its_field(city: City) -> None:
    sim_users(city)
    bad = _client("commander1").post(reverse("simulation_scenario_new"), {
        "model": "branching", "name": "Too many", "runs": 5000, "seed": 1, "r0": 2.5,
        "dispersion": 0.16, "initial_cases": 20, "traced": 0.6, "delay": "short",
        "presymptomatic": 0.15, "subclinical": 0, "test_delay": 0, "trace_delay": 0,
        "cap_cases": 5000, "cap_days": 365})
    assert bad.status_code == 422 and "runs must lie between 1 and 2000" in bad.content.decode()
    assert not Scenario.objects.exists()


def test_the_scenario_page_shows_the_seed_and_the_bands(two_done: list[Scenario]) -> None:
    s = two_done[0]
    html = _client("commander1").get(reverse("simulation_scenario", args=[s.pk])).content.decode()
    assert f'<dd class="mono" id="scenario-seed">{s.seed}</dd>' in html
    data = json.loads(html.split('id="sim-data" type="application/json">')[1].split("</script>")[0])
    band = data["scenarios"][0]["series"]["new_infections"]
    assert band == s.result["series"]["new_infections"] and data["step"] == "week"
    assert "Outbreaks controlled" in html and "simulation/bands.js" in html


def test_compare_shows_the_summary_side_by_side(two_done: list[Scenario]) -> None:
    low, high = two_done
    url = reverse("simulation_compare") + f"?ids={low.pk}&ids={high.pk}"
    html = _client("commander1").get(url).content.decode()
    table = html.split('id="summary"')[1].split("</table>")[0]
    assert "Trace 40 %" in table and "Trace 90 %" in table
    shares = [s.result["summary"]["controlled"] for s in two_done]
    for share in shares:
        assert f"{100 * share['value']:.1f} % ({100 * share['low']:.1f}–" in table
    assert shares[1]["value"] > shares[0]["value"]  # tracing more controls more outbreaks
    assert html.count('class="chart sim-chart"') == 1
    one = _client("commander1").get(reverse("simulation_compare") + f"?ids={low.pk}")
    assert one.status_code == 302  # back to the list with the message


def test_rerun_with_the_same_seed_gives_the_same_numbers(
        two_done: list[Scenario], django_capture_on_commit_callbacks: Capture) -> None:
    s = two_done[0]
    with django_capture_on_commit_callbacks(execute=True):
        done = _client("commander1").post(reverse("simulation_scenario_run", args=[s.pk]))
    assert done.status_code == 302
    again = Scenario.objects.get(pk=s.pk)
    assert again.result == s.result and again.finished_at != s.finished_at


def test_a_viewer_gets_403_and_the_second_district_404(two_done: list[Scenario]) -> None:
    s = two_done[0]
    viewer = _client("viewer1")
    assert viewer.get(reverse("simulation_scenarios")).status_code == 403
    assert viewer.get(reverse("simulation_scenario", args=[s.pk])).status_code == 403
    other = _client("officer2")
    assert other.get(reverse("simulation_scenarios")).status_code == 200
    assert "Trace 40 %" not in other.get(reverse("simulation_scenarios")).content.decode()
    assert other.get(reverse("simulation_scenario", args=[s.pk])).status_code == 404
    ids = f"?ids={two_done[0].pk}&ids={two_done[1].pk}"
    assert other.get(reverse("simulation_compare") + ids).status_code == 404
    assert other.post(reverse("simulation_scenario_delete", args=[s.pk])).status_code == 404
    assert other.post(reverse("simulation_scenario_run", args=[s.pk])).status_code == 404
    assert Scenario.objects.filter(pk=s.pk, status="done").exists()


def test_the_row_polls_while_running_and_the_page_reloads_when_done(
        city: City, two_done: list[Scenario]) -> None:
    s = two_done[0]
    Scenario.objects.filter(pk=s.pk).update(status="running", progress=40)
    boss = _client("commander1")
    rows = boss.get(reverse("simulation_scenarios") + "?rows=1", HTTP_HX_REQUEST="true")
    html = rows.content.decode()
    assert html.startswith('<tbody id="scenario-rows"') and 'value="40"' in html
    assert 'hx-trigger="every 2s"' in html
    state = boss.get(reverse("simulation_scenario", args=[s.pk]) + "?state=1",
                     HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in state.headers
    Scenario.objects.filter(pk=s.pk).update(status="done", progress=100)
    state = boss.get(reverse("simulation_scenario", args=[s.pk]) + "?state=1",
                     HTTP_HX_REQUEST="true")
    assert state.headers["HX-Refresh"] == "true"
