"""Transport batches: create from assigned orders, depart, arrive (orders start their stay),
resent requests, and scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.quarantine import assignment, transport
from fangkong.quarantine.models import OrderStatus, QuarantineOrder, TransportBatch
from tests.factories import City
from tests.quarantine.builders import make_facility, make_order, quarantine_users

T0 = dt.datetime(2022, 7, 1, 10, tzinfo=dt.UTC)
NOW = dt.datetime(2022, 7, 2, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(clock, "city_today", NOW.date)


def _setup(city: City):  # type: ignore[no-untyped-def]
    actors = {k: actor_for(u) for k, u in quarantine_users(city).items()}
    d1 = city.districts[0]
    facility = make_facility(unit=d1.unit, rooms=4, family_rooms=0)
    orders = [make_order(p, exposure=T0) for p in d1.persons[:3]]
    assignment.do_assign_orders(actor=actors["manager1"])
    return actors, facility, orders


def test_a_batch_runs_from_planned_to_arrived(city: City) -> None:
    a, f, orders = _setup(city)
    m = a["manager1"]
    ids = [o.pk for o in orders[:2]]
    assert {o.pk for o in transport.waiting_for_transport(m, f.pk)} == {o.pk for o in orders}
    batch = transport.do_create_batch(actor=m, facility_id=f.pk, order_ids=ids, vehicle="陕A1")
    assert batch.code == "F1-0702-1" and batch.status == "planned"
    assert {o.pk for o in transport.waiting_for_transport(m, f.pk)} == {orders[2].pk}
    with pytest.raises(DomainError) as twice:
        transport.do_create_batch(actor=m, facility_id=f.pk, order_ids=[ids[0]])
    assert twice.value.field == "order_ids" and str(ids[0]) in twice.value.message
    with pytest.raises(Conflict):
        transport.do_arrive_batch(actor=m, batch_id=batch.pk)
    departed = transport.do_depart_batch(actor=m, batch_id=batch.pk)
    assert departed.status == "departed"
    assert transport.do_depart_batch(actor=m, batch_id=batch.pk).depart_at == departed.depart_at
    with pytest.raises(DomainError):
        transport.do_arrive_batch(actor=m, batch_id=batch.pk, at=NOW - dt.timedelta(hours=1))
    at = NOW + dt.timedelta(hours=1)
    arrived = transport.do_arrive_batch(actor=m, batch_id=batch.pk, at=at)
    assert arrived.status == "arrived" and arrived.arrived_at == at
    rows = QuarantineOrder.objects.filter(pk__in=ids)
    assert all(o.status == OrderStatus.IN_FACILITY and o.arrived_at == at for o in rows)
    assert QuarantineOrder.objects.get(pk=orders[2].pk).status == OrderStatus.AWAITING
    again = transport.do_arrive_batch(actor=m, batch_id=batch.pk, at=at + dt.timedelta(hours=2))
    assert again.arrived_at == at


def test_orders_must_be_assigned_to_that_facility(city: City) -> None:
    a, f, orders = _setup(city)
    other = make_facility(unit=city.districts[0].unit, code="F2", rooms=1, family_rooms=0)
    with pytest.raises(DomainError) as exc:
        transport.do_create_batch(actor=a["manager1"], facility_id=other.pk,
                                  order_ids=[orders[0].pk])
    assert exc.value.field == "order_ids"
    with pytest.raises(DomainError) as empty:
        transport.do_create_batch(actor=a["manager1"], facility_id=f.pk, order_ids=[])
    assert empty.value.field == "order_ids"
    assert not TransportBatch.objects.exists()


def test_another_district_sees_no_batch(city: City) -> None:
    a, f, orders = _setup(city)
    batch = transport.do_create_batch(actor=a["manager1"], facility_id=f.pk,
                                      order_ids=[orders[0].pk])
    assert not transport.batches_for(a["officer2"]).exists()
    with pytest.raises(NotFound):
        transport.do_depart_batch(actor=a["officer2"], batch_id=batch.pk)
    with pytest.raises(NotFound):
        transport.do_create_batch(actor=a["officer2"], facility_id=f.pk,
                                  order_ids=[orders[1].pk])
    assert list(transport.waiting_for_transport(a["officer2"], f.pk)) == []
