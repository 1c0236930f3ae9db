"""The work of one backend and city size in bench_command.py, in its own process on a fresh
database: load the city and the outbreak, rebuild the read model, time the figures against
the naive recount, the incremental refresh, then the pages through the server and Chromium."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any


def run_backend(args: argparse.Namespace) -> None:
    from benchmarks.bench_command import database_url

    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ["FANGKONG_DATABASE_URL"] = database_url(args.one, args.cache)
    os.environ["FANGKONG_DATA_DIR"] = str(args.cache / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    os.environ["FANGKONG_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    from fangkong.cli.commands import migrate, setup_django

    setup_django()
    migrate()
    from benchmarks.command_report import load_average

    result: dict[str, Any] = {"backend": args.one, "residents": args.residents[0],
                              "load_at_start": load_average()}
    result["fixture"] = load(args)
    from benchmarks import command_measure as measure

    result["rebuild"] = measure.rebuild_case()
    places = measure.units()
    result["units"] = {k: {"id": u.pk, "name": u.name} for k, u in places.items()}
    result["figures"] = {}
    for name, unit in places.items():
        row = measure.picture_vs_naive(unit, repeat=args.repeat, naive_repeat=args.naive_repeat)
        result["figures"][name] = row
        print(f"{name}: picture {row['picture']['median_ms']:.1f} ms, naive "
              f"{row['naive']['median_ms']:.0f} ms, differ {row['differ_today']}", flush=True)
    result["incremental"] = measure.incremental_case(places["street"])
    result |= served(args, places)
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result, default=str))


def load(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.command_fixture import Shape, World, build_outbreak, counts_by_table, vacuum
    from benchmarks.command_fixture_city import build_city
    from fangkong.registry.load import load_city

    began = time.perf_counter()
    load_city(src=Path(os.environ["FANGKONG_BENCH_CITY"]), progress=False)
    city_s = time.perf_counter() - began
    began = time.perf_counter()
    world = World.load(Shape(), args.seed)
    build_city(world, build_outbreak(world))
    vacuum()
    outbreak_s = time.perf_counter() - began
    rows = counts_by_table()
    print(f"city {city_s:.0f} s, outbreak {outbreak_s:.0f} s: {rows}", flush=True)
    return {"city_s": city_s, "outbreak_s": outbreak_s, "rows": rows, "built": world.sizes}


def served(args: argparse.Namespace, places: dict[str, Any]) -> dict[str, Any]:
    """The pages through waitress; a case registered meanwhile shows on the next page (its
    request refreshes its scope); then the browser (no ORM after Playwright starts)."""
    from django.db import connections

    from benchmarks import command_http as web
    from benchmarks.command_measure import new_case_for_page

    cookie = web.commander_cookie()
    street = places["street"]
    connections.close_all()  # SQLite: let the server's process write
    log = args.cache / f"server-{args.one}-{args.residents[0]}.log"
    server = web.start_server(args.port, log)
    out: dict[str, Any] = {"http": {}}
    try:
        for name, unit in places.items():
            out["http"][name] = web.page_case(args.port, f"/command/?unit={unit.pk}", cookie,
                                              args.repeat)
            out["http"][f"{name} (live fragment)"] = web.page_case(
                args.port, f"/command/dashboard/live/?unit={unit.pk}", cookie, args.repeat)
            print(f"http {name}: ttfb {out['http'][name]['ttfb']['median_ms']:.0f} ms",
                  flush=True)
        path = f"/command/?unit={street.pk}"
        shown_before = web.tile_value(args.port, path, cookie)[1]
        new_case_for_page(street)
        connections.close_all()
        seconds, shown = web.tile_value(args.port, path, cookie)
        out["page_after_new_case"] = {"ms": seconds * 1000, "tile_before": shown_before,
                                      "tile_after": shown, "expected": shown_before + 1}
        if args.browser:
            paths = {k: f"/command/?unit={u.pk}" for k, u in places.items()}
            out["browser"] = web.browser_cases(args.port, cookie, paths, args.browser_repeat)
    finally:
        out["server_alive_at_end"] = web.stop_server(server)
    return out
