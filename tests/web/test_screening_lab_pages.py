"""Lab and transport pages with the Django test client: the lab receives a box by its code
and uploads results (bad lines listed by number, nothing stored unless the good rows are
asked for), the retest list shows held people by grid, the tube and box pages show the chain
of custody; a second district's officer gets 404 or an empty list, the wrong role 403."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fangkong.testing.models import Box, ResultImport, Tube
from tests.factories import City
from tests.testing.builders import Round, make_round
from tests.testing.test_lab import csv_of, deliver, swab, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(city: City) -> Round:
    return make_round(city)


def login(rnd: Round, name: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the assertions read the English wording
    client.force_login(rnd.users[name])
    return client


def upload(client: Client, rnd: Round, text: str, key: str, accept_good: bool = False):  # type: ignore[no-untyped-def]
    data = {"lab": rnd.labs[0].pk, "client_key": key,
            "file": SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")}
    if accept_good:
        data["accept_good"] = "on"
    return client.post("/screening/lab/results/", data)


def test_lab_page_rights(rnd: Round) -> None:
    assert login(rnd, "lab1").get("/screening/lab/").status_code == 200
    assert login(rnd, "organiser1").get("/screening/lab/").status_code == 403
    assert Client().get("/screening/lab/").status_code == 302


def test_receive_a_box_by_its_code(rnd: Round) -> None:
    from fangkong.core.jurisdiction import actor_for
    from fangkong.testing import actions_lab as lab

    tube = swab(rnd.tubes[rnd.sites[0].pk][0], list(rnd.city.districts[0].persons)[:2])
    sampler = actor_for(rnd.users["sampler1"])
    box = lab.do_create_box(actor=sampler, site_id=rnd.sites[0].pk, code="BOX-77")
    lab.do_box_tubes(actor=sampler, box_id=box.pk, codes=[tube.code])
    lab.do_seal_box(actor=sampler, box_id=box.pk)
    lab.do_hand_over(actor=sampler, box_id=box.pk, courier="李师傅")
    client = login(rnd, "lab1")
    page = client.get("/screening/lab/").content.decode()
    assert "BOX-77" in page and "李师傅" in page
    wrong = client.post("/screening/lab/receive/", {"code": "NOPE", "lab": rnd.labs[0].pk})
    assert wrong.status_code == 422 and "NOPE" in wrong.content.decode()
    done = client.post("/screening/lab/receive/", {"code": "BOX-77"}, follow=True)
    assert done.status_code == 200 and "BOX-77" in done.content.decode()
    assert Box.objects.get(code="BOX-77").received_at is not None
    assert Tube.objects.get(pk=tube.pk).status == "received"


def test_upload_lists_bad_lines_and_imports_only_when_asked(rnd: Round) -> None:
    tube = swab(rnd.tubes[rnd.sites[0].pk][0], list(rnd.city.districts[0].persons)[:2])
    deliver(rnd, [tube])
    client = login(rnd, "lab1")
    text = csv_of(f"{tube.code},negative,,{when()}", f"X1,positive,,{when()}",
                  f"X2,bad,,{when()}")
    refused = upload(client, rnd, text, "w1")
    body = refused.content.decode()
    assert refused.status_code == 422 and not ResultImport.objects.exists()
    assert "<td class=\"num mono\">3</td>" in body and "<td class=\"num mono\">4</td>" in body
    done = upload(client, rnd, text, "w1", accept_good=True)
    assert done.status_code == 302 and ResultImport.objects.count() == 1
    shown = client.get(done["Location"]).content.decode()
    assert "not received by this lab" in shown
    assert upload(client, rnd, text, "w1", accept_good=True).status_code == 302  # resend
    assert ResultImport.objects.count() == 1
    conflict = upload(client, rnd, csv_of(f"{tube.code},positive,30,{when()}"), "w2")
    assert conflict.status_code == 409 and Tube.objects.get(pk=tube.pk).result == "negative"


def test_retest_list_by_jurisdiction(rnd: Round) -> None:
    people = list(rnd.city.districts[0].persons)
    pool = swab(rnd.tubes[rnd.sites[0].pk][0], people[:4])
    deliver(rnd, [pool])
    upload(login(rnd, "lab1"), rnd, csv_of(f"{pool.code},positive,27,{when()}"), "p1")
    url = f"/screening/campaigns/{rnd.campaign.pk}/retests/"
    page = login(rnd, "organiser1").get(url).content.decode()
    assert all(p.name in page for p in people[:4]) and pool.code in page
    assert people[0].phone not in page  # masked
    other = login(rnd, "organiser2").get(url)
    assert other.status_code == 200 and not any(p.name in other.content.decode()
                                                for p in people[:4])
    assert login(rnd, "lab1").get(url).status_code == 403


def test_tube_and_box_pages_show_the_chain(rnd: Round) -> None:
    tube = swab(rnd.tubes[rnd.sites[0].pk][0], list(rnd.city.districts[0].persons)[:2])
    box = deliver(rnd, [tube])
    organiser = login(rnd, "organiser1")
    page = organiser.get(f"/screening/tubes/{tube.pk}/").content.decode()
    for step in ("opened at the table", "sealed", "boxed", "handed over", "received"):
        assert step in page
    assert box.code in page and "王师傅" in page
    assert organiser.get(f"/screening/boxes/{box.pk}/").status_code == 200
    second = login(rnd, "organiser2")
    assert second.get(f"/screening/tubes/{tube.pk}/").status_code == 404
    assert second.get(f"/screening/boxes/{box.pk}/").status_code == 404
    assert login(rnd, "sampler1").get(f"/screening/tubes/{tube.pk}/").status_code == 403
