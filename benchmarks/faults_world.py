"""The fault runs' view of their database, run as a process of its own on the place's
environment (``benchmarks.faults_procs.world``); each command prints one line of JSON.

    python -m benchmarks.faults_world setup            # city, users, codes, a gate session
    python -m benchmarks.faults_world count-ingest     # gate scans and check-ins per key
    python -m benchmarks.faults_world scenario RUNS    # queue a long simulation job
    python -m benchmarks.faults_world report DAYS_AGO  # queue a situation report

The city is the test suite's small city (``tests.factories``): two districts down to grids,
a venue per grid, a few residents; the codes are computed by the real batch recompute.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from typing import Any

GATE_USER, ADMIN_USER = "fault-gate", "fault-admin"


def setup() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from tests.factories import make_user, small_city

    from fangkong.cli.commands import migrate
    from fangkong.core.models import AdminUnit, Level
    from fangkong.healthcode.models import PersonCode
    from fangkong.healthcode.recompute import do_recompute_all
    from fangkong.registry.models import Venue

    migrate()
    small_city(people_per_grid=5)
    city = AdminUnit.objects.get(level=Level.CITY)
    make_user(GATE_USER, unit=city, roles=["door_staff"])
    make_user(ADMIN_USER, unit=city, roles=["city_admin"])
    do_recompute_all()
    client = Client()
    client.force_login(User.objects.get(username=GATE_USER))
    csrf = _get_new_csrf_string()
    return {"session": client.cookies["sessionid"].value, "csrf": csrf,
            "venues": list(Venue.objects.order_by("pk").values_list("pk", flat=True)),
            "pseudonyms": list(PersonCode.objects.order_by("person_id")
                               .values_list("pseudonym", flat=True)),
            "grids": list(AdminUnit.objects.filter(level=Level.GRID).order_by("code")
                          .values_list("code", flat=True))}


def count_ingest() -> dict[str, Any]:
    """Every stored gate scan (``device/key``) with how often it is stored, and how many gate
    check-ins carry the key derived from it (a scan that admitted someone makes one)."""
    from fangkong.core.models import AuditLog
    from fangkong.healthcode.gate import checkin_key
    from fangkong.healthcode.models import Checkin, GateScan

    pairs = list(GateScan.objects.values_list("device", "client_key"))
    checkins = Counter(Checkin.objects.filter(source="gate").values_list("client_key", flat=True))
    return {"scans": dict(Counter(f"{d}/{k}" for d, k in pairs)),
            "checkins": {f"{d}/{k}": checkins[checkin_key(d, k)] for d, k in set(pairs)},
            "stray_checkins": checkins.total() - sum(checkins[checkin_key(d, k)]
                                                     for d, k in set(pairs)),
            "uploads_audited": AuditLog.objects.filter(
                verb="healthcode.gate_scans.upload").count()}


def queue_scenario(runs: int) -> dict[str, Any]:
    """A branching-process scenario of ``runs`` runs, queued as the page queues it."""
    from django.contrib.auth.models import User

    from fangkong.core.jurisdiction import actor_for
    from fangkong.simulation.scenarios import do_create_scenario

    actor = actor_for(User.objects.get(username=ADMIN_USER))
    scenario = do_create_scenario(actor=actor, name=f"fault {runs}", model="branching",
                                  params={}, runs=runs, seed=7)
    return {"id": scenario.pk}


def queue_report(days_ago: int) -> dict[str, Any]:
    """The city's situation report of a past day, requested as the page requests it."""
    from django.contrib.auth.models import User

    from fangkong.command.reports import do_request_report
    from fangkong.core import clock
    from fangkong.core.jurisdiction import actor_for
    from fangkong.core.models import AdminUnit, Level

    actor = actor_for(User.objects.get(username=ADMIN_USER))
    report = do_request_report(actor=actor, unit_id=AdminUnit.objects.get(level=Level.CITY).pk,
                               day=clock.city_today() - dt.timedelta(days=days_ago),
                               language="en")
    return {"id": report.pk}


def main(argv: list[str]) -> Any:
    from fangkong.cli.commands import setup_django

    setup_django()
    command, rest = argv[0], argv[1:]
    if command == "setup":
        return setup()
    if command == "count-ingest":
        return count_ingest()
    if command == "scenario":
        return queue_scenario(int(rest[0]))
    if command == "report":
        return queue_report(int(rest[0]))
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
