"""Load shedding: beyond the in-flight limit a guarded endpoint answers 503 with Retry-After and
a JSON body at once, without a database query, and serves again when a slot frees; tested on
a plain view, through the test client, with concurrent requests against a live server, and
against the project's own waitress server flooded by clients that resend at once while its
log goes to a pipe nobody reads (the stall of docs/performance.md: each refusal was logged)."""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from fangkong.cli.commands import make_server
from fangkong.healthcode import gate, resident, shedding
from fangkong.healthcode.models import Checkin, GateScan
from fangkong.healthcode.shedding import GUARD, limit_for_threads, shed_load
from fangkong.registry.models import Venue
from tests.factories import City
from tests.healthcode.builders_gate import event, gate_users
from tests.healthcode.builders_resident import item

URL = "/api/v1/healthcode/gate/scans"


@pytest.fixture
def warm_urls() -> None:
    """Import the URLconf before a server's clock starts: on a loaded machine the first
    request's import of every module's views takes seconds (12 s was seen)."""
    resolve(URL)


@pytest.fixture
def server_connections_closed() -> Iterator[None]:
    """The server's threads close their database connections after each request (they are
    kept a minute otherwise, and the test database could not be flushed or dropped)."""
    def close(**kwargs: Any) -> None:
        connections.close_all()

    request_finished.connect(close, dispatch_uid="test-shedding-close")
    yield
    request_finished.disconnect(dispatch_uid="test-shedding-close")


@pytest.fixture(autouse=True)
def fresh_guard() -> Iterator[None]:
    GUARD.in_flight = 0
    yield
    GUARD.in_flight = 0
    GUARD.server_threads = shedding.DEFAULT_THREADS


def test_the_default_limit_leaves_threads_free_for_refusals(settings: Any) -> None:
    assert [limit_for_threads(n) for n in (1, 2, 3, 4, 8, 16, 32)] == [1, 1, 1, 2, 6, 12, 24]
    assert all(limit_for_threads(n) < n for n in range(2, 200))
    settings.HEALTHCODE_MAX_IN_FLIGHT = 0
    assert GUARD.limit() == 6  # no server told its threads: waitress's 8
    assert shedding.serve_with_threads(12) == 9
    settings.HEALTHCODE_MAX_IN_FLIGHT = 20
    assert GUARD.limit() == 20  # set explicitly: as set, even above the threads


def test_refusals_are_counted_in_one_warning_not_logged_each(
        settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Django logs every 5xx as an ERROR line; a flood of refusals must not be a flood of
    lines (nor of mails to ADMINS): the first is reported, the rest wait for the summary."""
    settings.HEALTHCODE_MAX_IN_FLIGHT = 1
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    GUARD.in_flight, GUARD._reported_at, GUARD._unreported = 1, None, 0
    with caplog.at_level(logging.INFO):
        for _ in range(50):
            assert client.post(URL, "{}", content_type="application/json").status_code == 503
    assert not [r for r in caplog.records if r.name == "django.request"]
    summaries = [r.getMessage() for r in caplog.records if r.name == shedding.__name__]
    assert len(summaries) == 1 and "started answering 503" in summaries[0]
    GUARD._reported_at = time.monotonic() - shedding.SUMMARY_EVERY_S  # a minute later
    with caplog.at_level(logging.INFO):
        assert client.post(URL, "{}", content_type="application/json").status_code == 503
    summaries = [r.getMessage() for r in caplog.records if r.name == shedding.__name__]
    assert len(summaries) == 2 and "50 request(s) answered 503 in the last 60 s" in summaries[1]


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
@pytest.mark.usefixtures("warm_urls")
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


@contextlib.contextmanager
def log_into_a_pipe_nobody_reads() -> Iterator[None]:
    """Every log record goes (also) to a 4 KiB pipe that is never read: once full, a write
    blocks, as a server's stderr does when piped to a reader that does not keep up."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    stream = os.fdopen(write_end, "w", buffering=1)
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        os.close(read_end)  # a writer still blocked gets EPIPE and goes on
        with contextlib.suppress(OSError):
            stream.close()


def _resend_at_once(port: int, *, paths: list[str], venue: Venue, until: float,
                    answers: list[tuple[int, str]], failures: list[str]) -> None:
    """One client: a keep-alive connection, the next check-in as soon as an answer arrives."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    while time.monotonic() < until:
        body = json.dumps({"items": [item(venue)]}).encode()
        try:
            conn.request("POST", paths[n % len(paths)], body=body,
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
            return
        answers.append((response.status, response.getheader("Retry-After") or ""))
        n += 1
    conn.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("warm_urls", "server_connections_closed")
def test_the_real_server_answers_every_request_of_a_resend_at_once_flood(
        city: City, settings: Any) -> None:
    """``fangkong serve``'s waitress with 3 threads (so the default limit is 1), 8 clients
    resending at once for 2 s: every request is answered, 200 or 503 with Retry-After, none
    times out, and the slots are all given back."""
    settings.HEALTHCODE_MAX_IN_FLIGHT = 0
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    paths = [f"{resident.resident_link(p)}checkins" for p in city.districts[0].persons[:8]]
    server = make_server(host="127.0.0.1", port=0, threads=3)
    assert GUARD.limit() == 1  # one writer at a time: SQLite's shared memory allows no more
    loop = threading.Thread(target=server.run, daemon=True)
    loop.start()
    answers: list[tuple[int, str]] = []
    failures: list[str] = []
    with log_into_a_pipe_nobody_reads():
        until = time.monotonic() + 2
        load = {"paths": paths, "venue": city.districts[0].venues[0], "until": until,
                "answers": answers, "failures": failures}
        clients = [threading.Thread(target=_resend_at_once, args=(server.effective_port,),
                                    kwargs=load) for _ in range(8)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(30)
    server.trigger.pull_trigger(server.close)  # closed by its own loop
    server.task_dispatcher.shutdown(timeout=5)
    loop.join(5)
    statuses = {status for status, _ in answers}
    assert failures == [] and statuses == {200, 503}, (failures, statuses)
    assert all(retry.isdigit() for status, retry in answers if status == 503)
    assert Checkin.objects.count() == sum(status == 200 for status, _ in answers)
    assert GUARD.in_flight == 0
