"""The work of one backend in bench_quarantine.py: load the city, time ``do_assign_orders``
on the arrivals of the room cases, then build the 100,000-person board and time it."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any


def run_backend(args: argparse.Namespace) -> None:
    from benchmarks.bench_quarantine import database_url

    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ["FANGKONG_DATABASE_URL"] = database_url(args.one, args.cache)
    os.environ["FANGKONG_DATA_DIR"] = str(args.cache / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    os.environ["FANGKONG_ALLOWED_HOSTS"] = "testserver"
    from fangkong.cli.commands import migrate, setup_django

    setup_django()
    migrate()
    from fangkong.registry.load import load_city

    began = time.perf_counter()
    load_city(src=Path(os.environ["FANGKONG_BENCH_CITY"]), progress=False)
    print(f"city loaded in {time.perf_counter() - began:.1f} s", flush=True)
    work = json.loads(Path(os.environ["FANGKONG_BENCH_WORK"]).read_text())
    result: dict[str, Any] = {"backend": args.one, "assign": assign_case(work)}
    from benchmarks.quarantine_board import board_cases

    result["board"] = board_cases(people=args.people, hotels=args.hotels, repeat=args.repeat,
                                  exclude=set(work["person_ids"]), seed=args.seed)
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result))


def assign_case(work: dict[str, Any]) -> dict[str, Any]:
    """The whole action on the database: awaiting orders of the arrivals, the hotels of the
    first scenario, ``preview_assignment`` then ``do_assign_orders`` as a city manager."""
    from benchmarks.quarantine_fixture import make_hotels, make_orders, make_user
    from fangkong.core.jurisdiction import actor_for
    from fangkong.core.models import AdminUnit, Level
    from fangkong.quarantine.assignment import do_assign_orders, preview_assignment
    from fangkong.quarantine.logic_rooms import RoomSlot
    from fangkong.quarantine.models import OrderStatus, QuarantinePolicy
    from fangkong.quarantine.orders import today

    city = AdminUnit.objects.get(level=Level.CITY)
    manager = make_user("bench-q-manager", city, "quarantine_manager")
    slots = [RoomSlot(key=0, facility=f, capacity=c, accessible=a)
             for f, c, a in work["rooms"]]
    make_hotels("QA", [0] * work["hotels"], slots)
    policy = QuarantinePolicy.objects.order_by("-effective_from").first()
    assert policy is not None
    ids = work["person_ids"]
    make_orders(ids, policy=policy, status=OrderStatus.AWAITING, starts=[today()],
                centralised_days=5, home_days=3)
    actor = actor_for(manager)
    began = time.perf_counter()
    plan = preview_assignment(actor=actor)
    preview_s = time.perf_counter() - began
    began = time.perf_counter()
    result = do_assign_orders(actor=actor)
    apply_s = time.perf_counter() - began
    assert plan.people_placed == len(result.assigned) == work["people_placed"], (
        plan.people_placed, len(result.assigned), work["people_placed"])
    again = do_assign_orders(actor=actor)  # a resent apply finds nothing left to place
    print(f"assignment: {len(ids):,} orders, preview {preview_s:.1f} s, apply {apply_s:.1f} s",
          flush=True)
    return {"orders": len(ids), "rooms": len(slots), "preview_s": preview_s,
            "apply_s": apply_s, "assigned": len(result.assigned),
            "assigned_again": len(again.assigned)}
