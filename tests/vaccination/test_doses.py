"""Recording doses: a batch checked line by line (nothing stored with a bad line unless the
good ones are asked for), idempotent resends, conflicts, late doses re-deriving a person's
status, the rights, and the API and page answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fangkong.core.errors import DomainError, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.vaccination import doses, logic
from fangkong.vaccination.models import Dose
from tests.factories import City, make_user
from tests.vaccination.builders import csv_of, dose, freeze, grid_worker, vaccinator

pytestmark = pytest.mark.django_db

D1, D2, D3 = dt.date(2021, 5, 1), dt.date(2021, 6, 1), dt.date(2022, 1, 10)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: Any) -> None:
    freeze(monkeypatch)


def test_a_batch_is_stored_placed_at_the_residence_and_audited(city: City) -> None:
    a, b = city.districts[0].persons[0], city.districts[1].persons[0]
    answer = doses.do_record_doses(actor=vaccinator(city), rows=[
        dose(a, number=1, on=D1), dose(a, number=2, on=D2), dose(b, number=1, on=D1,
                                                                 product="AD5NCOV")])
    assert (answer.stored, answer.unchanged, answer.errors) == (3, 0, [])
    stored = Dose.objects.get(person=b)
    assert stored.grid_id == b.grid_id and stored.district_id == city.districts[1].unit.pk
    assert stored.counts_as == logic.FULL  # CanSino: one dose completes the series
    assert [d.counts_as for d in Dose.objects.filter(person=a).order_by("dose_number")] == [
        logic.PARTIAL, logic.FULL]
    audits = AuditLog.objects.filter(verb="vaccination.dose.record")
    assert audits.count() == 3 and audits.filter(grid_id=b.grid_id).count() == 1


def test_every_bad_line_is_named_and_nothing_is_stored(city: City) -> None:
    a, b = city.districts[0].persons[0], city.districts[0].persons[1]
    rows = [dose(a, number=1, on=D1),
            {**dose(a, number=2, on=D2), "id_number": "110101199001011235"},  # bad check char
            {**dose(b, number=1, on=D1), "product": "SPUTNIK"},
            {**dose(b, number=2, on=D2), "given_on": "2099-01-01"},
            {**dose(b, number=3, on=D3), "dose_number": "0"},
            {**dose(b, number=4, on=D3), "client_key": ""},
            {**dose(b, number=5, on=D3), "client_key": "k-dup"},
            {**dose(b, number=6, on=D3), "client_key": "k-dup"},
            {**dose(a, number=1, on=D2, key="k-other")},  # dose 1 of a twice in one file
            {**dose(a, number=7, on=D3), "id_number": "610102199901010019"}]  # nobody
    with pytest.raises(doses.BatchRefused) as refused:
        doses.do_import_doses(actor=vaccinator(city), data=csv_of(rows))
    errors = [(e["line"], e["field"]) for e in refused.value.answer.errors]
    assert errors == [(3, "id_number"), (4, "product"), (5, "given_on"), (6, "dose_number"),
                      (7, "client_key"), (9, "client_key"), (10, "dose_number"),
                      (11, "id_number")]
    assert not Dose.objects.exists() and not AuditLog.objects.exists()


def test_the_good_lines_when_asked(city: City) -> None:
    a = city.districts[0].persons[0]
    rows = [dose(a, number=1, on=D1), {**dose(a, number=2, on=D2), "product": "NOPE"}]
    answer = doses.do_import_doses(actor=vaccinator(city), data=csv_of(rows), store_good=True)
    assert answer.stored == 1 and [e["line"] for e in answer.errors] == [3]
    assert Dose.objects.count() == 1


def test_a_resend_stores_nothing_new_and_a_changed_key_is_refused(city: City) -> None:
    a = city.districts[0].persons[0]
    rows = [dose(a, number=1, on=D1), dose(a, number=2, on=D2)]
    site = vaccinator(city)
    doses.do_record_doses(actor=site, rows=rows)
    again = doses.do_record_doses(actor=site, rows=rows)
    assert (again.stored, again.unchanged) == (0, 2) and Dose.objects.count() == 2
    with pytest.raises(doses.BatchRefused) as refused:
        doses.do_record_doses(actor=site, rows=[{**rows[0], "given_on": "2021-05-02"}])
    assert refused.value.answer.errors[0]["field"] == "client_key"
    with pytest.raises(doses.BatchRefused) as taken:
        doses.do_record_doses(actor=site, rows=[dose(a, number=2, on=D3, key="new-key")])
    assert taken.value.answer.errors[0]["field"] == "dose_number"


def test_a_late_dose_re_derives_the_person_s_other_doses(city: City) -> None:
    a = city.districts[0].persons[0]
    site = vaccinator(city)
    doses.do_record_doses(actor=site, rows=[dose(a, number=1, on=D1),
                                            dose(a, number=3, on=D3)])
    assert sorted(Dose.objects.values_list("counts_as", flat=True)) == [1, 2]
    doses.do_record_doses(actor=site, rows=[dose(a, number=2, on=D2)])
    by_number = dict(Dose.objects.values_list("dose_number", "counts_as"))
    # 1 June 2021 completes the series; 10 January 2022 is 223 days later: a booster
    assert by_number == {1: logic.PARTIAL, 2: logic.FULL, 3: logic.BOOSTED}


def test_only_a_vaccinator_records(city: City) -> None:
    a = city.districts[0].persons[0]
    with pytest.raises(PermissionDenied):
        doses.do_record_doses(actor=grid_worker(city), rows=[dose(a, number=1, on=D1)])
    with pytest.raises(DomainError, match="no place"):
        from fangkong.core.jurisdiction import actor_for

        doses.do_record_doses(actor=actor_for(make_user("lost", unit=None,
                                                        roles=["vaccinator"])),
                              rows=[dose(a, number=1, on=D1)])


def test_a_bad_file_is_refused_whole(city: City) -> None:
    with pytest.raises(DomainError, match="header lacks") as caught:
        doses.do_import_doses(actor=vaccinator(city), data=b"id_number,product\n1,2\n")
    assert caught.value.field == "file"


def test_the_api_batch_and_csv(city: City, client: Client) -> None:
    a = city.districts[0].persons[0]
    vaccinator(city, name="vac-api")
    client.login(username="vac-api", password="pw-for-tests-only")
    body = {"doses": [{**dose(a, number=1, on=D1), "dose_number": 1}]}
    first = client.post("/api/v1/vaccination/doses", body, content_type="application/json")
    assert first.status_code == 200 and first.json()["stored"] == 1
    again = client.post("/api/v1/vaccination/doses", body, content_type="application/json")
    assert again.json()["unchanged"] == 1 and Dose.objects.count() == 1
    bad = {"doses": [{**dose(a, number=2, on=D2), "dose_number": 2, "product": "X"}]}
    refused = client.post("/api/v1/vaccination/doses", bad, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"line": 1, "field": "product",
                                         "message": refused.json()["errors"][0]["message"]}]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.csv", csv_of([dose(a, number=2, on=D2)]), "text/csv")
    got = client.post("/api/v1/vaccination/doses.csv", {"file": upload})
    assert got.status_code == 200 and got.json()["stored"] == 1


def test_the_api_refuses_without_the_right(city: City, client: Client) -> None:
    grid_worker(city)
    client.login(username="grid00", password="pw-for-tests-only")
    answer = client.post("/api/v1/vaccination/doses", {"doses": []},
                         content_type="application/json")
    assert answer.status_code == 403


def test_the_site_page_records_one_dose(city: City, client: Client) -> None:
    a = city.districts[1].persons[2]
    vaccinator(city, name="vac-page")
    client.login(username="vac-page", password="pw-for-tests-only")
    assert client.get("/vaccination/record/").status_code == 200
    form = {"id_number": a.id_number, "product": "BBIBP", "dose_number": "1",
            "given_on": "2021-05-01", "site": "S-7", "client_key": "page-1"}
    answer = client.post("/vaccination/record/", form)
    assert answer.status_code == 302 and Dose.objects.get().site == "S-7"
    page = client.get("/vaccination/record/").content.decode()
    assert a.id_number not in page and a.id_number[-4:] in page  # shown masked
    wrong = client.post("/vaccination/record/", {**form, "client_key": "page-2"})
    assert wrong.status_code == 422 and "dose 1 recorded already" in wrong.content.decode()
    assert client.get("/vaccination/").status_code == 403  # a site reads no coverage
