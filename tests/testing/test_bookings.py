"""Bookings: a signed link books for its resident only (tampered, expired or closed-round
links are all the same NotFound), one booking per person and round, a full slot refuses,
and the ``booked`` counter never passes the capacity, even under racing threads."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core import signing
from django.db import OperationalError, connection
from django.db.models import F

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.testing.actions_booking import (
    LINK_SALT,
    booking_token,
    do_book,
    do_book_by_link,
    do_cancel_booking,
    do_cancel_by_link,
    do_make_link,
    read_token,
)
from fangkong.testing.models import Booking, Slot
from fangkong.testing.queries_campaign import bookable_slots
from tests.testing.builders import Round

pytestmark = pytest.mark.django_db


def _first_slot(rnd: Round, site: int = 0) -> Slot:
    return Slot.objects.filter(site=rnd.sites[site]).order_by("starts_at").first()  # type: ignore[return-value]


def test_link_books_a_slot_of_the_residents_community(rnd: Round) -> None:
    person = rnd.city.districts[0].persons[0]
    token = do_make_link(actor=actor_for(rnd.users["organiser1"]), campaign_id=rnd.campaign.pk,
                         person_id=person.pk)
    assert read_token(token) == (rnd.campaign, person)
    offered = bookable_slots(rnd.campaign, person)
    assert {s.site_id for s in offered} == {rnd.sites[0].pk, rnd.sites[1].pk}  # same community
    booking = do_book_by_link(token=token, slot_id=offered[0].pk)
    assert booking.person == person and booking.grid_id == person.grid_id
    assert Slot.objects.get(pk=offered[0].pk).booked == 1
    foreign = _first_slot(rnd, site=2)  # district 2
    with pytest.raises(DomainError):
        do_book_by_link(token=token, slot_id=foreign.pk)
    with pytest.raises(Conflict):  # one booking per round
        do_book_by_link(token=token, slot_id=offered[1].pk)
    do_cancel_by_link(token=token)
    assert Slot.objects.get(pk=offered[0].pk).booked == 0 and not Booking.objects.exists()
    verbs = set(AuditLog.objects.values_list("verb", flat=True))
    assert {"screening.booking.link", "screening.booking.create",
            "screening.booking.cancel"} <= verbs


def test_tampered_expired_and_closed_links_look_the_same(rnd: Round, settings: Any) -> None:
    person = rnd.city.districts[0].persons[0]
    token = booking_token(rnd.campaign, person)
    other = rnd.city.districts[0].persons[1]
    forged = signing.dumps({"c": rnd.campaign.pk, "p": other.pk, "e": 2**40}, salt="wrong")
    for bad in (token[:-2] + "xx", token.replace(":", ";"), forged, "", "abc"):
        with pytest.raises(NotFound):
            read_token(bad)
    expired = signing.dumps({"c": rnd.campaign.pk, "p": person.pk, "e": 1000}, salt=LINK_SALT)
    with pytest.raises(NotFound):
        read_token(expired)
    rnd.campaign.status = "closed"
    rnd.campaign.save()
    with pytest.raises(NotFound):
        do_book_by_link(token=token, slot_id=_first_slot(rnd).pk)


def test_link_dies_at_the_round_end(rnd: Round, monkeypatch: pytest.MonkeyPatch) -> None:
    person = rnd.city.districts[0].persons[0]
    token = booking_token(rnd.campaign, person)
    later = rnd.campaign.ends_at + dt.timedelta(seconds=1)
    monkeypatch.setattr("fangkong.core.clock.now", lambda: later)
    with pytest.raises(NotFound):
        read_token(token)


def test_staff_booking_is_scoped(rnd: Round) -> None:
    person = rnd.city.districts[0].persons[0]
    slot = _first_slot(rnd)
    org2 = actor_for(rnd.users["organiser2"])
    with pytest.raises(NotFound):
        do_book(actor=org2, campaign_id=rnd.campaign.pk, person_id=person.pk, slot_id=slot.pk)
    with pytest.raises(NotFound):
        do_make_link(actor=org2, campaign_id=rnd.campaign.pk, person_id=person.pk)
    with pytest.raises(PermissionDenied):
        do_book(actor=actor_for(rnd.users["grid1"]), campaign_id=rnd.campaign.pk,
                person_id=person.pk, slot_id=slot.pk)
    booking = do_book(actor=actor_for(rnd.users["organiser1"]), campaign_id=rnd.campaign.pk,
                      person_id=person.pk, slot_id=slot.pk)
    with pytest.raises(NotFound):
        do_cancel_booking(actor=org2, booking_id=booking.pk)
    do_cancel_booking(actor=actor_for(rnd.users["organiser1"]), booking_id=booking.pk)
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_full_slot_refuses_and_green_channel_is_flagged(rnd: Round) -> None:
    people = rnd.city.districts[0].persons
    slot = _first_slot(rnd)
    Slot.objects.filter(pk=slot.pk).update(capacity=1)
    elder = people[0]
    elder.birth_date = dt.date(1940, 1, 1)
    elder.save()
    booking = do_book_by_link(token=booking_token(rnd.campaign, elder), slot_id=slot.pk)
    assert booking.green_channel
    with pytest.raises(Conflict, match="full"):
        do_book_by_link(token=booking_token(rnd.campaign, people[1]), slot_id=slot.pk)
    assert Slot.objects.get(pk=slot.pk).booked == 1 and Booking.objects.count() == 1
    assert slot.pk not in {s.pk for s in bookable_slots(rnd.campaign, people[1])}


def test_over_slot_is_not_bookable(rnd: Round) -> None:
    slot = _first_slot(rnd)
    Slot.objects.filter(pk=slot.pk).update(starts_at=F("starts_at") - dt.timedelta(days=2),
                                           ends_at=F("ends_at") - dt.timedelta(days=2))
    with pytest.raises(Conflict, match="over"):
        do_book_by_link(token=booking_token(rnd.campaign, rnd.city.districts[0].persons[0]),
                        slot_id=slot.pk)


@pytest.mark.django_db(transaction=True)
def test_racing_bookings_never_overfill(rnd: Round) -> None:
    """Eight residents race for three places: on PostgreSQL they queue on the slot's row;
    SQLite's shared-cache lock answers "locked" at once, so a thread tries again (a real
    client would too). Either way exactly three win and ``booked`` stays 3."""
    people = rnd.city.districts[0].persons[:8]
    slot = _first_slot(rnd)
    Slot.objects.filter(pk=slot.pk).update(capacity=3)
    tokens = [booking_token(rnd.campaign, p) for p in people]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(tokens))

    def book(token: str) -> None:
        barrier.wait()
        try:
            for _ in range(500):
                try:
                    do_book_by_link(token=token, slot_id=slot.pk)
                except OperationalError:  # SQLite: "database table is locked"
                    time.sleep(0.005)
                    continue
                except Conflict:
                    outcomes.append("full")
                else:
                    outcomes.append("ok")
                return
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Slot.objects.get(pk=slot.pk).booked == outcomes.count("ok") == 3
    assert Booking.objects.filter(slot=slot).count() == 3 and outcomes.count("full") == 5
