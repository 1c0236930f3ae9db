"""The list of risk origins: who may change it, its dates, the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core.errors import DomainError, PermissionDenied
from fangkong.warning import origins
from fangkong.warning.models import RiskOrigin
from tests.factories import City
from tests.warning.builders_arrivals import actor

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 5, 1)


def test_add_end_and_match(city: City) -> None:
    officer = actor(city)
    row = origins.do_add_origin(actor=officer, name="武汉", code="WH", listed_from=DAY)
    assert origins.listed_origin("wh", on=DAY) == row
    assert origins.listed_origin("武汉", on=DAY + dt.timedelta(days=300)) == row
    origins.do_end_origin(actor=officer, origin_id=row.pk, listed_until=DAY)
    assert origins.listed_origin("WH", on=DAY + dt.timedelta(days=1)) is None
    with pytest.raises(DomainError) as caught:
        origins.do_add_origin(actor=officer, name="again", code="wh", listed_from=DAY)
    assert caught.value.field == "code"
    with pytest.raises(DomainError) as caught:
        origins.do_end_origin(actor=officer, origin_id=row.pk,
                              listed_until=DAY - dt.timedelta(days=1))
    assert caught.value.field == "listed_until"


def test_a_grid_worker_reads_but_does_not_change(city: City) -> None:
    worker = actor(city, who="gw", roles=("grid_worker",))
    with pytest.raises(PermissionDenied):
        origins.do_add_origin(actor=worker, name="x", code="X", listed_from=DAY)
    assert list(origins.origins_for(worker)) == []


def test_page_and_api(city: City, client: Client) -> None:
    actor(city)
    client.force_login(User.objects.get(username="officer1"))
    answer = client.post("/warning/origins/", {"name": "上海", "code": "SH",
                                               "listed_from": "2022-04-01"})
    assert answer.status_code == 302 and RiskOrigin.objects.filter(code="SH").exists()
    bad = client.post("/warning/origins/", {"name": "x", "code": "Y", "listed_from": "2022-04-02",
                                            "listed_until": "2022-04-01"})
    assert bad.status_code == 422
    got = client.post("/api/v1/warning/origins", {"name": "北京", "code": "BJ",
                                                  "listed_from": "2022-04-01"},
                      content_type="application/json")
    assert got.status_code == 201
    assert {o["code"] for o in client.get("/api/v1/warning/origins").json()} == {"SH", "BJ"}
