"""The campaign plan from the registry and applying it as sites: active residents only, the
actor's jurisdiction only, one audited transaction, refusals, and the page and API rights."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.testing.models import Campaign, CampaignArea, Lab, Site
from fangkong.testing.planner import campaign_plan, do_apply_plan
from tests.factories import PASSWORD, City
from tests.testing.builders import Round
from tests.web.conftest import give_boundaries

API = "/api/v1/screening"
CHROMIUM = Path("/usr/bin/chromium")


def _campaign(city: City, *, units: list, code: str = "R2", pool_size: int = 10) -> Campaign:
    """A planned round with no sites over ``units`` (the builder's round already has sites)."""
    start = dt.datetime(2022, 5, 1, 7, tzinfo=dt.UTC)
    campaign = Campaign.objects.create(code=code, name=f"{code}轮", starts_at=start,
                                       ends_at=start + dt.timedelta(hours=24),
                                       created_at=start)
    for unit in units:
        area = CampaignArea(campaign=campaign, unit=unit, pool_size=pool_size)
        area.place_in(unit)
        area.save()
    return campaign


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _actor(rnd: Round, name: str):  # type: ignore[no-untyped-def]
    return actor_for(rnd.users[name])


def test_plan_counts_active_residents_only(rnd: Round, city: City) -> None:
    grid = city.districts[0].grids[0]
    people = list(Person.objects.filter(grid=grid).order_by("pk"))
    Person.objects.filter(pk=people[0].pk).update(inactive_since=dt.date(2022, 1, 1))
    Person.objects.filter(pk=people[1].pk).update(temporary=True)
    Person.objects.filter(pk=people[2].pk).update(purged=True)
    campaign = _campaign(city, units=[city.districts[0].unit])
    built = campaign_plan(actor=_actor(rnd, "organiser1"), campaign_id=campaign.pk)
    assert {s.grid_id: s.people for s in built.plan.sites} == {
        grid.pk: 1, city.districts[0].grids[1].pk: 4}
    assert [lab.code for lab in built.labs] == ["LAB1"]


def test_city_wide_plan_is_cut_to_the_jurisdiction(rnd: Round, city: City) -> None:
    campaign = _campaign(city, units=[city.unit])
    mine = campaign_plan(actor=_actor(rnd, "organiser1"), campaign_id=campaign.pk)
    assert set(mine.grids) == {g.pk for g in city.districts[0].grids}
    assert [lab.code for lab in mine.labs] == ["LAB1"] and mine.lab_capacity == 500
    everything = campaign_plan(actor=_actor(rnd, "admin"), campaign_id=campaign.pk)
    assert len(everything.plan.sites) == 4 and everything.plan.people == 16
    assert everything.lab_capacity == 1000


def test_deepest_area_sets_the_pool_size(rnd: Round, city: City) -> None:
    grid = city.districts[0].grids[1]
    campaign = _campaign(city, units=[city.districts[0].unit, grid])
    CampaignArea.objects.filter(campaign=campaign, unit=grid).update(pool_size=5)
    built = campaign_plan(actor=_actor(rnd, "organiser1"), campaign_id=campaign.pk)
    assert {s.grid_id: s.pool_size for s in built.plan.sites} == {
        city.districts[0].grids[0].pk: 10, grid.pk: 5}


def test_apply_creates_sites_in_one_audited_step(rnd: Round, city: City) -> None:
    district = city.districts[0]
    second = Lab(code="LAB1B", name="第1区第二实验室", tubes_per_hour=200)
    second.place_in(district.unit)
    second.save()
    campaign = _campaign(city, units=[city.unit])
    sites = do_apply_plan(actor=_actor(rnd, "organiser1"), campaign_id=campaign.pk)
    assert [s.code for s in sites] == [f"{g.code}-01" for g in district.grids]
    assert [s.grid_id for s in sites] == [g.pk for g in district.grids]
    assert [s.lab.code for s in sites] == ["LAB1", "LAB1B"]  # round-robin in the district
    site = Site.objects.get(pk=sites[0].pk)
    assert site.name == f"{district.grids[0].name}采样点" and site.tables == 1
    assert (site.lat, site.lon) == (district.grids[0].center_lat, district.grids[0].center_lon)
    assert site.opens_at == campaign.starts_at
    assert site.closes_at == campaign.starts_at + dt.timedelta(hours=6)
    assert site.district_id == district.unit.pk
    (audit,) = AuditLog.objects.filter(verb="screening.plan.apply")
    assert audit.after["sites"] == [s.code for s in sites] and audit.after["tables"] == 2
    with pytest.raises(Conflict):
        do_apply_plan(actor=_actor(rnd, "organiser1"), campaign_id=campaign.pk)
    # The other district's part of the same city-wide round is still to be set up.
    theirs = do_apply_plan(actor=_actor(rnd, "organiser2"), campaign_id=campaign.pk)
    assert {s.district_id for s in theirs} == {city.districts[1].unit.pk}
    assert [s.lab.code for s in theirs] == ["LAB2", "LAB2"]
    assert Site.objects.filter(campaign=campaign).count() == 4


def test_apply_refusals(rnd: Round, city: City) -> None:
    with pytest.raises(Conflict):  # the builder's round has its sites already
        do_apply_plan(actor=_actor(rnd, "organiser1"), campaign_id=rnd.campaign.pk)
    only_one = _campaign(city, units=[city.districts[0].unit])
    with pytest.raises(NotFound):
        do_apply_plan(actor=_actor(rnd, "organiser2"), campaign_id=only_one.pk)
    with pytest.raises(NotFound):
        campaign_plan(actor=_actor(rnd, "organiser2"), campaign_id=only_one.pk)
    with pytest.raises(PermissionDenied):
        do_apply_plan(actor=_actor(rnd, "grid1"), campaign_id=only_one.pk)
    with pytest.raises(PermissionDenied):
        campaign_plan(actor=_actor(rnd, "sampler1"), campaign_id=only_one.pk)
    Campaign.objects.filter(pk=only_one.pk).update(status="closed")
    with pytest.raises(Conflict):
        do_apply_plan(actor=_actor(rnd, "organiser1"), campaign_id=only_one.pk)
    Person.objects.filter(district=city.districts[0].unit).update(temporary=True)
    Campaign.objects.filter(pk=only_one.pk).update(status="planned")
    with pytest.raises(DomainError, match="no sites"):
        do_apply_plan(actor=_actor(rnd, "organiser1"), campaign_id=only_one.pk)
    assert not Site.objects.filter(campaign=only_one).exists()
    assert not AuditLog.objects.filter(verb="screening.plan.apply").exists()


def test_plan_api(rnd: Round, city: City) -> None:
    campaign = _campaign(city, units=[city.districts[0].unit])
    officer = _login("organiser1")
    body = officer.get(f"{API}/campaigns/{campaign.pk}/plan").json()
    assert body["sites"] == 2 and body["people"] == 8 and body["lab_capacity"] == 500
    assert [s["grid_code"] for s in body["site_plans"]] == [
        g.code for g in city.districts[0].grids]
    assert body["labs"][0]["code"] == "LAB1" and body["warnings"] == []
    assert _login("organiser2").get(
        f"{API}/campaigns/{campaign.pk}/plan").status_code == 404
    assert _login("sampler1").get(f"{API}/campaigns/{campaign.pk}/plan").status_code == 403
    assert _login("grid1").post(f"{API}/campaigns/{campaign.pk}/plan/apply").status_code == 403
    assert _login("organiser2").post(
        f"{API}/campaigns/{campaign.pk}/plan/apply").status_code == 404
    Campaign.objects.filter(pk=campaign.pk).update(target_hours=8)
    (late,) = officer.get(f"{API}/campaigns/{campaign.pk}/plan").json()["warnings"]
    assert late["code"] == "target_unreachable" and late["params"] == {
        "target": 8, "fastest": 10.75} and "10.75" in late["message"]
    paths = officer.get("/api/v1/openapi.json").json()["paths"]
    assert f"{API}/campaigns/{{campaign_id}}/plan/apply" in paths
    made = officer.post(f"{API}/campaigns/{campaign.pk}/plan/apply")
    assert made.status_code == 201 and made.json()["created"] == 2
    again = officer.post(f"{API}/campaigns/{campaign.pk}/plan/apply")
    assert again.status_code == 409 and again.json()["field"] == "sites"


def test_plan_page(rnd: Round, city: City) -> None:
    campaign = _campaign(city, units=[city.districts[0].unit])
    url = reverse("screening_plan", kwargs={"campaign_id": campaign.pk})
    officer = _login("organiser1")
    page = officer.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="apply-plan"' in html and 'id="plan-data"' in html
    assert city.districts[0].grids[0].code in html and "LAB1" in html
    assert city.districts[1].grids[0].code not in html
    viewer = _login("grid1").get(url)
    assert viewer.status_code == 200 and 'id="apply-plan"' not in viewer.content.decode()
    assert _login("organiser2").get(url).status_code == 404
    assert _login("sampler1").get(url).status_code == 403
    apply_url = reverse("screening_plan_apply", kwargs={"campaign_id": campaign.pk})
    assert _login("grid1").post(apply_url).status_code == 403
    done = officer.post(apply_url, follow=True)
    assert done.status_code == 200 and Site.objects.filter(campaign=campaign).count() == 2
    assert 'id="apply-plan"' not in done.content.decode()
    refused = officer.post(apply_url, follow=True)
    assert refused.status_code == 200 and Site.objects.filter(campaign=campaign).count() == 2


@pytest.fixture
def browser() -> Iterator[Any]:
    """Request it after the data fixtures (Playwright's greenlet, see test_browser.py)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                    reason="Debian chromium not installed at /usr/bin/chromium")
def test_plan_map_in_the_browser(rnd: Round, city: City, live_server: Any,
                                 browser: Any) -> None:
    """The organiser sees the grids and one marker per planned site, then applies the plan."""
    give_boundaries(city)
    campaign = _campaign(city, units=[city.districts[0].unit])
    page = browser.new_context(viewport={"width": 1360, "height": 900},
                               locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "organiser1")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button.primary")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + reverse("screening_plan", kwargs={"campaign_id": campaign.pk}))
    page.wait_for_selector("#plan-map[data-ready='1']")
    assert page.get_attribute("#plan-map", "data-sites") == "2"
    assert page.locator("path.plan-site").count() == 2
    assert page.locator("#plan-map path.leaflet-interactive").count() == 4  # 2 grids + 2 sites
    if os.environ.get("FANGKONG_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["FANGKONG_SCREENSHOTS"]) / "plan.png"),
                        full_page=True)
    page.click("#apply-plan")
    page.wait_for_selector(".msg.success")
    assert Site.objects.filter(campaign=campaign).count() == 2
    assert page.locator("#apply-plan").count() == 0
