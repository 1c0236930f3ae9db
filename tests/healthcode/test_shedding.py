"""Load shedding: beyond the in-flight limit a guarded endpoint answers 503 with Retry-After and
a JSON body at once, without a database query, and serves again when a slot frees; tested on
a plain view, through the test client, and with concurrent requests against a live server."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from fangkong.healthcode import gate
from fangkong.healthcode.models import GateScan
from fangkong.healthcode.shedding import GUARD, shed_load
from tests.factories import City
from tests.healthcode.builders_gate import event, gate_users

URL = "/api/v1/healthcode/gate/scans"


@pytest.fixture(autouse=True)
def fresh_guard() -> Iterator[None]:
    GUARD.in_flight = 0
    yield
    GUARD.in_flight = 0


def test_a_plain_view_is_refused_beyond_the_limit_and_served_after(settings: Any) -> None:
    settings.HEALTHCODE_MAX_IN_FLIGHT = 1
    settings.HEALTHCODE_RETRY_AFTER_S = 7
    inside = threading.Event()
    release = threading.Event()
    answers: list[int] = []

    @shed_load
    def slow(request: HttpRequest) -> HttpResponse:
        inside.set()
        release.wait(10)
        return HttpResponse("done")

    request = RequestFactory().post("/x")
    worker = threading.Thread(target=lambda: answers.append(slow(request).status_code))
    worker.start()
    assert inside.wait(5)
    refused = slow(request)
    assert refused.status_code == 503 and refused["Retry-After"] == "7"
    assert json.loads(refused.content)["code"] == "overloaded"
    release.set()
    worker.join(5)
    assert answers == [200] and GUARD.in_flight == 0
    assert slow(request).status_code == 200  # the slot is free again


def test_a_failing_view_gives_its_slot_back(settings: Any) -> None:
    settings.HEALTHCODE_MAX_IN_FLIGHT = 1

    @shed_load
    def broken(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        broken(RequestFactory().post("/x"))
    assert GUARD.in_flight == 0


def test_the_gate_api_sheds_before_reading_the_session(city: City, settings: Any) -> None:
    settings.HEALTHCODE_MAX_IN_FLIGHT = 3
    users = gate_users(city)
    client = Client(enforce_csrf_checks=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["door1"])
    body = json.dumps({"device": "gate-s", "venue_id": city.districts[0].venues[0].pk,
                       "events": [event("k1")]})
    GUARD.in_flight = 3  # three uploads are being served
    with CaptureQueriesContext(connection) as queries:
        busy = client.post(URL, body, content_type="application/json")
    assert busy.status_code == 503 and len(queries) == 0
    assert busy["Retry-After"].isdigit() and busy.json()["retry_after"] >= 1
    assert "Nothing was stored" in busy.json()["detail"]
    assert not GateScan.objects.exists()
    GUARD.in_flight = 0
    assert client.post(URL, body, content_type="application/json").status_code == 200
    assert GateScan.objects.count() == 1


def _post(base: str, cookies: str, body: bytes) -> tuple[int, dict[str, Any], str, float]:
    request = urllib.request.Request(  # noqa: S310 (the live server on loopback)
        base + URL, data=body, method="POST",
        headers={"Content-Type": "application/json", "Cookie": cookies,
                 "X-CSRFToken": "c" * 32})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read()), "", time.monotonic() - started
    except urllib.error.HTTPError as error:
        return (error.code, json.loads(error.read()), error.headers.get("Retry-After", ""),
                time.monotonic() - started)


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_beyond_capacity_are_shed_at_once(
        city: City, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two uploads hold the two slots (their database work is held back); six more arrive at
    once and are refused quickly with 503; the two then finish and a later upload is served."""
    settings.HEALTHCODE_MAX_IN_FLIGHT = 2
    users = gate_users(city)
    client = Client()
    client.force_login(users["door1"])
    cookies = f"sessionid={client.cookies['sessionid'].value}; csrftoken={'c' * 32}"
    venue = city.districts[0].venues[0].pk
    # One permit at a time: the two held uploads then write one after the other (the test
    # database is SQLite's shared-cache memory on that backend, where two writers at the same
    # instant get "table is locked" at once instead of waiting).
    release = threading.Semaphore(0)
    real = gate.do_ingest_scans

    def held(**kwargs: Any) -> Any:
        release.acquire(timeout=20)
        return real(**kwargs)

    monkeypatch.setattr(gate, "do_ingest_scans", held)
    results: dict[str, tuple[int, dict[str, Any], str, float]] = {}

    def upload(name: str) -> None:
        body = json.dumps({"device": f"gate-{name}", "venue_id": venue,
                           "events": [event(f"key-{name}")]}).encode()
        results[name] = _post(live_server.url, cookies, body)

    holders = [threading.Thread(target=upload, args=(f"h{i}",)) for i in range(2)]
    for thread in holders:
        thread.start()
    deadline = time.monotonic() + 10
    while GUARD.in_flight < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert GUARD.in_flight == 2
    burst = [threading.Thread(target=upload, args=(f"b{i}",)) for i in range(6)]
    for thread in burst:
        thread.start()
    for thread in burst:
        thread.join(10)
    shed = [results[f"b{i}"] for i in range(6)]
    assert all(status == 503 and retry.isdigit() and body["code"] == "overloaded"
               and took < 5 for status, body, retry, took in shed)
    release.release()
    deadline = time.monotonic() + 20
    while len([n for n in results if n.startswith("h")]) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    release.release()
    for thread in holders:
        thread.join(20)
    assert [results[f"h{i}"][0] for i in range(2)] == [200, 200]
    assert GUARD.in_flight == 0
    monkeypatch.setattr(gate, "do_ingest_scans", real)  # no more holding back
    upload("late")
    assert results["late"][0] == 200
    assert set(GateScan.objects.values_list("device", flat=True)) == {"gate-h0", "gate-h1",
                                                                      "gate-late"}
