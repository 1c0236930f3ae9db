"""The capacity and alerts pages and their API with the Django test client: the forecast and
the rooms of each facility, the city's table with the short district first, resolving an alert
with a note (bad input changes nothing); the second district sees none of the first's, the
wrong role gets 403."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client

from fangkong.core import clock
from fangkong.quarantine.alerts import do_raise_capacity_alerts
from fangkong.quarantine.models import AlertKind, QuarantineAlert
from tests.factories import City, make_user
from tests.quarantine.builders import make_facility, make_order
from tests.quarantine.test_capacity import in_room

pytestmark = pytest.mark.django_db
API = "/api/v1/quarantine"


@pytest.fixture
def world(city: City) -> dict[str, User]:
    """District 1: F1 with 2 rooms, one taken, three people waiting (short from today).
    District 2: F2 with 6 rooms and nobody waiting."""
    d1, d2 = city.districts
    f1 = make_facility(unit=d1.unit, code="F1", rooms=2, family_rooms=0)
    in_room(d1.persons[0], f1, until=clock.city_today() + dt.timedelta(days=3))
    for person in d1.persons[1:4]:
        make_order(person, exposure=clock.now() - dt.timedelta(days=1))
    make_facility(unit=d2.unit, code="F2", rooms=6)
    return {
        "admin": make_user("qadmin", unit=city.unit, roles=["city_admin"]),
        "officer1": make_user("qofficer1", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("qofficer2", unit=d2.unit, roles=["district_officer"]),
        "staff1": make_user("qstaff1", unit=d1.unit, roles=["quarantine_staff"]),
        "staff2": make_user("qstaff2", unit=d2.unit, roles=["quarantine_staff"]),
        "volunteer": make_user("qvolunteer", unit=d1.unit, roles=["volunteer"]),
    }


def login(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the assertions read the English wording
    client.force_login(user)
    return client


def chart_of(html: str) -> dict[str, Any]:
    start = html.index('<script id="capacity-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)  # type: ignore[no-any-return]


def test_a_district_sees_its_forecast_and_rooms(world: dict[str, User]) -> None:
    response = login(world["officer1"]).get("/quarantine/capacity/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "F1隔离酒店" in html and "F2隔离酒店" not in html  # names: a CSRF token may hold "F1"
    chart = chart_of(html)
    assert chart["usable"] == [2] * 7
    assert chart["needed"][0] == 1 + 3 + 0  # one in a room, three waiting, no recent inflow
    assert chart["shortfall"][0] == 2
    assert "mean of the last 3 days" in html
    assert 'id="capacity-districts"' not in html  # a district officer has no city table
    assert "vendor/echarts/echarts.min.js" in html and "quarantine/capacity.js" in html
    assert finders.find("quarantine/capacity.js")  # served by the app itself, no CDN


def test_the_city_sees_the_short_district_first_and_can_narrow(world: dict[str, User],
                                                               city: City) -> None:
    client = login(world["admin"])
    html = client.get("/quarantine/capacity/").content.decode()
    table = html[html.index('id="capacity-districts"'):]
    assert table.index("District 1") < table.index("District 2")
    narrowed = client.get(f"/quarantine/capacity/?unit={city.districts[1].unit.pk}")
    assert chart_of(narrowed.content.decode())["usable"] == [6] * 7
    assert 'id="capacity-districts"' not in narrowed.content.decode()


def test_the_other_district_sees_none_of_the_first(world: dict[str, User], city: City) -> None:
    client = login(world["officer2"])
    html = client.get(f"/quarantine/capacity/?unit={city.districts[0].unit.pk}").content.decode()
    assert "F1隔离酒店" not in html and chart_of(html)["usable"] == [6] * 7
    do_raise_capacity_alerts()
    assert 'data-alert="' not in client.get("/quarantine/alerts/").content.decode()
    assert client.get(f"{API}/alerts").json() == []
    other = client.get(f"{API}/capacity", {"unit_id": city.districts[0].unit.pk})
    assert other.status_code == 404


def test_rights_of_the_pages(world: dict[str, User]) -> None:
    assert Client().get("/quarantine/capacity/").status_code == 302
    assert login(world["volunteer"]).get("/quarantine/capacity/").status_code == 403
    assert login(world["volunteer"]).get("/quarantine/alerts/").status_code == 403
    assert login(world["staff1"]).get("/quarantine/alerts/").status_code == 200
    chinese = Client()  # the city's default language
    chinese.force_login(world["admin"])
    assert chinese.get("/quarantine/capacity/").status_code == 200


def test_alerts_are_listed_by_kind_and_resolved_with_a_note(world: dict[str, User]) -> None:
    do_raise_capacity_alerts()
    alert = QuarantineAlert.objects.get(kind=AlertKind.CAPACITY)
    staff = login(world["staff1"])
    html = staff.get("/quarantine/alerts/").content.decode()
    assert f'data-alert="{alert.pk}"' in html and "rooms short" in html
    assert "short of 2 rooms from" in html
    assert 'data-kind="capacity">rooms short <b>1</b>' in html  # open alerts by kind
    assert 'data-kind="fever">fever or symptoms <b>0</b>' in html
    assert 'data-alert="' not in staff.get("/quarantine/alerts/?kind=fever").content.decode()

    url = f"/quarantine/alerts/{alert.pk}/resolve/"
    assert staff.get(url).status_code == 405
    empty = staff.post(url, {"note": "  "})
    assert empty.status_code == 422 and "1 to 500 characters" in empty.content.decode()
    assert login(world["officer1"]).post(url, {"note": "x"}).status_code == 403
    assert login(world["staff2"]).post(url, {"note": "x"}).status_code == 404
    alert.refresh_from_db()
    assert alert.resolved_at is None

    done = staff.post(url, {"note": "opened the standby hotel", "kind": "capacity"})
    assert done.status_code == 302 and done["Location"].endswith("?kind=capacity")
    alert.refresh_from_db()
    assert alert.resolved_by_id == world["staff1"].pk
    assert f'data-alert="{alert.pk}"' not in staff.get("/quarantine/alerts/").content.decode()
    everything = staff.get("/quarantine/alerts/?state=all").content.decode()
    assert "opened the standby hotel" in everything


def test_the_api(world: dict[str, User], city: City) -> None:
    admin, staff = login(world["admin"]), login(world["staff1"])
    body = admin.get(f"{API}/capacity").json()
    assert body["rooms_usable"] == 8 and len(body["days"]) == 7
    assert body["inflow_method"] == "mean of the last 3 days, rounded up"
    rows = admin.get(f"{API}/capacity/districts").json()
    assert [r["district_code"] for r in rows] == ["610101", "610102"]
    assert rows[0]["forecast"]["first_shortfall"] == clock.city_today().isoformat()

    do_raise_capacity_alerts()
    [alert] = staff.get(f"{API}/alerts", {"kind": "capacity"}).json()
    assert staff.get(f"{API}/alerts", {"kind": "nope"}).status_code == 422
    url = f"{API}/alerts/{alert['id']}/resolve"
    bad = staff.post(url, {"note": ""}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "note"
    assert login(world["officer1"]).post(url, {"note": "x"},
                                         content_type="application/json").status_code == 403
    assert login(world["staff2"]).post(url, {"note": "x"},
                                       content_type="application/json").status_code == 404
    ok = staff.post(url, {"note": "done"}, content_type="application/json")
    again = staff.post(url, {"note": "done"}, content_type="application/json")
    assert ok.status_code == again.status_code == 200
    assert ok.json()["resolved_at"] == again.json()["resolved_at"] is not None
    assert staff.get(f"{API}/alerts").json() == []
    assert len(staff.get(f"{API}/alerts", {"open_only": "false"}).json()) == 1
