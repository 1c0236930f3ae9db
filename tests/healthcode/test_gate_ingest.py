"""Uploading a door device's scans: stored once per (device, client key), bad events named by
index and field while the rest are stored, admitted scans become gate check-ins, one audit row
per batch, and another district's venue is invisible (404 like a missing one)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core import clock
from fangkong.core.audit import AuditLog
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.healthcode.gate import REASONS, checkin_key, do_ingest_scans, parse_event
from fangkong.healthcode.models import Checkin, GateScan
from tests.factories import City
from tests.healthcode.builders_gate import event, gate_users, make_code

URL = "/api/v1/healthcode/gate/scans"


@pytest.fixture
def users(city: City) -> dict[str, Any]:
    return gate_users(city)


def _ingest(user: Any, venue_id: int, events: list[Any], device: str = "gate-a1") -> Any:
    return do_ingest_scans(actor=actor_for(user), device=device, venue_id=venue_id,
                           events=events)


def test_a_batch_is_stored_once_and_admitted_scans_check_in(city: City, users: Any) -> None:
    venue = city.districts[0].venues[0]
    person = city.districts[0].persons[0]
    code = make_code(person)
    batch = [event("k1", pseudonym=code.pseudonym, temperature=36.6),
             event("k2", pseudonym="unknownpseudo", result="pass"),
             event("k3", colour="red", result="stop", reason="red", pseudonym=code.pseudonym),
             event("k4", colour="", result="stop", reason="bad_signature")]
    first = _ingest(users["door1"], venue.pk, batch)
    assert (first.stored, first.duplicates, first.checkins, first.errors) == (4, 0, 1, [])
    again = _ingest(users["door1"], venue.pk, batch)
    assert (again.stored, again.duplicates, again.checkins) == (0, 4, 0)
    assert GateScan.objects.count() == 4
    scan = GateScan.objects.get(client_key="k1")
    assert (scan.venue_id, scan.grid_id, str(scan.temperature)) == (venue.pk, venue.grid_id,
                                                                    "36.6")
    checkin = Checkin.objects.get()  # the stopped one (k3) never entered
    assert (checkin.person_id, checkin.venue_id, checkin.source) == (person.pk, venue.pk, "gate")
    assert checkin.client_key == checkin_key("gate-a1", "k1") and checkin.grid_id == venue.grid_id
    rows = AuditLog.objects.filter(verb="healthcode.gate_scans.upload")
    assert rows.count() == 2 and rows.first().grid_id == venue.grid_id  # type: ignore[union-attr]


def test_the_same_key_from_another_device_is_another_scan(city: City, users: Any) -> None:
    venue = city.districts[0].venues[0]
    scan = event("same", pseudonym="abc")
    _ingest(users["door1"], venue.pk, [scan], device="gate-a")
    answer = _ingest(users["door1"], venue.pk, [scan, scan], device="gate-b")
    assert (answer.stored, answer.duplicates) == (1, 1)
    assert GateScan.objects.filter(client_key="same").count() == 2


def test_bad_events_are_named_by_index_and_field_and_the_rest_stored(city: City,
                                                                     users: Any) -> None:
    venue = city.districts[0].venues[0]
    now = clock.now()
    batch = [
        event("ok1"),
        event("", result="stop", reason="red", colour="red"),
        event("t1", at=now + dt.timedelta(hours=2)),
        event("t2", at=now - dt.timedelta(days=15)),
        {**event("t3"), "scanned_at": "yesterday"},
        event("c1", colour="purple", result="stop", reason="red"),
        event("r1", result="maybe"),
        event("r2", reason="friendly", result="stop"),
        event("w1", colour="red", result="pass", reason="green", pseudonym="abc"),
        event("w2", reason="bad_signature", result="pass", colour=""),
        event("w3", colour="yellow", result="pass", reason="green", pseudonym="abc"),
        event("p1", pseudonym="", result="pass"),
        event("f1", temperature="hot", result="stop", reason="fever"),
        event("f2", temperature=52, result="stop", reason="fever"),
        "not an object",
        event("ok2", colour="yellow", result="pass", reason="restricted_admitted",
              pseudonym="abc"),
    ]
    answer = _ingest(users["door1"], venue.pk, batch)
    fields = {e["index"]: e["field"] for e in answer.errors}
    assert fields == {1: "client_key", 2: "scanned_at", 3: "scanned_at", 4: "scanned_at",
                      5: "colour", 6: "result", 7: "reason", 8: "colour", 9: "result",
                      10: "colour", 11: "pseudonym", 12: "temperature", 13: "temperature",
                      14: "event"}
    assert all(e["message"] for e in answer.errors)
    assert set(GateScan.objects.values_list("client_key", flat=True)) == {"ok1", "ok2"}
    assert answer.as_dict()["rejected"] == 14


def test_whole_batch_errors_change_nothing(city: City, users: Any) -> None:
    venue = city.districts[0].venues[0]
    with pytest.raises(DomainError) as bad_device:
        _ingest(users["door1"], venue.pk, [event("k")], device="has space")
    assert bad_device.value.field == "device"
    with pytest.raises(DomainError) as too_many:
        _ingest(users["door1"], venue.pk, [event(f"k{i}") for i in range(501)])
    assert too_many.value.field == "events"
    with pytest.raises(PermissionDenied):
        _ingest(users["officer1"], venue.pk, [event("k")])
    assert not GateScan.objects.exists() and not AuditLog.objects.filter(
        verb="healthcode.gate_scans.upload").exists()


def test_another_districts_venue_is_not_found(city: City, users: Any) -> None:
    theirs = city.districts[0].venues[0]
    with pytest.raises(NotFound):
        _ingest(users["door2"], theirs.pk, [event("k")])
    with pytest.raises(NotFound):
        _ingest(users["door1"], 999_999, [event("k")])
    assert not GateScan.objects.exists()


def _api(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages are asserted in English
    client.force_login(user)
    return client


def test_api_uploads_and_answers_per_event(city: City, users: Any) -> None:
    venue = city.districts[0].venues[0]
    code = make_code(city.districts[0].persons[1])
    body = {"device": "gate-x", "venue_id": venue.pk,
            "events": [event("a", pseudonym=code.pseudonym), event("b", reason="nope")]}
    client = _api(users["door1"])
    answer = client.post(URL, json.dumps(body), content_type="application/json")
    assert answer.status_code == 200
    assert answer.json() == {"stored": 1, "duplicates": 0, "rejected": 1, "checkins": 1,
                             "errors": [{"index": 1, "field": "reason",
                                         "message": "unknown reason nope"}]}
    again = client.post(URL, json.dumps(body), content_type="application/json").json()
    assert (again["stored"], again["duplicates"], again["checkins"]) == (0, 1, 0)
    other = _api(users["door2"]).post(URL, json.dumps(body), content_type="application/json")
    assert other.status_code == 404
    officer = _api(users["officer1"]).post(URL, json.dumps(body),
                                           content_type="application/json")
    assert officer.status_code == 403
    bad = client.post(URL, json.dumps({**body, "device": ""}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "device"
    assert Client().post(URL, json.dumps(body),
                         content_type="application/json").status_code == 401


NOW = dt.datetime(2022, 5, 1, 12, 0, tzinfo=dt.UTC)
events_st = st.fixed_dictionaries({
    "client_key": st.text(alphabet="abcXYZ019_-.: ", max_size=70),
    "scanned_at": st.one_of(st.datetimes(min_value=dt.datetime(2022, 4, 1),  # noqa: DTZ001
                                         max_value=dt.datetime(2022, 6, 1),  # noqa: DTZ001
                                         timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
                            st.text(max_size=5)),
    "pseudonym": st.one_of(st.just(""), st.text(alphabet="abAB01_-", min_size=1, max_size=30)),
    "colour": st.sampled_from(["", "green", "yellow", "red", "blue"]),
    "result": st.sampled_from(["pass", "stop", "", "check"]),
    "reason": st.sampled_from([*REASONS, "", "other"]),
    "temperature": st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=4)),
})


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(raw=events_st)
def test_an_accepted_event_never_passes_a_stop(raw: dict[str, Any]) -> None:
    """Whatever a device sends, a stored pass is a green or admitted-yellow code with its
    pseudonym, scanned within the window; anything else is refused, never raised."""
    try:
        parsed = parse_event(raw, now=NOW)
    except ValueError as exc:  # EventError: a refusal naming the field
        assert getattr(exc, "field", "") in raw or getattr(exc, "field", "") == "event"
        return
    assert NOW - dt.timedelta(days=14) <= parsed.scanned_at <= NOW + dt.timedelta(minutes=10)
    if parsed.result == "pass":
        assert (parsed.colour, parsed.reason) in {("green", "green"),
                                                   ("yellow", "restricted_admitted")}
        assert parsed.pseudonym
    else:
        assert parsed.result == "stop" and parsed.reason not in {"green", "restricted_admitted"}
    if parsed.temperature is not None:
        assert 30 <= parsed.temperature <= 45
