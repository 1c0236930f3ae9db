"""The work of one backend in bench_healthcode.py: load the city, time the batch recompute
against its baselines, then serve the project with waitress and load it over loopback."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

SERVERS = {  # name: (label, waitress threads, shedding limit or None for the default)
    "default": ("fangkong serve default: 8 threads, shed limit 6 (derived)", 8, None),
    "queue": ("8 threads, shed limit 16 (never fires: overload queues)", 8, 16),
    "wide": ("32 threads, shed limit 8", 32, 8),
}


def run_backend(args: argparse.Namespace) -> None:
    from benchmarks.bench_healthcode import database_url

    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ["FANGKONG_DATABASE_URL"] = database_url(args.one, args.cache)
    os.environ["FANGKONG_DATA_DIR"] = str(args.cache / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.healthcode_settings"
    os.environ["FANGKONG_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    from fangkong.cli.commands import migrate, setup_django

    setup_django()
    migrate()
    from fangkong.registry.load import load_city

    began = time.perf_counter()
    load_city(src=Path(os.environ["FANGKONG_BENCH_CITY"]), progress=False)
    print(f"city loaded in {time.perf_counter() - began:.1f} s", flush=True)
    from benchmarks.healthcode_recompute import recompute_cases

    result: dict[str, Any] = {"backend": args.one, "recompute": recompute_cases()}
    if args.http:
        result["http"] = http_cases(args)
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result))


def http_cases(args: argparse.Namespace) -> list[dict[str, Any]]:
    from django.db import connections

    from benchmarks import healthcode_http as web
    from fangkong.healthcode.shedding import limit_for_threads

    fx = web.Fixture()
    connections.close_all()  # SQLite: let the server's process write
    out = []
    for n, name in enumerate(args.servers):
        label, threads, limit = SERVERS[name]
        print(f"  server: {label}", flush=True)
        log = args.cache / f"server-{args.one}-{name}.log"
        server = web.start_server(args.port, threads, max_in_flight=limit,
                                  body_bytes=fx.body_bytes, log=log)
        rows = []
        try:
            if n == 0:
                rows += web.issue_cases(args.port, fx, clients=threads, seconds=args.seconds)
            rows += web.ingest_cases(args.port, fx, capacity_clients=8,
                                     multiples=args.multiples, seconds=args.seconds,
                                     gate_batch=args.gate_batch if n == 0 else 0)
        finally:
            health = web.stop_server(server, log)
        out.append({"server": label, "threads": threads,
                    "limit": limit or limit_for_threads(threads),
                    "body_bytes": fx.body_bytes, **health, "rows": rows})
    return out
