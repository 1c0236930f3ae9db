"""Pages of facilities, assignment and transport: they render, their forms act through the
actions, bad input answers 422 naming the field, and district 2 sees none of district 1."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from fangkong.quarantine.models import (
    Facility,
    OrderStatus,
    QuarantineOrder,
    Room,
    RoomState,
    TransportBatch,
)
from tests.factories import City
from tests.quarantine.builders import make_facility, make_order

T0 = dt.datetime(2022, 7, 1, 10, tzinfo=dt.UTC)


def _en(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_register_a_facility_and_see_it_listed(city: City, officer1: Client) -> None:
    _en(officer1)
    page = officer1.get(reverse("quarantine_facilities"))
    assert page.status_code == 200 and "Register a facility" in page.content.decode()
    bad = officer1.post(reverse("quarantine_facility_add"), {
        "code": "bad code", "name": "H", "unit_id": city.districts[0].unit.pk})
    assert bad.status_code == 422 and "1 to 32 letters" in bad.content.decode()
    done = officer1.post(reverse("quarantine_facility_add"), {
        "code": "H9", "name": "海淀隔离酒店", "unit_id": city.districts[0].unit.pk})
    f = Facility.objects.get(code="H9")
    assert done.status_code == 302 and done["Location"] == reverse("quarantine_facility",
                                                                   args=[f.pk])
    assert "海淀隔离酒店" in officer1.get(reverse("quarantine_facilities")).content.decode()


def test_floor_plan_rooms_roster_and_status(city: City, officer1: Client) -> None:
    _en(officer1)
    d1 = city.districts[0]
    f = make_facility(unit=d1.unit, rooms=2, family_rooms=0)
    order = make_order(d1.persons[0], exposure=T0)
    room = Room.objects.get(facility=f, number="101")
    order.facility, order.room = f, room
    order.save()
    Room.objects.filter(pk=room.pk).update(state=RoomState.OCCUPIED)
    url = reverse("quarantine_facility", args=[f.pk])
    html = officer1.get(url).content.decode()
    assert 'class="room room-occupied" id="room-101"' in html
    assert d1.persons[0].name not in html and d1.persons[0].name[0] + "*" in html  # masked
    added = officer1.post(reverse("quarantine_rooms_add", args=[f.pk]), {
        "first_floor": 5, "floors": 1, "rooms_per_floor": 2, "capacity": 1})
    assert added.status_code == 302 and Room.objects.filter(facility=f, floor=5).count() == 2
    dup = officer1.post(reverse("quarantine_rooms_add", args=[f.pk]), {
        "first_floor": 5, "floors": 1, "rooms_per_floor": 1, "capacity": 1})
    assert dup.status_code == 422 and "501" in dup.content.decode()
    out = officer1.post(reverse("quarantine_room_state", args=[f.pk, room.pk]),
                        {"state": "ready"})
    assert out.status_code == 422 and "released" in out.content.decode()
    shift = officer1.post(reverse("quarantine_shift_add", args=[f.pk]), {
        "name": "王医生", "role": "medical", "starts_at": "2030-01-01T08:00",
        "ends_at": "2030-01-08T08:00"})
    assert shift.status_code == 302 and "王医生" in officer1.get(url).content.decode()
    closing = officer1.post(reverse("quarantine_facility_status", args=[f.pk]),
                            {"status": "closed"})
    assert closing.status_code == 422 and Facility.objects.get(pk=f.pk).status == "active"


def test_assign_then_batch_then_arrive(city: City, officer1: Client) -> None:
    _en(officer1)
    d1 = city.districts[0]
    f = make_facility(unit=d1.unit, rooms=4, family_rooms=0)
    orders = [make_order(p, exposure=T0) for p in d1.persons[:2]]
    page = officer1.get(reverse("quarantine_assign")).content.decode()
    assert "2 people waiting: 2 placed by this plan" in page
    assert officer1.post(reverse("quarantine_assign_apply")).status_code == 302
    assert QuarantineOrder.objects.filter(facility=f, room__isnull=False).count() == 2
    form = officer1.get(reverse("quarantine_batches") + f"?facility={f.pk}").content.decode()
    assert 'name="order_ids"' in form
    made = officer1.post(reverse("quarantine_batch_add"), {
        "facility_id": f.pk, "vehicle": "陕A12345", "order_ids": [o.pk for o in orders]})
    batch = TransportBatch.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("quarantine_batch",
                                                                   args=[batch.pk])
    officer1.post(reverse("quarantine_batch_depart", args=[batch.pk]))
    officer1.post(reverse("quarantine_batch_arrive", args=[batch.pk]))
    assert all(o.status == OrderStatus.IN_FACILITY for o in QuarantineOrder.objects.all())
    html = officer1.get(reverse("quarantine_batch", args=[batch.pk])).content.decode()
    assert "arrived" in html


def test_empty_batch_names_the_field(city: City, officer1: Client) -> None:
    _en(officer1)
    f = make_facility(unit=city.districts[0].unit, rooms=1, family_rooms=0)
    bad = officer1.post(reverse("quarantine_batch_add"), {"facility_id": f.pk})
    assert bad.status_code == 422 and not TransportBatch.objects.exists()


def test_district_2_sees_nothing_of_district_1(city: City, officer1: Client,
                                               officer2: Client) -> None:
    f = make_facility(unit=city.districts[0].unit, rooms=2, family_rooms=0)
    room = f.rooms.first()
    assert room is not None
    assert officer2.get(reverse("quarantine_facility", args=[f.pk])).status_code == 404
    # the facility's link text (a bare "F1" can occur in a random CSRF token)
    assert f">{f.code}</a>" not in officer2.get(reverse("quarantine_facilities")).content.decode()
    assert officer2.post(reverse("quarantine_room_state", args=[f.pk, room.pk]),
                         {"state": "out"}).status_code == 404
    assert officer2.post(reverse("quarantine_facility_status", args=[f.pk]),
                         {"status": "closed"}).status_code == 404
    order = make_order(city.districts[0].persons[0], exposure=T0)
    officer1.post(reverse("quarantine_assign_apply"))
    batch = TransportBatch(code="B1", facility=f, depart_at=T0, district=f.district)
    batch.save()
    assert officer2.get(reverse("quarantine_batch", args=[batch.pk])).status_code == 404
    assert QuarantineOrder.objects.get(pk=order.pk).room is not None


def test_api_lists_and_scopes(city: City, officer1: Client, officer2: Client) -> None:
    f = make_facility(unit=city.districts[0].unit, rooms=3, family_rooms=1)
    listed = officer1.get("/api/v1/quarantine/facilities").json()
    assert [(x["code"], x["ready"], x["beds_ready"]) for x in listed] == [("F1", 3, 5)]
    assert officer2.get("/api/v1/quarantine/facilities").json() == []
    assert officer2.get(f"/api/v1/quarantine/facilities/{f.pk}").status_code == 404
    bad = officer1.post(f"/api/v1/quarantine/facilities/{f.pk}/rooms",
                        {"floors": 0, "rooms_per_floor": 1}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "floors"
    make_order(city.districts[0].persons[0], exposure=T0)
    preview = officer1.post("/api/v1/quarantine/assignment/preview", {},
                            content_type="application/json").json()
    assert preview["people_placed"] == 1
    applied = officer1.post("/api/v1/quarantine/assignment/apply", {},
                            content_type="application/json").json()
    order_id = applied["placements"][0]["order_ids"][0]
    made = officer1.post("/api/v1/quarantine/batches", {"facility_id": f.pk,
                         "order_ids": [order_id]}, content_type="application/json")
    assert made.status_code == 201
    bid = made.json()["id"]
    officer1.post(f"/api/v1/quarantine/batches/{bid}/depart", {},
                  content_type="application/json")
    arrived = officer1.post(f"/api/v1/quarantine/batches/{bid}/arrive", {},
                           content_type="application/json").json()
    assert arrived["status"] == "arrived" and arrived["order_ids"] == [order_id]
    assert officer2.get(f"/api/v1/quarantine/batches/{bid}").status_code == 404


def test_pages_render_in_the_default_language(city: City, officer1: Client) -> None:
    f = make_facility(unit=city.districts[0].unit, rooms=3, family_rooms=1)
    make_order(city.districts[0].persons[0], exposure=T0)
    for url in (reverse("quarantine_facilities"), reverse("quarantine_facility", args=[f.pk]),
                reverse("quarantine_assign"), reverse("quarantine_assign") + "?standby=1",
                reverse("quarantine_batches")):
        page = officer1.get(url)
        assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode()
