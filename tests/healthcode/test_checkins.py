"""Venue codes and check-ins: a signed code that cannot be forged, uploads stored once per
(person, client key), each bad item refused by index with its field, the rest stored."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.errors import DomainError, NotFound
from fangkong.core.models import AuditLog
from fangkong.healthcode import checkins
from fangkong.healthcode.models import Checkin, CheckinSource
from tests.factories import City
from tests.healthcode.builders_resident import item


def test_a_venue_code_round_trips_and_a_forged_one_does_not(city: City) -> None:
    venue = city.districts[0].venues[0]
    token = checkins.venue_token(venue)
    assert checkins.read_venue_token(token) == venue
    url = f"https://fk.example/v/{token}/?x=1"
    assert checkins.token_of(url) == token and checkins.read_venue_token(url) == venue
    other = city.districts[1].venues[0]
    forged = f"{other.pk}:{token.split(':', 1)[1]}"  # another venue's number, this signature
    for bad in (forged, str(venue.pk), token + "x", "", "v/1/"):
        with pytest.raises(NotFound):
            checkins.read_venue_token(bad)
    assert checkins.venue_code_url(venue) == f"/v/{token}/"


def test_a_batch_stores_the_good_and_refuses_the_bad_by_index(city: City) -> None:
    person, venue = city.districts[0].persons[0], city.districts[1].venues[0]
    items = [item(venue), item(venue, ago=dt.timedelta(minutes=-30)),
             item(venue, ago=dt.timedelta(days=15)), item(venue, token="1:forged"),
             {**item(venue), "client_key": "x"}, {**item(venue), "ts": "2022-04-01T08:00"},
             "not an object"]
    counts = checkins.do_record_checkins(person=person, items=items)
    assert (counts.stored, counts.duplicate, counts.refused) == (1, 0, 6)
    assert [(e["index"], e["field"]) for e in counts.errors] == [
        (1, "ts"), (2, "ts"), (3, "venue_token"), (4, "client_key"), (5, "ts"), (6, "item")]
    row = Checkin.objects.get()
    assert (row.person_id, row.venue_id, row.source) == (person.pk, venue.pk,
                                                         CheckinSource.RESIDENT)
    assert (row.district_id, row.grid_id) == (venue.district_id, venue.grid_id)
    assert AuditLog.objects.filter(verb="healthcode.checkin.record").count() == 1


def test_a_resent_batch_is_stored_once(city: City) -> None:
    person, venue = city.districts[0].persons[0], city.districts[0].venues[0]
    items = [item(venue), item(venue, ago=dt.timedelta(hours=2))]
    first = checkins.do_record_checkins(person=person, items=items)
    again = checkins.do_record_checkins(person=person, items=items + items[:1])
    assert (first.stored, again.stored, again.duplicate) == (2, 0, 3)
    assert Checkin.objects.count() == 2
    assert AuditLog.objects.filter(verb="healthcode.checkin.record").count() == 1


def test_one_key_for_two_people_is_two_check_ins(city: City) -> None:
    venue = city.districts[0].venues[0]
    shared = item(venue, key="same-key-123")
    for person in city.districts[0].persons[:2]:
        checkins.do_record_checkins(person=person, items=[shared])
    assert Checkin.objects.count() == 2


def test_the_batch_itself_must_be_a_short_list(city: City) -> None:
    person = city.districts[0].persons[0]
    bad: object
    for bad in (None, {}, [], "x"):
        with pytest.raises(DomainError) as refused:
            checkins.do_record_checkins(person=person, items=bad)
        assert refused.value.field == "items"
    with pytest.raises(DomainError):
        checkins.do_record_checkins(person=person, items=[{}] * (checkins.MAX_ITEMS + 1))


KINDS = st.sampled_from(["good", "good", "future", "old", "forged", "nokey"])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.tuples(KINDS, st.integers(0, 5)), min_size=1, max_size=12))
def test_every_item_is_counted_once_and_resending_stores_nothing(
        city: City, kinds: list[tuple[str, int]]) -> None:
    """Property: stored + duplicate + refused = items; a good key is stored exactly once."""
    Checkin.objects.all().delete()
    person, venue = city.districts[0].persons[0], city.districts[0].venues[0]
    salt = secrets.token_hex(4)
    shapes: dict[str, dict[str, Any]] = {"good": {}, "future": {"ago": dt.timedelta(hours=-1)},
              "old": {"ago": dt.timedelta(days=20)}, "forged": {"token": "7:bad"}}
    items = []
    for kind, n in kinds:
        raw = item(venue, key=f"{kind}-{n}-{salt}", **shapes.get(kind, {}))
        items.append({**raw, "client_key": ""} if kind == "nokey" else raw)
    counts = checkins.do_record_checkins(person=person, items=items)
    good = {f"good-{n}-{salt}" for kind, n in kinds if kind == "good"}
    assert counts.stored + counts.duplicate + counts.refused == len(items)
    assert counts.stored == len(good) == Checkin.objects.count()
    again = checkins.do_record_checkins(person=person, items=items)
    assert again.stored == 0 and again.duplicate == sum(k == "good" for k, _ in kinds)
    assert set(Checkin.objects.values_list("client_key", flat=True)) == good
