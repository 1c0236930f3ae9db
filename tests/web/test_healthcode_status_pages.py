"""Staff code pages and the codes API: counts and filters in scope, one person's reasons with
what clears them, "recompute now", and district 2 seeing nothing of district 1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from fangkong.healthcode.models import PersonCode
from fangkong.healthcode.recompute import do_recompute_all
from tests.factories import City, make_user
from tests.healthcode.builders_status import NOW, make_case, make_contact, make_hold

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fangkong.core.clock.now", lambda: NOW)


@pytest.fixture
def coded(city: City) -> City:
    p = city.districts[0].persons
    case = make_case(p[0], at=NOW - DAY)
    make_contact(case, p[1], "close", last=NOW - 2 * DAY)
    make_hold(p[2], at=NOW - DAY)
    do_recompute_all()
    return city


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_codes_page_counts_and_filters(coded: City, officer1: Client) -> None:
    with translation.override("en"):
        page = english(officer1).get("/healthcode/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-colour="red"><span class="kpi-value">2<' in html
    assert html.count("data-person=") == 6
    assert "张伟110" not in html and "张***0" in html  # names masked
    red = officer1.get("/healthcode/?colour=red").content.decode()
    assert red.count("data-person=") == 2
    held = officer1.get("/healthcode/?flag=pool_hold").content.decode()
    assert held.count("data-person=") == 1


def test_person_page_explains_every_reason(coded: City, officer1: Client) -> None:
    person = coded.districts[0].persons[1]
    with translation.override("en"):
        html = english(officer1).get(f"/healthcode/persons/{person.pk}/").content.decode()
    assert 'data-code="close_contact"' in html and 'data-clears="wait_until"' in html
    assert "Close contact of a case." in html and "Ends by itself on" in html
    held = coded.districts[0].persons[2]
    html = english(officer1).get(f"/healthcode/persons/{held.pk}/").content.decode()
    assert "A negative single-tube retest clears it." in html


def test_recompute_now_creates_a_missing_code(city: City, officer1: Client) -> None:
    person = city.districts[0].persons[0]
    with translation.override("en"):
        assert 'id="no-code"' in english(officer1).get(
            f"/healthcode/persons/{person.pk}/").content.decode()
    answer = officer1.post(f"/healthcode/persons/{person.pk}/recompute/")
    assert answer.status_code == 302
    assert PersonCode.objects.get(person=person).colour == "green"
    assert officer1.get(f"/healthcode/persons/{person.pk}/recompute/").status_code == 405


def test_district_2_sees_nothing_of_district_1(coded: City, officer2: Client) -> None:
    person = coded.districts[0].persons[0]
    assert officer2.get(f"/healthcode/persons/{person.pk}/").status_code == 404
    assert officer2.post(f"/healthcode/persons/{person.pk}/recompute/").status_code == 404
    assert "data-person=" not in officer2.get("/healthcode/?colour=red").content.decode()
    assert officer2.get(f"/api/v1/healthcode/persons/{person.pk}/code").status_code == 404
    assert officer2.post(f"/api/v1/healthcode/persons/{person.pk}/recompute").status_code == 404
    assert officer2.get("/api/v1/healthcode/codes?colour=red").json() == []


def test_api_lists_and_explains(coded: City, officer1: Client) -> None:
    red = officer1.get("/api/v1/healthcode/codes?colour=red").json()
    assert [c["colour"] for c in red] == ["red", "red"]
    assert {c["reasons"][0]["code"] for c in red} == {"case", "close_contact"}
    assert all("pseudonym" not in c and "*" in c["name"] for c in red)
    paged = officer1.get(f"/api/v1/healthcode/codes?after={red[0]['person_id']}&limit=1").json()
    assert len(paged) == 1 and paged[0]["person_id"] > red[0]["person_id"]
    person = coded.districts[0].persons[1]
    one = officer1.get(f"/api/v1/healthcode/persons/{person.pk}/code").json()
    assert one["reasons"][0]["clears"] == "wait_until" and one["valid_until"]
    again = officer1.post(f"/api/v1/healthcode/persons/{person.pk}/recompute").json()
    assert again["colour"] == "red"


def test_a_user_without_the_right_is_refused(coded: City) -> None:
    door = make_user("door", unit=coded.districts[0].unit, roles=["door_staff"])
    client = Client()
    client.force_login(door)
    assert client.get("/healthcode/").status_code == 403
    assert client.get("/api/v1/healthcode/codes").status_code == 403
