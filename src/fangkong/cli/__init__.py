"""The ``fangkong`` command line; ``fangkong --help`` lists the subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from fangkong.cli import commands as c
from fangkong.cli import files as f
from fangkong.cli.audit import add_audit_parser
from fangkong.cli.backup import add_backup_parser
from fangkong.cli.check import add_check_parser
from fangkong.cli.healthcode import add_healthcode_parser
from fangkong.cli.pools import add_pools_parser
from fangkong.cli.simulate import add_simulate_parser
from fangkong.cli.trace import add_trace_parser

KINDS = ["buildings", "households", "persons", "venues"]


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)


def _synth(sub: argparse._SubParsersAction) -> None:
    synth = sub.add_parser("synth", help="generate a synthetic city and outbreak; load one")
    ss = synth.add_subparsers(metavar="{city,load}")
    city = ss.add_parser("city", help="write a city, 14 days of check-ins/pings, an outbreak")
    city.add_argument("--residents", type=int, default=100_000)
    city.add_argument("--seed", type=int, default=2022)
    city.add_argument("--out", type=Path, required=True)
    city.add_argument("--days", type=int, default=14)
    city.add_argument("--ping-share", type=float, default=0.1,
                      help="share of residents whose phones report pings")
    city.add_argument("--outbreak-seeds", type=int, default=5)
    city.add_argument("--quiet", action="store_true")
    city.set_defaults(handler=c.cmd_synth_city)
    load = ss.add_parser("load", help="bulk-load a generated city into the database")
    load.add_argument("src", type=Path)
    load.add_argument("--quiet", action="store_true")
    load.set_defaults(handler=c.cmd_synth_load)


def _files(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import a registry CSV/XLSX as a user")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--as", dest="as_user", required=True, help="username whose rights apply")
    imp.add_argument("--partial", action="store_true", help="import the good rows of a bad file")
    imp.set_defaults(handler=f.cmd_import)
    exp = sub.add_parser("export", help="export registry rows as CSV/XLSX as a user")
    exp.add_argument("kind", choices=KINDS)
    exp.add_argument("--out", type=Path, required=True, help="file.csv or file.xlsx")
    exp.add_argument("--unit", default="", help="admin unit code (default: the user's node)")
    exp.add_argument("--as", dest="as_user", required=True)
    exp.set_defaults(handler=f.cmd_export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fangkong", description="Fangkong (防控) platform")
    sub = parser.add_subparsers(metavar="command")
    demo = sub.add_parser("demo", help="generate and load a demo city, print logins, serve")
    demo.add_argument("--residents", type=int, default=100_000)
    demo.add_argument("--seed", type=int, default=2022)
    demo.add_argument("--no-serve", action="store_true", help="set up and print logins only")
    _server_options(demo)
    demo.set_defaults(handler=c.cmd_demo)
    serve = sub.add_parser("serve", help="serve the web app and API (waitress)")
    _server_options(serve)
    serve.set_defaults(handler=c.cmd_serve)
    sub.add_parser("migrate", help="create or update the database tables").set_defaults(
        handler=c.cmd_migrate)
    _synth(sub)
    user = sub.add_parser("createuser", help="create a user bound to an admin unit")
    user.add_argument("username")
    user.add_argument("--unit", required=True, help="admin unit code")
    user.add_argument("--role", action="append", required=True, help="role (repeatable)")
    user.add_argument("--password", default="", help="prompted for when omitted")
    user.set_defaults(handler=c.cmd_createuser)
    sub.add_parser("users", help="list users, nodes and roles").set_defaults(handler=c.cmd_users)
    _files(sub)
    add_trace_parser(sub)
    add_pools_parser(sub)
    add_healthcode_parser(sub)
    add_simulate_parser(sub)
    add_backup_parser(sub)
    add_check_parser(sub)
    add_audit_parser(sub)
    sub.add_parser("purge", help="purge personal data past retention now").set_defaults(
        handler=c.cmd_purge)
    worker = sub.add_parser("worker", help="run the background job worker (huey)")
    worker.add_argument("--workers", type=int, default=2)
    worker.set_defaults(handler=c.cmd_worker)
    manage = sub.add_parser("manage", help="Django management commands")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=c.cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    from fangkong.core.errors import DomainError

    try:
        return int(args.handler(args))
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        print(f"error{where}: {exc.message}", file=sys.stderr)
        return 1
