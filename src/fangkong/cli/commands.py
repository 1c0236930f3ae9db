"""Handlers of the ``fangkong`` subcommands: demo, server, database, synthetic city, users,
jobs. Django is configured inside each handler, so ``fangkong --help`` and ``synth city``
(pure numpy) start instantly and touch no database."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    ensure_secret_key()
    import django
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # inside DATA_DIR
    django.setup()


def ensure_secret_key() -> None:
    """Without ``FANGKONG_SECRET_KEY``, commands use a random secret kept in the data dir
    (created once, readable by its owner only), so no two installs sign links alike and the
    health-code signing key is never encrypted under a published default."""
    if os.environ.get("FANGKONG_SECRET_KEY"):
        return
    folder = Path(os.environ.get("FANGKONG_DATA_DIR") or Path.cwd() / "var")
    path = folder / "secret.key"
    if not path.exists():
        import secrets

        folder.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    os.environ["FANGKONG_SECRET_KEY"] = path.read_text().strip()


def migrate(*, verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong import demo
    from fangkong.core.models import AdminUnit
    from fangkong.registry.load import load_city

    migrate()
    src = demo.city_dir(residents=args.residents, seed=args.seed)
    if not AdminUnit.objects.exists():
        src = demo.ensure_city(residents=args.residents, seed=args.seed)
        load_city(src=src, progress=True)
    url = f"http://{args.host}:{args.port}"
    logins = demo.ensure_logins()
    if src.is_dir():
        seeded = demo.seed_tracing(city=src)
        print("tracing: " + ", ".join(f"{k} {v:,}" for k, v in seeded.items()), flush=True)
        screened = demo.seed_screening(seed=args.seed)
        print("screening: " + ", ".join(f"{k} {v:,}" for k, v in screened.items()), flush=True)
        logins = demo.ensure_logins()  # the sealed building's volunteer and gate keeper
        risk = demo.seed_risk(seed=args.seed)
        print("risk: " + ", ".join(f"{k} {v:,}" for k, v in risk.items()), flush=True)
        held = demo.seed_quarantine(seed=args.seed)
        print("quarantine: " + ", ".join(f"{k} {v:,}" for k, v in held.items()), flush=True)
        codes = demo.seed_healthcode(seed=args.seed)
        print("healthcode: " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                                         for k, v in codes.items()), flush=True)
        print("\n".join(demo.healthcode_links(url=url)), flush=True)
        for name, counts in demo.seed_command_centre(seed=args.seed):
            print(f"{name}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
    print(demo.format_logins(logins, url=url), flush=True)
    if args.no_serve:
        return 0
    start_job_worker()
    return serve(host=args.host, port=args.port, threads=args.threads)


def start_job_worker(*, workers: int = 2) -> None:
    """The demo's job worker, as threads of the server's process: queued jobs (a situation
    report asked for on its page) run without a second command. Periodic jobs stay off: on
    the embedded database the city-wide sweeps would compete with the pages for the one
    writer, and the dashboard refreshes its own figures when asked. Production runs
    ``fangkong worker`` (periodic jobs included) instead."""
    import signal

    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return  # jobs already run inside the request
    autodiscover_modules("tasks")
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    HUEY.create_consumer(workers=workers, worker_type="thread", periodic=False).start()
    for sig, handler in handlers.items():  # Ctrl+C stops the server, and with it the threads
        signal.signal(sig, handler)
    print(f"job worker: {workers} threads in this process (queued jobs only)", flush=True)


def make_server(*, host: str, port: int, threads: int) -> Any:
    """The project's waitress server, not yet running (``.run()``; port 0 picks a free one).
    The health-code load shedding is sized to its threads. Waitress warns once per queued
    request when all threads are busy, from its one I/O thread: under overload a flood that
    stops the whole server if the log cannot keep up (docs/performance.md), so one such
    warning a minute is kept."""
    import logging
    import time

    from waitress.server import create_server

    from fangkong.healthcode.shedding import serve_with_threads
    from fangkong.wsgi import application

    serve_with_threads(threads)
    last = [-60.0]

    def once_a_minute(record: logging.LogRecord) -> bool:
        allowed = time.monotonic() - last[0] >= 60
        last[0] = time.monotonic() if allowed else last[0]
        return allowed

    queue_log = logging.getLogger("waitress.queue")
    for old in [f for f in queue_log.filters if getattr(f, "__name__", "") == "once_a_minute"]:
        queue_log.removeFilter(old)
    queue_log.addFilter(once_a_minute)
    return create_server(application, host=host, port=port, threads=threads, ident="fangkong",
                         **trusted_proxy())


def trusted_proxy() -> dict[str, Any]:
    """Waitress drops the forwarded headers of an untrusted peer: behind nginx name it
    (FANGKONG_TRUSTED_PROXY), or every request looks like plain HTTP from the proxy's address
    (a redirect loop under FANGKONG_HTTPS, one login throttle for the whole city)."""
    from fangkong.config import env_str

    proxy = env_str("FANGKONG_TRUSTED_PROXY", "")
    if not proxy:
        return {}
    return {"trusted_proxy": proxy, "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}


def serve(*, host: str, port: int, threads: int) -> int:
    from fangkong.healthcode.shedding import GUARD

    server = make_server(host=host, port=port, threads=threads)
    limit = GUARD.limit()
    print(f"serving on http://{host}:{port} with {threads} threads; gate and check-in uploads "
          f"beyond {limit} at once are answered 503 (Ctrl+C stops)", flush=True)
    if limit >= threads:
        print(f"warning: FANGKONG_HEALTHCODE_MAX_IN_FLIGHT={limit} is not below the {threads} "
              "threads: uploads will queue instead of being refused", flush=True)
    server.run()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    migrate()
    return serve(host=args.host, port=args.port, threads=args.threads)


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    migrate(verbosity=1)
    return 0


def cmd_synth_city(args: argparse.Namespace) -> int:
    from fangkong.synth.generate import generate_city

    meta = generate_city(out=args.out, residents=args.residents, seed=args.seed, days=args.days,
                         ping_share=args.ping_share, outbreak_seeds=args.outbreak_seeds,
                         progress=not args.quiet)
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v:,}" for k, v in meta["counts"].items()))
    return 0


def cmd_synth_load(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.registry.load import load_city

    migrate()
    counts = load_city(src=args.src, progress=not args.quiet)
    print("loaded " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    setup_django()
    import getpass

    from fangkong.core.users import do_create_user

    password = args.password or getpass.getpass(f"password for {args.username}: ")
    do_create_user(actor=None, username=args.username, password=password,
                   unit_code=args.unit, roles=args.role)
    print(f"created {args.username} at {args.unit} with roles {', '.join(args.role)}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.core.models import Profile

    for p in Profile.objects.select_related("user", "unit").order_by("user__username"):
        unit = f"{p.unit.code} {p.unit.name}" if p.unit else "-"
        print(f"{p.user.username:<16} {unit:<32} {', '.join(p.roles)}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.core.retention import run_purge

    for name, count in run_purge().items():
        print(f"{name}: {count} purged")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("run_huey", workers=args.workers)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fangkong manage", *args.rest])
    return 0
