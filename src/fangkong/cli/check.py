"""``fangkong check [--json]``: is this deployment sound? One line per check (checks.py) with
OK, WARN or FAIL and, when not OK, what to do; exit 1 when anything FAILs, else 0.

The secret key is looked at before Django starts: whether the operator set
``FANGKONG_SECRET_KEY`` or the commands fall back on the data dir's ``secret.key`` (which a
WSGI or ASGI server does not read) is lost once the settings are loaded.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from fangkong.cli.commands import ensure_secret_key

if TYPE_CHECKING:  # checks.py reads django.conf: imported on use, so --help stays light
    from fangkong.cli.checks import Result


def add_check_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``check`` to the ``fangkong`` command line."""
    p = sub.add_parser("check", help="report whether this deployment is sound (exit 1 on FAIL)")
    p.add_argument("--json", action="store_true", help="one JSON object, for machines")
    p.set_defaults(handler=cmd_check)


def _start_django() -> tuple[bool, bool]:
    """Set Django up without creating anything; whether the secret came from the
    environment, and whether the commands' fallback file exists."""
    from_env = bool(os.environ.get("FANGKONG_SECRET_KEY", "").strip())
    folder = Path(os.environ.get("FANGKONG_DATA_DIR") or Path.cwd() / "var")
    from_file = not from_env and (folder / "secret.key").is_file()
    if from_file:
        ensure_secret_key()  # reads it, as `fangkong serve` and `worker` would
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    import django

    django.setup()
    return from_env, from_file


def cmd_check(args: argparse.Namespace) -> int:
    from fangkong.cli.checks import FAIL, Result, run_all

    try:
        from_env, from_file = _start_django()
    except Exception as exc:  # settings or an app that cannot start: that is the finding
        results = [Result("django setup", FAIL, f"{type(exc).__name__}: {exc}"[:300],
                          "fix the configuration above; nothing else could be checked")]
    else:
        results = run_all(from_env=from_env, from_file=from_file)
    failed = any(r.status == FAIL for r in results)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [r.as_dict() for r in results]},
                         ensure_ascii=False, indent=1))
    else:
        print_lines(results)
    return int(failed)


def print_lines(results: list[Result]) -> None:
    """One line per check, the hint under it, then the tally."""
    width = max(len(r.name) for r in results)
    for r in results:
        print(f"{r.status:<4}  {r.name:<{width}}  {r.detail}")
        if r.hint:
            print(f"{'':<4}  {'':<{width}}  → {r.hint}")
    counts = {s: sum(r.status == s for r in results) for s in ("OK", "WARN", "FAIL")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))
