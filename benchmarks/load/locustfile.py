"""A district's screening morning as locust users, each a real role with its own session and
the request bodies its device sends (the fixture is ``FANGKONG_LOAD_FIXTURE``, written by
``benchmarks.load.fixture``). Every user is paced (``constant_pacing``): its device sends at
a fixed rhythm whatever the server does, so more users offer proportionally more load, and a
user that is answered 503 waits for ``Retry-After`` as ``gate.js`` and ``resident.js`` do.

The mix at 1x (``plan.BASE``, about 86 requests/s), for a district of ~300,000 people screened
07:00-13:00 (china-practice.md §6.1: a table per 600-800 people, 100-130 swabs per table
an hour, 10-in-1 tubes), compressed so one user stands for many devices:

* samplers: ~50 people swabbed a second → 13.5 ID look-ups/s and 1.5 tube uploads/s
  (430 tables each sealing a tube every ~5 min);
* residents opening their code (at the queue, at gates): 40/s; venue check-ins: 20/s;
* gates: 9.5 online code checks/s (devices that cannot verify offline) and a batch of 20
  offline scans uploaded every 2 s;
* two labs posting a 90-tube results file every 20 s each; 30 dashboard viewers refreshing
  the live tiles every 30 s (1/s). Labs and viewers do not grow with the ramp.

Every request is recorded (``events.request``) and written on quit to
``FANGKONG_LOAD_RECORD`` as JSON lines ``[start, name, ms, status]`` for per-step tables."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import secrets
from collections import defaultdict
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import gevent
from locust import FastHttpUser, constant_pacing, events, task

from benchmarks.healthcode_http import checkin_request, gate_request
from benchmarks.load.plan import BASE, LAB_USERS, VIEWERS

if TYPE_CHECKING:
    from benchmarks.healthcode_http import Fixture

FIXTURE: dict[str, Any] = {}
RECORD: list[tuple[float, str, float, int]] = []
GATE_BATCH = 20


@events.init.add_listener
def _load_fixture(**_: Any) -> None:
    FIXTURE.update(json.loads(open(os.environ["FANGKONG_LOAD_FIXTURE"], "rb").read()))


@events.request.add_listener
def _record(name: str, response_time: float, response: Any, start_time: float,
            **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    RECORD.append((start_time, name, response_time, status))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    path = os.environ.get("FANGKONG_LOAD_RECORD")
    if path:
        with open(path, "w") as out:
            out.writelines(json.dumps(row) + "\n" for row in RECORD)


_counter = itertools.count()  # the users' own numbers
_seq: defaultdict[str, itertools.count[int]] = defaultdict(itertools.count)


def nth(kind: str) -> Any:
    """The next item of the fixture's list ``kind``, in order, round and round."""
    items = FIXTURE[kind]
    return items[next(_seq[kind]) % len(items)]


class Role(FastHttpUser):
    """Sends with the role's session; a 503 is counted as shed and honoured (its
    ``Retry-After``), any other non-2xx is a failure."""

    abstract = True
    wait_time = constant_pacing(1.0)

    def send(self, method: str, path: str, *, name: str, body: Any = None,
             headers: dict[str, str] | None = None) -> None:
        data = (body.decode() if isinstance(body, bytes)
                else None if body is None else json.dumps(body))
        with self.client.request(method, path, data=data, headers=headers or {}, name=name,
                                 catch_response=True) as response:
            if response.status_code == 503:
                response.failure("shed (503)")
            elif not 200 <= response.status_code < 300:
                response.failure(f"{response.status_code}: {response.text[:200]}")
        if response.status_code == 503:  # after the answer is recorded, as the clients wait
            gevent.sleep(float(response.headers.get("Retry-After") or 5))


def _legacy() -> Fixture:
    """What ``healthcode_http``'s request makers read of its ``Fixture`` (their bodies,
    reused), from the JSON fixture: this process has no Django."""
    return cast("Fixture", SimpleNamespace(**{k: FIXTURE[k] for k in (
        "links", "venue_tokens", "venue_ids", "pseudonyms", "gate_headers")}))


class ResidentCode(Role):
    """A resident's phone refreshing the code page."""

    weight = BASE["ResidentCode"]

    @task
    def code(self) -> None:
        self.send("GET", f"{nth('links')}code.json", name="code.json")


class VenueCheckin(Role):
    """A resident scanning a venue's code: one check-in per upload."""

    weight = BASE["VenueCheckin"]

    def on_start(self) -> None:
        self.make, self.i, self.me = checkin_request(_legacy()), 0, next(_counter)

    @task
    def checkin(self) -> None:
        method, path, body, headers = self.make(self.me, self.i)
        self.i += 1
        self.send(method, path, body=body, headers=headers, name="checkins")


class Gate(Role):
    """A door device: online checks of codes it cannot verify itself, and every 20th time
    an upload of the scans it verified offline (the first time too, so a short run has one)."""

    weight = BASE["Gate"]

    def on_start(self) -> None:
        self.make, self.i, self.me = gate_request(_legacy(), GATE_BATCH), 0, next(_counter)

    @task
    def check(self) -> None:
        self.i += 1
        if self.i % 20 == 1:
            method, path, body, headers = self.make(self.me % 10, self.i)
            self.send(method, path, body=body, headers=headers, name="gate/scans")
            return
        self.send("POST", "/api/v1/healthcode/tokens/verify", name="tokens/verify",
                  body={"token": nth("tokens")},
                  headers=FIXTURE["gate_headers"])


class Sampler(Role):
    """A sampling table: an ID look-up per person, and every 10th time the batch of the
    tube just sealed (the first time too); past the round's last tube the device resends."""

    weight = BASE["Sampler"]

    def on_start(self) -> None:
        self.i = 0

    @task
    def work(self) -> None:
        self.i += 1
        if self.i % 10 == 1:
            self.send("POST", "/api/v1/screening/sampling/batches", name="sampling/batches",
                      body=nth("uploads"),
                      headers=FIXTURE["sampler_headers"])
            return
        item = nth("lookups")
        self.send("GET", f"/api/v1/screening/sampling/lookup?site={item['site']}"
                  f"&id_number={item['id_number']}", name="sampling/lookup",
                  headers=FIXTURE["sampler_headers"])


class Lab(Role):
    """A lab posting a plate's results (negative); a file posted again is 'unchanged'."""

    fixed_count = LAB_USERS
    wait_time = constant_pacing(20.0)

    @task
    def results(self) -> None:
        plate = nth("lab_files")
        tested = dt.datetime.now(dt.UTC).isoformat()
        rows = [{"tube_code": c, "result": "negative", "ct_value": None, "tested_at": tested}
                for c in plate["codes"]]
        self.send("POST", "/api/v1/screening/lab/results", name="lab/results",
                  body={"lab_id": plate["lab_id"], "client_key": secrets.token_hex(8),
                        "rows": rows}, headers=FIXTURE["lab_headers"])


class Dashboard(Role):
    """A commander's screen: the dashboard once, then its live tiles every 30 s."""

    fixed_count = VIEWERS
    wait_time = constant_pacing(30.0)

    def on_start(self) -> None:
        self.send("GET", f"/command/?unit={FIXTURE['city_unit']}", name="command page",
                  headers=FIXTURE["commander_headers"])

    @task
    def tiles(self) -> None:
        self.send("GET", f"/command/dashboard/live/?unit={FIXTURE['city_unit']}",
                  name="command live tiles", headers=FIXTURE["commander_headers"])
