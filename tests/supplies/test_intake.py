"""An outlet's day (form action), the API batch and the CSV upload: placed at the venue,
stored once per key, a new key corrects, every bad line named and nothing written, the
street's alerts recomputed after the commit, and nobody reports for another's outlet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from fangkong.core.errors import DomainError, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.healthcode.reports import CsvRefused
from fangkong.supplies import reports, uploads
from fangkong.supplies.models import StockReport, SupplyAlert
from tests.factories import City
from tests.supplies.builders import TODAY, actor, supply_users

SIX = {"grain": {"stock": "40", "price": "3.2"}, "oil": {"stock": "3", "price": "15"},
       "meat": {"stock": "8", "price": "30"}, "eggs": {"stock": "5", "price": "11"},
       "vegetables": {"stock": "50", "price": "4.5"}, "milk": {"stock": "20", "price": "12"}}


@pytest.fixture
def users(city: City) -> dict[str, User]:
    return supply_users(city)


def test_an_outlet_reports_its_day_once_per_key_and_corrects_with_a_new_one(
        city: City, users: dict[str, User]) -> None:
    market = actor(users["market1"])
    venue = city.districts[0].venues[0]
    assert reports.outlets_of(market) == [venue]  # bound to its grid: its own market only
    answer = reports.do_report_day(actor=market, client_key="web-1", goods=SIX)
    assert set(answer.values()) == {"stored"}
    row = StockReport.objects.get(good="grain")
    assert (row.venue, row.day, row.grid_id) == (venue, TODAY, venue.grid_id)
    assert row.reported_by == users["market1"] and str(row.price) == "3.20"
    assert set(reports.do_report_day(actor=market, client_key="web-1",
                                     goods=SIX).values()) == {"unchanged"}
    fixed = reports.do_report_day(actor=market, client_key="web-2",
                                  goods={"grain": {"stock": "35", "price": "3.3"}})
    assert fixed == {"grain": "replaced"}
    assert StockReport.objects.count() == 6 and float(StockReport.objects.get(
        good="grain").stock) == 35
    audit = AuditLog.objects.get(verb="supplies.stock.replace")
    assert audit.before is not None and audit.before["stock"] == "40.0"
    assert audit.after is not None and audit.after["stock"] == "35.0"


@pytest.mark.parametrize(("goods", "day", "field"), [
    ({"grain": {"stock": "-1", "price": "3"}}, None, "grain_stock"),
    ({"grain": {"stock": "abc", "price": "3"}}, None, "grain_stock"),
    ({"grain": {"stock": "10", "price": "0"}}, None, "grain_price"),
    ({"grain": {"stock": "10", "price": None}}, None, "grain_price"),
    ({"fish": {"stock": "10", "price": "3"}}, None, "fish_good"),
    ({}, None, "goods"),
    ({"grain": {"stock": "10", "price": "3"}}, TODAY + dt.timedelta(days=1), "day"),
    ({"grain": {"stock": "10", "price": "3"}}, TODAY - dt.timedelta(days=40), "day"),
])
def test_bad_input_is_named_and_nothing_is_written(
        city: City, users: dict[str, User], goods: dict[str, Any], day: dt.date | None,
        field: str) -> None:
    with pytest.raises(DomainError) as refused:
        reports.do_report_day(actor=actor(users["market1"]), client_key="k",
                              goods={"milk": {"stock": "5", "price": "12"}, **goods}
                              if goods else {}, day=day)
    assert refused.value.field == field
    assert not StockReport.objects.exists()


def test_nobody_reports_for_an_outlet_outside_their_unit(
        city: City, users: dict[str, User]) -> None:
    other = city.districts[1].venues[0]
    with pytest.raises(DomainError) as refused:
        reports.do_report_day(actor=actor(users["market1"]), client_key="k", goods=SIX,
                              venue_id=other.pk)
    assert refused.value.field == "venue_id"
    with pytest.raises(PermissionDenied):
        reports.do_report_day(actor=actor(users["officer1"]), client_key="k", goods=SIX)
    assert not StockReport.objects.exists()


def test_a_report_recomputes_its_street_s_alerts_after_the_commit(
        city: City, users: dict[str, User],
        django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reports.do_report_day(actor=actor(users["market1"]), client_key="k",
                              goods={"grain": {"stock": "1", "price": "3"}})
    alert = SupplyAlert.objects.get()
    assert alert.good == "grain" and alert.street_id == city.districts[0].grids[0].street_id


def test_the_api_batch_answers_each_row_by_its_key(city: City, users: dict[str, User]) -> None:
    rows = [{"client_key": "a", "good": "grain", "day": TODAY, "stock": 10, "price": 3},
            {"client_key": "b", "good": "rice", "day": TODAY, "stock": 10, "price": 3},
            {"client_key": "a", "good": "grain", "day": TODAY, "stock": 10, "price": 3}]
    answers = uploads.do_report_batch(actor=actor(users["market1"]), rows=rows)
    assert [a["status"] for a in answers] == ["stored", "refused", "unchanged"]
    assert answers[1]["field"] == "good"
    assert StockReport.objects.count() == 1


def csv(*lines: str) -> bytes:
    return ("\ufeffclient_key,venue_code,day,good,stock,price\n" + "\n".join(lines)).encode()


def test_a_bad_upload_is_refused_line_by_line_and_nothing_is_written(
        city: City, users: dict[str, User]) -> None:
    own, foreign = city.districts[0].venues[0], city.districts[1].venues[0]
    data = csv(f"k1,{own.venue_code},{TODAY},grain,40,3.2",
               f"k2,{foreign.venue_code},{TODAY},grain,40,3.2",
               f"k3,{own.venue_code},2022-13-01,oil,3,15",
               f"k4,{own.venue_code},{TODAY},meat,-3,30",
               f"k5,{own.venue_code},{TODAY},eggs,5,",
               f",{own.venue_code},{TODAY},milk,5,12",
               f"k7,{own.venue_code},{TODAY},vegetables,50,4.5")
    officer = actor(users["officer1"])
    with pytest.raises(CsvRefused) as refused:
        uploads.do_import_csv(actor=officer, data=data)
    assert [(e["line"], e["field"]) for e in refused.value.answer.errors] == [
        (3, "venue_code"), (4, "day"), (5, "stock"), (6, "price"), (7, "client_key")]
    assert not StockReport.objects.exists() and not AuditLog.objects.exists()
    answer = uploads.do_import_csv(actor=officer, data=data, store_good=True)
    assert (answer.stored, len(answer.errors)) == (2, 5)
    assert set(StockReport.objects.values_list("good", flat=True)) == {"grain", "vegetables"}
    again = uploads.do_import_csv(actor=officer, data=csv(
        f"k1,{own.venue_code},{TODAY},grain,40,3.2"))
    assert (again.stored, again.unchanged) == (0, 1)


def test_a_file_without_the_columns_is_refused_as_a_whole(
        city: City, users: dict[str, User]) -> None:
    with pytest.raises(DomainError) as refused:
        uploads.do_import_csv(actor=actor(users["officer1"]), data=b"venue,stock\nx,1\n")
    assert refused.value.field == "file" and "client_key" in refused.value.message
    with pytest.raises(PermissionDenied):
        uploads.do_import_csv(actor=actor(users["market1"]), data=csv())
