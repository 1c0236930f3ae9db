"""Fever-clinic visits: placed at the residence (or the clinic), stored once per client key,
a fever without a sample opens one follow-up, bad input named by field, a CSV day line by
line, and the second district sees none of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core.errors import DomainError
from fangkong.core.models import AuditLog
from fangkong.healthcode.reports import CsvRefused
from fangkong.registry.models import Venue
from fangkong.warning import clinic
from fangkong.warning.models import ClinicVisit, FollowUp, FollowUpKind
from tests.factories import PASSWORD, City
from tests.warning.builders_sentinel import SUMMER, actor, hospital, move_clock, sentinel_users


@pytest.fixture
def users(city: City, monkeypatch: pytest.MonkeyPatch) -> dict[str, User]:
    move_clock(monkeypatch, SUMMER)
    hospital(city, 0)
    hospital(city, 1)
    return sentinel_users(city)


def visit(user: User, **values: Any) -> clinic.Stored:
    fields: dict[str, Any] = {"client_key": "k1", "visited_at": SUMMER.isoformat(),
                              "temperature": "38.2", "sampled": False, **values}
    return clinic.do_report_visit(actor=actor(user), **fields)


def test_a_resident_is_placed_at_home_and_a_fever_without_sample_is_followed_up(
        city: City, users: dict[str, User]) -> None:
    resident = city.districts[0].persons[5]  # lives in the district's second grid
    stored = visit(users["clinic1"], id_number=resident.id_number or "")
    assert stored.created and stored.visit.person == resident
    assert stored.visit.grid_id == resident.grid_id != city.districts[0].grids[0].pk
    follow = FollowUp.objects.get(kind=FollowUpKind.CLINIC, source_id=stored.visit.pk)
    assert follow.person == resident and follow.grid_id == resident.grid_id
    assert follow.due_at - follow.created_at == dt.timedelta(hours=24)
    assert AuditLog.objects.filter(verb="warning.clinic.visit").count() == 1
    again = visit(users["clinic1"], id_number=resident.id_number or "")
    assert not again.created and again.visit.pk == stored.visit.pk
    assert ClinicVisit.objects.count() == 1 and FollowUp.objects.count() == 1


def test_an_unknown_person_is_kept_by_name_and_phone_at_the_clinic(
        city: City, users: dict[str, User]) -> None:
    stored = visit(users["clinic1"], name="赵六", phone="13511112222", sampled=True)
    assert stored.visit.person is None and stored.visit.grid_id == city.districts[0].grids[0].pk
    assert not FollowUp.objects.exists()  # sampled: the lab result will tell


@pytest.mark.parametrize(("values", "field"), [
    ({"temperature": "hot"}, "temperature"), ({"temperature": "45"}, "temperature"),
    ({"name": ""}, "name"), ({"phone": ""}, "phone"),
    ({"id_number": "12345"}, "id_number"), ({"visited_at": "2030-01-01T00:00"}, "visited_at"),
    ({"clinic_id": 10**6}, "clinic_id")])
def test_bad_input_is_refused_on_its_field(city: City, users: dict[str, User],
                                           values: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        visit(users["clinic1"], **{"name": "赵六", "phone": "13511112222", **values})
    assert caught.value.field == field and not ClinicVisit.objects.exists()


def test_no_fever_opens_nothing(city: City, users: dict[str, User]) -> None:
    visit(users["clinic1"], id_number=city.districts[0].persons[0].id_number or "",
          temperature="37.2")
    assert not FollowUp.objects.exists()


def test_the_fever_line_follows_the_version_in_force(city: City,
                                                     users: dict[str, User]) -> None:
    """Raise the line to 38.5 ℃ in the version in force: 38.2 no longer opens a follow-up."""
    from fangkong.warning.models import WarningPolicy
    from fangkong.warning.policy import warning_policy_in_force

    version = warning_policy_in_force(on=SUMMER.date())
    WarningPolicy.objects.filter(pk=version.pk).update(
        params={**version.params, "fever_celsius": 38.5})
    visit(users["clinic1"], id_number=city.districts[0].persons[0].id_number or "")
    assert not FollowUp.objects.exists()
    visit(users["clinic1"], client_key="k2", temperature="38.5",
          id_number=city.districts[0].persons[1].id_number or "")
    assert FollowUp.objects.count() == 1


def _csv(city: City) -> bytes:
    a, b = city.districts[0].persons[0], city.districts[1].persons[0]
    when = SUMMER.isoformat()
    return ("client_key,visited_at,temperature,sampled,id_number,name,phone\n"
            f"c1,{when},38.5,no,{a.id_number},,\n"
            f"c2,{when},38.5,maybe,{b.id_number},,\n"
            f"c3,{when},36.6,yes,{b.id_number},,\n"
            f"c4,{when},39,no,,,\n").encode()


def test_a_csv_day_reports_bad_lines_and_stores_nothing_unless_asked(
        city: City, users: dict[str, User]) -> None:
    clinic1 = actor(users["clinic1"])
    with pytest.raises(CsvRefused) as caught:
        clinic.do_import_visits(actor=clinic1, data=_csv(city))
    assert [(e["line"], e["field"]) for e in caught.value.answer.errors] == [
        (3, "sampled"), (5, "name")]
    assert not ClinicVisit.objects.exists() and not FollowUp.objects.exists()
    answer = clinic.do_import_visits(actor=clinic1, data=_csv(city), store_good=True)
    assert (answer.stored, answer.unchanged, len(answer.errors)) == (2, 0, 2)
    again = clinic.do_import_visits(actor=clinic1, data=_csv(city), store_good=True)
    assert (again.stored, again.unchanged) == (0, 2) and ClinicVisit.objects.count() == 2
    assert FollowUp.objects.count() == 1  # c1: fever, no sample


def test_a_csv_without_its_columns_is_refused(city: City, users: dict[str, User]) -> None:
    with pytest.raises(DomainError) as caught:
        clinic.do_import_visits(actor=actor(users["clinic1"]), data=b"id,when\n1,2\n")
    assert caught.value.field == "file" and "client_key" in caught.value.message


def test_a_clinic_of_another_district_cannot_be_reported_for(
        city: City, users: dict[str, User]) -> None:
    other = Venue.objects.get(venue_code="H1")
    with pytest.raises(DomainError) as caught:
        visit(users["clinic1"], clinic_id=other.pk, name="赵六", phone="13511112222")
    assert caught.value.field == "clinic_id"


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_counter_page_records_a_visit_and_names_a_bad_field(
        city: City, users: dict[str, User]) -> None:
    web = _client(users["clinic1"])
    assert web.get("/warning/clinic/").status_code == 200
    resident = city.districts[0].persons[0]
    form = {"id_number": resident.id_number, "visited_at": "2022-06-01T11:30",
            "temperature": "38.0", "client_key": "web-1"}
    assert web.post("/warning/clinic/visit/", form).status_code == 302
    assert web.post("/warning/clinic/visit/", form).status_code == 302  # resent: once
    assert ClinicVisit.objects.get().person == resident
    bad = web.post("/warning/clinic/visit/", {**form, "id_number": "", "client_key": "web-2"})
    assert bad.status_code == 422 and b"give the name" in bad.content
    assert _client(users["officer1"]).get("/warning/clinic/").status_code == 403


def test_the_api_answers_each_row_by_its_key(city: City, users: dict[str, User]) -> None:
    rows = [{"client_key": "a", "visited_at": SUMMER.isoformat(), "temperature": 38.1,
             "id_number": city.districts[0].persons[0].id_number},
            {"client_key": "b", "visited_at": SUMMER.isoformat()}]
    answer = _client(users["clinic1"]).post("/api/v1/warning/clinic/visits", {"rows": rows},
                                            content_type="application/json").json()
    assert [(a["client_key"], a["status"]) for a in answer] == [("a", "stored"),
                                                                ("b", "refused")]
    assert answer[1]["field"] == "name"
