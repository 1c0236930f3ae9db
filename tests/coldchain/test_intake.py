"""Intake: batches and movements one by one and as CSV lists (bad lines named, nothing
stored; the same list again stores nothing twice), places and handlers, and scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fangkong.coldchain import intake, queries
from fangkong.coldchain.models import Batch, Movement
from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from tests.coldchain.builders import Chain, chain
from tests.factories import City


@pytest.fixture
def c(city: City) -> Chain:
    return chain(city)


def _when(days: float) -> str:
    return (clock.now() - dt.timedelta(days=days)).isoformat()


def test_a_movement_list_with_bad_lines_is_refused_line_by_line(c: Chain) -> None:
    before = Movement.objects.count()
    data = ("batch_code,from_place,to_place,moved_at,quantity_kg,client_key\n"
            f"B1,W000001,V000110,{_when(8)},10,good-1\n"
            f"NOPE,W000001,V000110,{_when(8)},10,bad-1\n"
            f"B1,W000001,V000110,yesterday,10,bad-2\n"
            f"B1,W000001,V000110,{_when(8)},-3,bad-3\n"
            f"B1,W000001,V000200,{_when(8)},10,\n").encode()
    with pytest.raises(intake.ListRefused) as refused:
        intake.do_import_movements(actor=c.actors["store1"], data=data)
    assert [(e["line"], e["field"]) for e in refused.value.answer.errors] == [
        (3, "batch_code"), (4, "moved_at"), (5, "quantity_kg"), (6, "client_key")]
    assert Movement.objects.count() == before


def test_the_good_lines_on_request_and_a_resend_stores_nothing_twice(c: Chain) -> None:
    data = ("batch_code,from_place,to_place,moved_at,quantity_kg,client_key\n"
            f"B2,V000110,V000200,{_when(5)},10,csv-1\n"
            f"B2,V000110,V000200,{_when(5)},oops,csv-2\n").encode()
    answer = intake.do_import_movements(actor=c.actors["store1"], data=data, store_good=True)
    assert (answer.stored, answer.unchanged, len(answer.errors)) == (1, 0, 1)
    again = intake.do_import_movements(actor=c.actors["store1"], data=data, store_good=True)
    assert (again.stored, again.unchanged) == (0, 1)
    assert Movement.objects.filter(client_key="csv-1").count() == 1


def test_a_batch_list_and_its_resend(c: Chain) -> None:
    data = ("code,product,origin_country,port,arrived_at,quantity_kg,entry_place,nat_result\n"
            f"C1,冻牛肉,Brazil,上海港,{_when(2)},500,W000001,negative\n"
            f"C2,冻虾,Ecuador,天津港,{_when(2)},500,V000200,negative\n"  # district 2's shop
            f"C3,冻虾,Ecuador,天津港,{_when(2)},500,W000001,maybe\n").encode()
    with pytest.raises(intake.ListRefused) as refused:
        intake.do_import_batches(actor=c.actors["store1"], data=data)
    assert [(e["line"], e["field"]) for e in refused.value.answer.errors] == [
        (3, "entry_place"), (4, "nat_result")]
    assert not Batch.objects.filter(code="C1").exists()
    good = data.decode().splitlines()[:2]
    answer = intake.do_import_batches(actor=c.actors["store1"], data="\n".join(good).encode())
    assert answer.stored == 1
    assert Movement.objects.filter(batch__code="C1", from_place=None).count() == 1
    assert intake.do_import_batches(actor=c.actors["store1"],
                                    data="\n".join(good).encode()).unchanged == 1


def test_a_file_without_the_columns_is_refused_whole(c: Chain) -> None:
    with pytest.raises(DomainError) as err:
        intake.do_import_movements(actor=c.actors["store1"], data=b"batch_code,to_place\nB1,x\n")
    assert err.value.field == "file"


def test_a_store_records_only_movements_touching_its_places(c: Chain) -> None:
    with pytest.raises(DomainError) as err:  # both ends in district 1
        intake.do_record_movement(actor=c.actors["store2"], batch_code="B1",
                                  from_place="W000001", to_place="V000110",
                                  moved_at=_when(3), quantity_kg="5", client_key="x2")
    assert err.value.field == "to_place"
    with pytest.raises(PermissionDenied):
        intake.do_record_movement(actor=c.actors["tracer1"], batch_code="B1",
                                  to_place="V000110", moved_at=_when(3), quantity_kg="5",
                                  client_key="x3")


def test_a_movement_before_the_batch_arrived_is_refused(c: Chain) -> None:
    with pytest.raises(DomainError) as err:
        intake.do_record_movement(actor=c.actors["store1"], batch_code="B3",
                                  from_place="W000001", to_place="V000110",
                                  moved_at=_when(9), quantity_kg="5", client_key="early")
    assert err.value.field == "moved_at"


def test_the_second_district_sees_only_batches_that_reached_it(c: Chain) -> None:
    theirs = {b.code for b in queries.batches_for(c.actors["officer2"])}
    assert theirs == {"B1"}  # B1 was moved to S2; B2 and B3 never left district 1
    assert {b.code for b in queries.batches_for(c.actors["admin"])} == {"B1", "B2", "B3"}
    with pytest.raises(NotFound):
        queries.batch_detail(c.actors["officer2"], batch_id=c.b2.pk)
    chain_seen = queries.batch_detail(c.actors["officer2"], batch_id=c.b1.pk)
    assert len(chain_seen.movements) == 4  # the whole chain: port→W, W→M, W→S2, M→S1


def test_api_resend_answers_200_and_refused_list_422(c: Chain, client: Client) -> None:
    client.login(username="store1", password="pw-for-tests-only")
    body = {"batch_code": "B1", "from_place": "W000001", "to_place": "V000110",
            "moved_at": _when(7), "quantity_kg": "3", "client_key": "api-1"}
    first = client.post("/api/v1/coldchain/movements", body, content_type="application/json")
    again = client.post("/api/v1/coldchain/movements", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    bad = client.post("/api/v1/coldchain/movements/upload", {"file": _file(
        "batch_code,from_place,to_place,moved_at,quantity_kg,client_key\nB9,,V000110,x,1,k\n")})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["line"] == 2
    assert client.get("/api/v1/coldchain/batches").status_code == 403  # a store reads nothing


def _file(text: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("m.csv", text.encode(), content_type="text/csv")
