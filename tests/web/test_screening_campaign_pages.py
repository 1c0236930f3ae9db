"""Campaign pages through the Django test client: each renders in Chinese and English, the
forms name the wrong field, the second district's officer sees no first-district round (404
by URL, absent from the list), a grid worker's door-to-door list is their grid's, phones are
masked without PII_VIEW, the tube CSV lists the issued codes, and the API answers the same."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.testing.actions_booking import booking_token
from fangkong.testing.actions_campaign import do_create_campaign, do_issue_tubes
from fangkong.testing.models import Booking, Campaign, CampaignArea, Site
from tests.factories import City, make_user
from tests.testing.builders import Round, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(city: City) -> Round:
    return make_round(city)


@pytest.fixture
def d1_only(rnd: Round) -> Campaign:
    """A planned round of district 1 alone, with one site."""
    start = rnd.campaign.starts_at
    campaign = do_create_campaign(
        actor=actor_for(rnd.users["organiser1"]), code="D1", name="一区加测", starts_at=start,
        ends_at=start + dt.timedelta(hours=12), areas={rnd.city.districts[0].unit.pk: 5})
    site = Site(campaign=campaign, code="X1", name="一区广场", tables=1, opens_at=start,
                closes_at=start + dt.timedelta(hours=2))
    site.place_in(rnd.city.districts[0].grids[0])
    site.save()
    return campaign


def login(username: str, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize(("language", "words"), [("zh-hans", ("核酸筛查", "编码")),
                                               ("en", ("Testing and screening", "Code"))])
def test_pages_render_in_both_languages(rnd: Round, d1_only: Campaign, language: str,
                                        words: tuple[str, str]) -> None:
    client = login("organiser1", language)
    site = Site.objects.get(campaign=d1_only)
    urls = [reverse("screening_campaigns"), reverse("screening_campaign_new"),
            reverse("screening_campaign", args=[d1_only.pk]),
            reverse("screening_site", args=[site.pk]),
            reverse("screening_door_list", args=[d1_only.pk]),
            reverse("screening_bookings", args=[d1_only.pk]) + "?q=张"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("screening_campaign", args=[d1_only.pk])).content.decode()
    assert f'lang="{language}"' in page and all(w in page for w in words)
    assert "一区广场" in page and "5-in-1" in page
    nav = client.get(reverse("screening_campaigns")).content.decode()
    assert 'aria-current="page"' in nav and reverse("screening_campaigns") in nav


def test_second_district_sees_no_first_district_round(rnd: Round, d1_only: Campaign) -> None:
    client = login("organiser2")
    site = Site.objects.get(campaign=d1_only)
    assert "一区加测" not in client.get(reverse("screening_campaigns")).content.decode()
    for url in (reverse("screening_campaign", args=[d1_only.pk]),
                reverse("screening_site", args=[site.pk]),
                reverse("screening_site_tubes_csv", args=[site.pk]),
                reverse("screening_door_list", args=[d1_only.pk]),
                reverse("screening_bookings", args=[d1_only.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("screening_site_tubes", args=[site.pk]),
                       {"count": 5, "capacity": 10, "kind": "screening"}).status_code == 404
    assert client.get(f"/api/v1/screening/campaigns/{d1_only.pk}").status_code == 404
    ids = [c["id"] for c in client.get("/api/v1/screening/campaigns").json()]
    assert ids == [rnd.campaign.pk]
    # the shared round shows organiser2 only their own district's sites
    page = client.get(reverse("screening_campaign", args=[rnd.campaign.pk])).content.decode()
    assert "S21" in page and "S11" not in page


def test_rights_are_enforced(rnd: Round, d1_only: Campaign) -> None:
    sampler = login("sampler1")
    assert sampler.get(reverse("screening_campaigns")).status_code == 403
    grid = login("grid1")
    assert grid.get(reverse("screening_campaign_new")).status_code == 403
    assert grid.post(reverse("screening_campaign_status", args=[d1_only.pk, "start"])
                     ).status_code == 403
    assert Client().get(reverse("screening_campaigns")).status_code == 302


def test_create_form_names_the_wrong_field_then_creates(rnd: Round) -> None:
    client = login("organiser1", "en")
    d1 = rnd.city.districts[0]
    start = rnd.campaign.starts_at.strftime("%Y-%m-%dT%H:%M")
    data: dict[str, Any] = {"code": "R9", "name": "Round 9", "starts_at": start,
                            "ends_at": start, "default_pool_size": "10", "target_hours": "24",
                            "area": [str(d1.grids[0].pk)], f"pool_{d1.grids[0].pk}": "1"}
    response = client.post(reverse("screening_campaign_new"), data)
    assert response.status_code == 422 and b"the end is not after the start" in response.content
    data["ends_at"] = (rnd.campaign.starts_at + dt.timedelta(hours=30)).strftime(
        "%Y-%m-%dT%H:%M")
    response = client.post(reverse("screening_campaign_new"), data)
    campaign = Campaign.objects.get(code="R9")
    assert response.status_code == 302
    assert list(CampaignArea.objects.filter(campaign=campaign).values_list(
        "unit_id", "pool_size")) == [(d1.grids[0].pk, 1)]


def test_site_slots_and_tube_csv(rnd: Round, d1_only: Campaign) -> None:
    client = login("organiser1", "en")
    grid = rnd.city.districts[0].grids[1]
    start = d1_only.starts_at
    response = client.post(reverse("screening_site_add", args=[d1_only.pk]), {
        "code": "N1", "name": "New site", "grid": grid.pk, "kind": "fixed", "tables": 2,
        "opens_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "lab": rnd.labs[1].pk, "green_channel": "on"})
    assert response.status_code == 422 and b"valid choice" in response.content  # not offered
    response = client.post(reverse("screening_site_add", args=[d1_only.pk]), {
        "code": "N1", "name": "New site", "grid": grid.pk, "kind": "fixed", "tables": 2,
        "opens_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "lab": rnd.labs[0].pk, "green_channel": "on"})
    site = Site.objects.get(campaign=d1_only, code="N1")
    assert response.status_code == 302
    client.post(reverse("screening_site_slots", args=[site.pk]), {"minutes": 60})
    assert list(site.slots.values_list("capacity", flat=True)) == [240, 240]
    response = client.post(reverse("screening_site_tubes", args=[site.pk]),
                           {"count": 3, "capacity": 5, "kind": "screening"})
    assert response.status_code == 302 and "first=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Download their codes" in page
    csv_text = client.get(reverse("screening_site_tubes_csv", args=[site.pk])).content.decode()
    assert csv_text.splitlines() == ["code,capacity,kind,campaign,site"] + [
        f"D1-N1-0000{n},5,screening,D1,N1" for n in (1, 2, 3)]


def test_door_list_is_scoped_and_masked(rnd: Round) -> None:
    d1 = rnd.city.districts[0]
    at_home = d1.persons[0]  # grid 1
    Person.objects.filter(pk=at_home.pk).update(over80_alone=True)
    Person.objects.filter(pk=d1.persons[5].pk).update(chronic_care=True)  # grid 2
    make_user("viewer1", unit=d1.unit, roles=["commander"])  # SCREENING_VIEW, no PII_VIEW
    grid_page = login("grid1").get(reverse("screening_door_list", args=[rnd.campaign.pk]))
    text = grid_page.content.decode()
    assert at_home.name in text and d1.persons[5].name not in text
    assert at_home.phone in text  # grid workers hold PII_VIEW: full, and audited
    assert AuditLog.objects.filter(verb="pii.read", target_type="screening.door_list").exists()
    masked = login("viewer1").get(reverse("screening_door_list", args=[rnd.campaign.pk]))
    text = masked.content.decode()
    assert at_home.phone not in text and at_home.phone[-4:] in text
    assert d1.persons[5].name in text
    api = login("viewer1").get(f"/api/v1/screening/campaigns/{rnd.campaign.pk}/door-to-door")
    assert {r["reasons"][0] for r in api.json()} == {"over80_alone", "chronic_care"}
    assert all("*" in r["phone"] for r in api.json())


def test_booking_link_page_and_public_page(rnd: Round) -> None:
    person = rnd.city.districts[0].persons[0]
    client = login("organiser1", "en")
    response = client.post(reverse("screening_booking_link", args=[rnd.campaign.pk]),
                           {"person_id": person.pk, "q": person.name})
    assert response.status_code == 200 and b"/screening/book/" in response.content
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("screening_public_booking", args=[booking_token(rnd.campaign, person)])
    page = public.get(url)
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    assert person.name not in page.content.decode() and person.name[0] + "*" in (
        page.content.decode())
    slot = rnd.sites[0].slots.first()
    odd = public.post(url, {"action": "book", "slot_id": "abc"})
    assert odd.status_code == 422 and b"choose one of the slots listed" in odd.content
    foreign = rnd.sites[2].slots.first()  # district 2: not the resident's community
    assert public.post(url, {"action": "book", "slot_id": foreign.pk}).status_code == 422
    assert public.post(url, {"action": "book", "slot_id": slot.pk}).status_code == 302
    again = public.post(url, {"action": "book", "slot_id": slot.pk})
    assert again.status_code == 409
    assert b"Your booking is confirmed" in public.get(url).content
    assert Booking.objects.filter(person=person).count() == 1
    bad = public.get(url[:-3] + "xx/")
    assert bad.status_code == 404 and b"cannot be used" in bad.content
    assert person.name[0].encode() not in bad.content.split(b"<main")[1]


def test_api_create_and_book(rnd: Round) -> None:
    client = login("organiser1")
    start = rnd.campaign.starts_at
    body = {"code": "API1", "name": "api", "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=10)).isoformat(),
            "areas": {str(rnd.city.districts[0].grids[0].pk): 20}}
    made = client.post("/api/v1/screening/campaigns", json.dumps(body),
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["areas"][0]["pool_size"] == 20
    body["areas"] = {str(rnd.city.districts[0].grids[0].pk): 30}
    body["code"] = "API2"
    refused = client.post("/api/v1/screening/campaigns", json.dumps(body),
                          content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "areas"
    slot = rnd.sites[0].slots.first()
    booking = {"person_id": rnd.city.districts[0].persons[0].pk, "slot_id": slot.pk}
    first = client.post(f"/api/v1/screening/campaigns/{rnd.campaign.pk}/bookings",
                        json.dumps(booking), content_type="application/json")
    again = client.post(f"/api/v1/screening/campaigns/{rnd.campaign.pk}/bookings",
                        json.dumps(booking), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 409)
    tubes = client.post(f"/api/v1/screening/sites/{rnd.sites[0].pk}/tubes",
                        json.dumps({"count": 2, "capacity": 10}),
                        content_type="application/json")
    assert tubes.json()["codes"] == ["R1-S11-00001", "R1-S11-00002"]
    do_issue_tubes(actor=actor_for(rnd.users["organiser1"]), site_id=rnd.sites[0].pk, count=1,
                   capacity=1, kind="retest")
