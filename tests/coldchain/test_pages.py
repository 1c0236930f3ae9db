"""The pages answer: 403 without the right, 404 outside the area, and show the trace."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fangkong.coldchain import trace
from tests.coldchain.builders import Chain, chain
from tests.factories import PASSWORD, City


@pytest.fixture
def c(city: City) -> Chain:
    return chain(city)


def _client(name: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=name, password=PASSWORD)
    return client


def test_the_tracer_records_traces_and_acts_through_the_pages(c: Chain) -> None:
    tracer = _client("tracer1")
    when = (c.t0 + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = tracer.post("/coldchain/samples/", {"place_id": c.s1.pk, "kind": "packaging",
                                                "batch_code": "B1", "sampled_at": when})
    assert page.status_code == 302
    listing = tracer.get("/coldchain/samples/")
    assert "B1" in listing.content.decode()
    sample_id = listing.context["rows"][0][0].pk
    run = tracer.post(f"/coldchain/samples/{sample_id}/trace")
    assert run.status_code == 302
    shown = tracer.get(run.url).content.decode()
    assert "第1区进口冷链食品集中监管仓" in shown and "B2" in shown
    assert "1 place in other districts" in shown
    acted = tracer.post(run.url + "act", follow=True)
    assert "3 risk points drafted" in acted.content.decode()


def test_rights_and_areas(c: Chain) -> None:
    sample = trace.do_report_sample(actor=c.actors["tracer1"], place_id=c.w.pk,
                                    kind="packaging", batch_code="B3",
                                    sampled_at=c.t0 + dt.timedelta(days=6))
    run = trace.do_run_trace(actor=c.actors["tracer1"], sample_id=sample.pk)
    officer2, store1, viewer = _client("officer2"), _client("store1"), _client("viewer")
    assert officer2.get(f"/coldchain/traces/{run.pk}/").status_code == 404
    assert officer2.get(f"/coldchain/batches/{c.b2.pk}/").status_code == 404
    assert officer2.get(f"/coldchain/batches/{c.b1.pk}/").status_code == 200
    assert store1.get("/coldchain/samples/").status_code == 403
    assert store1.get("/coldchain/record/").status_code == 200
    assert viewer.get("/coldchain/record/").status_code == 403
    assert viewer.get("/coldchain/batches/").status_code == 403
    assert _client("tracer1").get("/coldchain/handlers/").status_code == 200


def test_the_record_page_names_the_bad_lines(c: Chain) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    store = _client("store1")
    bad = SimpleUploadedFile("m.csv", b"batch_code,from_place,to_place,moved_at,quantity_kg,"
                             b"client_key\nB1,W000001,V000110,not-a-time,1,z\n")
    page = store.post("/coldchain/record/movements/upload/", {"file": bad})
    assert page.status_code == 422
    assert "moved_at is not a date and time" in page.content.decode()
