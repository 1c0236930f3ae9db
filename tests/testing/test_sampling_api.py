"""The sampling API: upload (stored once however often it is sent), the live lookup, the
site's tube list, and who may use them (another district's sites → 404, no right → 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fangkong.core import clock
from fangkong.registry.models import Person
from fangkong.testing.models import Sample, ScanBatch, Tube
from fangkong.tracing.models import Case, Contact
from tests.factories import id_number
from tests.testing.builders import Round

BASE = "/api/v1/screening/sampling"


def client(rnd: Round, name: str) -> Client:
    c = Client()
    c.force_login(rnd.users[name])
    return c


def when(minutes: int = 0) -> str:
    return (clock.now() - dt.timedelta(minutes=60 - minutes)).isoformat()


def body(rnd: Round, events: list[dict[str, Any]], *, key: str = "phone-1-0000001",
         site: int = 0) -> dict[str, Any]:
    return {"client_key": key, "campaign": rnd.campaign.pk, "site": rnd.sites[site].pk,
            "device": "phone-1", "events": events}


def scans(tube: Tube, persons: list[Person]) -> list[dict[str, Any]]:
    return [{"type": "scan", "tube": tube.code, "at": when(n), "id_number": p.id_number}
            for n, p in enumerate(persons)]


def post(c: Client, payload: dict[str, Any]) -> Any:
    return c.post(f"{BASE}/batches", payload, content_type="application/json")


def test_upload_twice_stores_once(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    persons = rnd.city.districts[0].persons[:3]
    payload = body(rnd, [*scans(tube, persons),
                         {"type": "seal", "tube": tube.code, "at": when(10)}])
    c = client(rnd, "sampler1")
    first = post(c, payload)
    assert first.status_code == 200, first.content
    again = post(c, payload)
    assert again.status_code == 200
    one, two = first.json(), again.json()
    assert (one["resent"], two["resent"]) == (False, True)
    assert one["accepted"] == two["accepted"] == 4 and one["items"] == two["items"]
    assert all(item["message"] for item in one["items"])
    assert Sample.objects.count() == 3 and ScanBatch.objects.count() == 1
    assert all(p.name not in first.content.decode() for p in persons)


def test_rejected_items_come_back_with_their_codes(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    a = rnd.city.districts[0].persons[0]
    payload = body(rnd, [*scans(tube, [a, a]),
                         {"type": "scan", "tube": "NOPE", "at": when(), "id_number": "1"}])
    answer = post(client(rnd, "sampler1"), payload).json()
    assert [i["code"] for i in answer["items"]] == ["ok", "already_sampled", "unknown_tube"]
    assert answer["rejected"] == 2 and "NOPE" in answer["items"][2]["message"]


def test_bad_batches_answer_422(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    c = client(rnd, "sampler1")
    naive = body(rnd, [{"type": "scan", "tube": tube.code, "at": "2022-05-01T09:00:00",
                        "id_number": "1"}])
    assert post(c, naive).status_code == 422
    assert post(c, body(rnd, [], key="short")).json()["field"] == "client_key"
    assert not ScanBatch.objects.exists()


def test_another_districts_sampler_gets_404_and_stores_nothing(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    c = client(rnd, "sampler2")
    payload = body(rnd, scans(tube, rnd.city.districts[0].persons[:1]))
    assert post(c, payload).status_code == 404
    site = rnd.sites[0].pk
    person = rnd.city.districts[0].persons[0]
    assert c.get(f"{BASE}/lookup", {"site": site, "id_number": person.id_number}
                 ).status_code == 404
    assert c.get(f"{BASE}/sites/{site}/tubes").status_code == 404
    assert c.get(f"{BASE}/sites/{rnd.sites[2].pk}/tubes").status_code == 200
    assert not Sample.objects.exists()


@pytest.mark.parametrize("name", ["grid1", "organiser1", "lab1"])
def test_users_without_the_sampling_right_get_403(rnd: Round, name: str) -> None:
    c = client(rnd, name)
    tube = rnd.tubes[rnd.sites[0].pk][0]
    site = rnd.sites[0].pk
    assert post(c, body(rnd, scans(tube, rnd.city.districts[0].persons[:1]))
                ).status_code == 403
    assert c.get(f"{BASE}/lookup", {"site": site, "id_number": "1"}).status_code == 403
    assert c.get(f"{BASE}/sites/{site}/tubes").status_code == 403
    assert Client().get(f"{BASE}/sites/{site}/tubes").status_code == 401
    assert not Sample.objects.exists()


def test_lookup_masks_and_tells_the_table_what_to_do(rnd: Round) -> None:
    c = client(rnd, "sampler1")
    site = rnd.sites[0].pk
    a, b = rnd.city.districts[0].persons[:2]
    elsewhere = rnd.city.districts[1].persons[0]  # lives in district 2: still identified

    def look(number: str) -> dict[str, Any]:
        response = c.get(f"{BASE}/lookup", {"site": site, "id_number": number})
        assert response.status_code == 200
        return response.json()

    first = look(a.id_number or "")
    assert first["known"] and not first["already_sampled"] and not first["single_tube"]
    assert first["name"] != a.name and first["name"][0] == a.name[0]
    assert (a.id_number or "") not in str(first) and first["id_number"].count("*") == 11
    assert look(elsewhere.id_number or "")["known"]
    post(c, body(rnd, scans(rnd.tubes[site][0], [a])))
    assert look(a.id_number or "")["already_sampled"]
    case = Case.objects.create(person=a, classification="confirmed", sample_date=clock.city_today(),
                               result_at=clock.now(), confirmed_at=clock.now(),
                               created_at=clock.now())
    Contact.objects.create(person=b, index_case=case, contact_type="close", rule="household",
                           first_exposure=clock.now(), last_exposure=clock.now(),
                           identified_at=clock.now())
    assert (look(b.id_number or "")["single_tube"], look(b.id_number or "")["reason"]) == \
        (True, "contact")
    number = id_number(777, area="110101")
    visitor = look(number)
    assert (visitor["known"], visitor["valid"]) == (False, True)
    typo = number[:-1] + ("1" if number[-1] == "0" else "0")
    assert (look(typo)["known"], look(typo)["valid"]) == (False, False)


def test_tube_list_for_offline_checks(rnd: Round) -> None:
    site = rnd.sites[0]
    sealed = rnd.tubes[site.pk][2]
    Tube.objects.filter(pk=sealed.pk).update(status="sealed", members=3)
    answer = client(rnd, "sampler1").get(f"{BASE}/sites/{site.pk}/tubes").json()
    codes = {t["code"] for t in answer["tubes"]}
    assert codes == {t.code for t in rnd.tubes[site.pk][:2] + rnd.singles[site.pk]}
    assert answer["campaign"] == rnd.campaign.pk
    assert {t["capacity"] for t in answer["tubes"]} == {1, 10}
    assert not codes & {t.code for t in rnd.tubes[rnd.sites[1].pk]}
