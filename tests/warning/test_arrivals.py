"""Arrivals at a checkpoint: matching, the code's report, the test schedule, follow-ups,
idempotent resends, CSV lists refused line by line, and scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.healthcode.models import Arrival
from fangkong.warning import arrivals
from fangkong.warning.models import ArrivalBatch, ArrivalRecord, ArrivalTest, FollowUp
from tests.factories import City
from tests.warning.builders_arrivals import ARRIVED, LATE, actor, checkpoint, csv_of, fields, origin

pytestmark = pytest.mark.django_db


def test_a_matched_arrival_from_a_listed_origin(city: City) -> None:
    person = city.districts[0].persons[0]
    origin(code="WH")
    stored = arrivals.do_record_arrival(actor=checkpoint(city), **fields(person, origin="wh"))
    row = stored.record
    assert stored.created and row.person == person and row.grid_id == person.grid_id
    assert row.risk_origin is not None
    days = [t.due_date for t in ArrivalTest.objects.filter(record=row).order_by("sequence")]
    first = ARRIVED.date()
    assert days == [first + dt.timedelta(days=d) for d in (0, 1, 2, 4, 6)]
    code = Arrival.objects.get(person=person)
    assert code.from_risk_area and row.code_arrival == code
    follow = FollowUp.objects.get(kind="arrival", source_id=row.pk)
    assert follow.grid_id == person.grid_id and "listed" in follow.summary
    assert AuditLog.objects.filter(verb="warning.arrival.record").count() == 1


def test_an_unlisted_origin_owes_one_test_and_no_follow_up(city: City) -> None:
    person = city.districts[0].persons[1]
    origin(code="WH", until=dt.date(2022, 5, 9))  # off the list the day before
    row = arrivals.do_record_arrival(actor=checkpoint(city),
                                     **fields(person, origin="WH")).record
    assert row.risk_origin is None
    assert [t.due_date for t in row.tests.all()] == [ARRIVED.date() + dt.timedelta(days=3)]
    assert not FollowUp.objects.exists()
    assert not Arrival.objects.get(person=person).from_risk_area


def test_after_december_2022_no_tests_are_owed(city: City) -> None:
    person = city.districts[0].persons[0]
    origin(code="WH", since=dt.date(2022, 12, 1))
    row = arrivals.do_record_arrival(actor=checkpoint(city),
                                     **fields(person, when=LATE, origin="WH")).record
    assert row.risk_origin is not None and not row.tests.exists()
    assert FollowUp.objects.filter(source_id=row.pk).exists()  # listed: the grid still calls


def test_matching_by_phone_and_name_and_the_unknown(city: City) -> None:
    person = city.districts[1].persons[0]
    cp = checkpoint(city)
    by_phone = arrivals.do_record_arrival(actor=cp, **fields(name=person.name,
                                                             phone=person.phone)).record
    # two residents share the phone and the name in the small city: only exact fits match
    assert by_phone.person in (person, None)
    stranger = arrivals.do_record_arrival(actor=cp, **fields(
        name="路人甲", phone="13312345678", origin="上海")).record
    assert stranger.person is None and stranger.grid_id is None
    assert stranger.district_id is None  # the checkpoint is the city's: the city places them
    follow = FollowUp.objects.get(source_id=stranger.pk)
    assert follow.person is None and "not in the registry" in follow.summary
    assert not stranger.tests.exists()


def test_a_unique_phone_and_name_match(city: City) -> None:
    person = city.districts[1].persons[0]
    person.phone = "13611112222"
    person.save()
    row = arrivals.do_record_arrival(actor=checkpoint(city), **fields(
        name=person.name, phone="13611112222")).record
    assert row.person == person and row.district_id == city.districts[1].unit.pk


def test_resends_are_stored_once(city: City) -> None:
    person = city.districts[0].persons[0]
    cp = checkpoint(city)
    first = arrivals.do_record_arrival(actor=cp, **fields(person, key="k1"))
    again = arrivals.do_record_arrival(actor=cp, **fields(person, key="k1"))
    assert first.created and not again.created and again.record == first.record
    nokey = arrivals.do_record_arrival(actor=cp, **fields(person, when=ARRIVED
                                                          + dt.timedelta(hours=1)))
    nokey_again = arrivals.do_record_arrival(actor=cp, **fields(person, when=ARRIVED
                                                                + dt.timedelta(hours=1)))
    assert not nokey_again.created and nokey_again.record == nokey.record
    assert ArrivalRecord.objects.count() == 2 and Arrival.objects.count() == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"source": "boat"}, "source"), ({"checkpoint": ""}, "checkpoint"),
    ({"arrived_at": "yesterday"}, "arrived_at"), ({"id_number": "123"}, "id_number"),
    ({"phone": "call me"}, "phone"), ({"origin": "x" * 101}, "origin"),
])
def test_bad_fields_are_named(city: City, change: dict[str, str], field: str) -> None:
    given = fields(city.districts[0].persons[0]) | change
    with pytest.raises(DomainError) as caught:
        arrivals.do_record_arrival(actor=checkpoint(city), **given)
    assert caught.value.field == field
    assert not ArrivalRecord.objects.exists()


def test_nobody_to_match_is_refused(city: City) -> None:
    with pytest.raises(DomainError) as caught:
        arrivals.do_record_arrival(actor=checkpoint(city), **fields(name="只有名字"))
    assert caught.value.field == "id_number"


def test_a_grid_worker_may_not_record(city: City) -> None:
    worker = actor(city, who="gw", roles=("grid_worker",))
    with pytest.raises(PermissionDenied):
        arrivals.do_record_arrival(actor=worker, **fields(city.districts[0].persons[0]))


def test_a_bad_list_stores_nothing_and_names_each_line(city: City) -> None:
    p0, p1 = city.districts[0].persons[:2]
    data = csv_of(f"station,西安北站,2022-05-10T09:00:00+08:00,{p0.id_number},,,武汉",
                  f"boat,西安北站,2022-05-10T09:00:00+08:00,{p1.id_number},,,",
                  "station,西安北站,not-a-time,,张三,13800001111,",
                  "station,西安北站,2022-05-10T09:05:00+08:00,,张三,,")
    with pytest.raises(arrivals.ListRefused) as caught:
        arrivals.do_import_arrivals(actor=checkpoint(city), data=data)
    assert [(e["line"], e["field"]) for e in caught.value.answer.errors] == [
        (3, "source"), (4, "arrived_at"), (5, "id_number")]
    assert not ArrivalRecord.objects.exists() and not ArrivalBatch.objects.exists()
    assert not Arrival.objects.exists() and not FollowUp.objects.exists()
    answer = arrivals.do_import_arrivals(actor=checkpoint(city), data=data, store_good=True)
    assert (answer.stored, answer.matched, len(answer.errors)) == (1, 1, 3)
    batch = ArrivalBatch.objects.get()
    assert (batch.rows, batch.matched, batch.rejected) == (4, 1, 3)


def test_a_list_sent_twice_is_stored_once(city: City) -> None:
    people = city.districts[0].persons[:3]
    data = csv_of(*(f"airport,咸阳机场,2022-05-10T0{i}:00:00+08:00,{p.id_number},,,北京"
                    for i, p in enumerate(people)))
    first = arrivals.do_import_arrivals(actor=checkpoint(city), data=data, file_name="a.csv")
    again = arrivals.do_import_arrivals(actor=checkpoint(city), data=data, file_name="a.csv")
    assert (first.stored, again.stored, again.unchanged) == (3, 0, 3)
    assert ArrivalRecord.objects.count() == 3


def test_a_file_without_the_columns_is_refused(city: City) -> None:
    with pytest.raises(DomainError, match="header lacks"):
        arrivals.do_import_arrivals(actor=checkpoint(city), data=b"id_number\n1\n")


def test_the_other_district_sees_none_of_it(city: City) -> None:
    person = city.districts[0].persons[0]
    arrivals.do_record_arrival(actor=checkpoint(city), **fields(person))
    mine = actor(city, who="officer1", unit=0)
    other = actor(city, who="officer2", unit=1)
    assert arrivals.arrivals_for(mine).count() == 1
    assert not arrivals.arrivals_for(other).exists()


def test_the_api_scopes_and_masks(city: City, client) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    person = city.districts[0].persons[0]
    row = arrivals.do_record_arrival(actor=checkpoint(city), **fields(
        person, phone="13912345678")).record
    actor(city, who="officer1", unit=0)
    actor(city, who="officer2", unit=1)
    client.force_login(User.objects.get(username="officer1"))
    got = client.get(f"/api/v1/warning/arrivals/{row.pk}").json()
    assert got["phone"] == "139****5678" and got["id_number"].startswith("610***")
    assert len(got["tests"]) == 1
    client.force_login(User.objects.get(username="officer2"))
    assert client.get(f"/api/v1/warning/arrivals/{row.pk}").status_code == 404
    assert client.get("/api/v1/warning/arrivals").json() == []
    assert client.get("/warning/arrivals/").status_code == 200


def test_the_api_records_and_answers_a_resend(city: City, client) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    checkpoint(city)
    client.force_login(User.objects.get(username="checkpoint1"))
    body = {"source": "highway", "checkpoint": "G30", "arrived_at": ARRIVED.isoformat(),
            "id_number": city.districts[0].persons[0].id_number, "client_key": "dev-1"}
    first = client.post("/api/v1/warning/arrivals", body, content_type="application/json")
    again = client.post("/api/v1/warning/arrivals", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["matched"] and first.json()["id"] == again.json()["id"]
    bad = client.post("/api/v1/warning/arrivals", body | {"client_key": "", "source": "x"},
                      content_type="application/json")
    assert bad.status_code == 422
    assert client.get("/api/v1/warning/arrivals").status_code == 403  # reads nothing back


def test_out_of_scope_origin_end_is_not_found(city: City) -> None:
    from fangkong.warning import origins

    with pytest.raises(NotFound):
        origins.do_end_origin(actor=actor(city), origin_id=999, listed_until=ARRIVED.date())
