"""Pharmacy sales and arrivals: stored once however often sent, placed at the residence, the
code recomputed; bad input named by field, a CSV day reported line by line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.healthcode import reports
from fangkong.healthcode.models import Arrival, Purchase
from tests.factories import City
from tests.healthcode.builders_changes import actor, change_users, pharmacy_venue, recomputed

__all__ = ["recomputed"]


@pytest.fixture
def users(city: City) -> dict[str, User]:
    return change_users(city)


def test_a_sale_by_id_number_is_stored_once_at_the_residence(
        city: City, users: dict[str, User], recomputed: list[int]) -> None:
    buyer = city.districts[1].persons[0]  # lives in district 2; the pharmacy is in district 1
    venue = pharmacy_venue(city.districts[0].persons[0])
    when = clock.now() - dt.timedelta(hours=2)
    pharmacy = actor(users["pharmacy1"])
    first = reports.do_report_purchase(actor=pharmacy, id_number=buyer.id_number or "",
                                       drug_class="fever", bought_at=when, venue_id=venue.pk)
    again = reports.do_report_purchase(actor=pharmacy, id_number=buyer.id_number or "",
                                       drug_class="fever", bought_at=when.isoformat(),
                                       venue_id=venue.pk)
    assert first.created and not again.created and first.row.pk == again.row.pk
    purchase = Purchase.objects.get()
    assert (purchase.person_id, purchase.venue_id) == (buyer.pk, venue.pk)
    assert (purchase.district_id, purchase.grid_id) == (buyer.district_id, buyer.grid_id)
    assert recomputed == [buyer.pk]
    assert AuditLog.objects.filter(verb="healthcode.purchase.report").count() == 1


def test_another_drug_class_at_the_same_time_is_another_sale(
        city: City, users: dict[str, User], recomputed: list[int]) -> None:
    buyer, when = city.districts[0].persons[0], clock.now()
    for drug in ("fever", "cough"):
        reports.do_report_purchase(actor=actor(users["pharmacy1"]), person_id=buyer.pk,
                                   drug_class=drug, bought_at=when)
    assert Purchase.objects.count() == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"drug_class": "vitamins"}, "drug_class"),
    ({"id_number": "610102198001011234"}, "id_number"),  # wrong check character
    ({"id_number": ""}, "id_number"),
    ({"bought_at": "yesterday"}, "bought_at"),
    ({"bought_at": "2999-01-01T10:00:00+08:00"}, "bought_at"),
])
def test_a_bad_sale_names_its_field(city: City, users: dict[str, User],
                                    change: dict[str, str], field: str) -> None:
    args: dict[str, Any] = {"drug_class": "fever", "bought_at": clock.now().isoformat(),
            "id_number": city.districts[0].persons[0].id_number, **change}
    with pytest.raises(DomainError) as caught:
        reports.do_report_purchase(actor=actor(users["pharmacy1"]), **args)
    assert caught.value.field == field and not Purchase.objects.exists()


def test_an_unknown_id_number_and_a_shop_that_is_no_pharmacy_are_refused(
        city: City, users: dict[str, User]) -> None:
    pharmacy, person = actor(users["pharmacy1"]), city.districts[0].persons[0]
    with pytest.raises(DomainError, match="no resident"):
        reports.do_report_purchase(actor=pharmacy, id_number="11010519491231002X",
                                   drug_class="fever", bought_at=clock.now())
    with pytest.raises(DomainError) as caught:
        reports.do_report_purchase(actor=pharmacy, person_id=person.pk, drug_class="fever",
                                   bought_at=clock.now(),
                                   venue_id=city.districts[0].venues[0].pk)  # a market
    assert caught.value.field == "venue_id"


def test_an_arrival_is_stored_once(city: City, users: dict[str, User],
                                   recomputed: list[int]) -> None:
    person, when = city.districts[0].persons[1], clock.now() - dt.timedelta(hours=1)
    station = actor(users["officer1"])  # lacks the right to report
    with pytest.raises(PermissionDenied):
        reports.do_report_arrival(actor=station, person_id=person.pk, arrived_at=when)
    pharmacy = actor(users["pharmacy1"])
    for _ in range(2):
        reports.do_report_arrival(actor=pharmacy, id_number=person.id_number or "",
                                  arrived_at=when, origin="上海", from_risk_area=True)
    arrival = Arrival.objects.get()
    assert arrival.from_risk_area and arrival.origin == "上海"
    assert arrival.grid_id == person.grid_id and recomputed == [person.pk]
    with pytest.raises(DomainError) as caught:
        reports.do_report_arrival(actor=pharmacy, person_id=person.pk, arrived_at=when,
                                  origin="x" * 101)
    assert caught.value.field == "origin"


def test_a_person_number_outside_the_reporters_scope_is_not_found(
        city: City, users: dict[str, User]) -> None:
    other = city.districts[1].persons[0]
    with pytest.raises(NotFound):
        reports.do_report_arrival(actor=actor(users["pharmacy1"]), person_id=other.pk,
                                  arrived_at=clock.now())
    with pytest.raises(NotFound):
        reports.do_report_purchase(actor=actor(users["pharmacy1"]), person_id=other.pk,
                                   drug_class="fever", bought_at=clock.now())
    assert not Arrival.objects.exists() and not Purchase.objects.exists()


def _csv(city: City) -> bytes:
    a, b = city.districts[0].persons[0], city.districts[1].persons[1]
    when = (clock.now() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
    return ("id_number,drug_class,bought_at\n"
            f"{a.id_number},fever,{when}\n"
            f"{b.id_number},vitamins,{when}\n"
            f"{b.id_number},cough,{when}\n"
            f"610102198001011234,cough,{when}\n").encode()


def test_a_csv_day_with_bad_lines_stores_nothing_unless_asked(
        city: City, users: dict[str, User], recomputed: list[int]) -> None:
    pharmacy = actor(users["pharmacy1"])
    data = _csv(city)  # once: the same file sent again (its times to the second)
    with pytest.raises(reports.CsvRefused) as caught:
        reports.do_import_purchases(actor=pharmacy, data=data)
    errors = caught.value.answer.errors
    assert [(e["line"], e["field"]) for e in errors] == [(3, "drug_class"), (5, "id_number")]
    assert not Purchase.objects.exists()
    answer = reports.do_import_purchases(actor=pharmacy, data=data, store_good=True)
    assert (answer.stored, answer.unchanged, len(answer.errors)) == (2, 0, 2)
    again = reports.do_import_purchases(actor=pharmacy, data=data, store_good=True)
    assert (again.stored, again.unchanged) == (0, 2) and Purchase.objects.count() == 2


def test_a_csv_without_the_columns_is_refused(city: City, users: dict[str, User]) -> None:
    with pytest.raises(DomainError) as caught:
        reports.do_import_purchases(actor=actor(users["pharmacy1"]), data=b"id,when\n1,2\n")
    assert caught.value.field == "file" and "drug_class" in caught.value.message


def test_a_sale_under_the_pharmacy_rule_raises_the_test_pop_up(
        city: City, users: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fangkong.healthcode.recompute")
    from fangkong.healthcode.models import PersonCode

    when = dt.datetime(2022, 6, 1, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: when + dt.timedelta(hours=1))
    buyer = city.districts[0].persons[0]
    reports.do_report_purchase(actor=actor(users["pharmacy1"]), person_id=buyer.pk,
                               drug_class="fever", bought_at=when)
    assert "test_missing" in PersonCode.objects.get(person=buyer).flags


def test_a_pharmacy_of_another_district_is_refused_on_its_field(
        city: City, users: dict[str, User]) -> None:
    venue = pharmacy_venue(city.districts[1].persons[0])
    with pytest.raises(DomainError) as caught:
        reports.do_report_purchase(actor=actor(users["pharmacy1"]), drug_class="fever",
                                   id_number=city.districts[0].persons[0].id_number or "",
                                   bought_at=clock.now(), venue_id=venue.pk)
    assert caught.value.field == "venue_id" and not Purchase.objects.exists()
