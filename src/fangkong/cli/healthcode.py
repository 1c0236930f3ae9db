"""``fangkong healthcode keygen | issue | verify | recompute``: signing keys, signed codes and
status for operators and tests.

``verify`` with ``--keys keys.json`` (the published document) needs no database and no
network: it is what a gate does. It exits 0 for a valid code, 1 with the reason for an
invalid one, 2 when it cannot decide (unreadable keys file, bad ``--at``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from fangkong.cli.commands import setup_django

STDIN = "-"  # the code argument that means: read the code from standard input


def add_healthcode_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``healthcode keygen|issue|verify|recompute`` to the ``fangkong`` command line."""
    hc = sub.add_parser("healthcode", help="health-code signing keys, codes and status")
    hs = hc.add_subparsers(metavar="{keygen,issue,verify,recompute}")
    keygen = hs.add_parser("keygen", help="create the signing key (Ed25519)")
    keygen.add_argument("--rotate", action="store_true",
                        help="replace the active key (the old one stays published until its "
                             "codes expire)")
    keygen.set_defaults(handler=cmd_keygen)
    issue = hs.add_parser("issue", help="sign a person's current code; print it decoded")
    issue.add_argument("--person", type=int, required=True, help="person id")
    issue.add_argument("--qr", action="store_true", help="also draw the QR code in the terminal")
    issue.set_defaults(handler=cmd_issue)
    verify = hs.add_parser("verify", help="verify a code offline (exit 0 valid, 1 invalid)")
    verify.add_argument("token", help="the code text, or - to read it from stdin")
    verify.add_argument("--keys", type=Path,
                        help="published keys JSON (no database needed); default: the database")
    verify.add_argument("--at", default="", help="ISO 8601 time with offset (default: now)")
    verify.set_defaults(handler=cmd_verify)
    recompute = hs.add_parser("recompute", help="recompute every resident's status (batches)")
    recompute.set_defaults(handler=cmd_recompute)


def cmd_keygen(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.healthcode.keys import do_generate_key, do_rotate
    from fangkong.healthcode.models import SigningKey

    active = SigningKey.objects.filter(retired_at__isnull=True).first()
    if active is not None and not args.rotate:
        print(f"error: key {active.kid} is already active; use --rotate to replace it",
              file=sys.stderr)
        return 1
    key = do_rotate() if args.rotate else do_generate_key()
    print(f"signing key {key.kid} (Ed25519) active from {key.created_at.isoformat()}")
    print(f"public key  {key.public_key}")
    if active is not None:
        print(f"retired     {active.kid} (published until its codes expire)")
    return 0


def _describe(payload: Any) -> list[str]:
    def when(seconds: int) -> str:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).isoformat()

    return [f"  colour     {payload.colour}",
            f"  flags      {', '.join(payload.flags) or '-'}",
            f"  pseudonym  {payload.pseudonym}",
            f"  key        {payload.kid}",
            f"  issued     {when(payload.issued_at)}",
            f"  expires    {when(payload.expires_at)}"]


def cmd_issue(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils.translation import gettext as _

    from fangkong.core.errors import DomainError
    from fangkong.healthcode.issue import do_issue_code
    from fangkong.registry.models import Person

    if not Person.objects.filter(pk=args.person).exists():
        raise DomainError(_("no person with id %(id)s") % {"id": args.person}, field="person")
    issued = do_issue_code(person_id=args.person)
    print(issued.token)
    print("\n".join(_describe(issued.payload)))
    if args.qr:
        import segno

        segno.make(issued.token, error="m").terminal(compact=True)
    return 0


def _at(text: str) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"--at {text}: needs an offset, e.g. {text}+08:00")
    return value


def _keys_from(path: Path | None, now: dt.datetime) -> Any:
    from fangkong.healthcode import tokens

    if path is not None:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError(f"{path.name}: a keys document (JSON object) is expected")
        return tokens.public_keys_from_json(document)
    setup_django()
    from fangkong.healthcode.keys import public_keys

    return public_keys(now)


def cmd_verify(args: argparse.Namespace) -> int:
    from fangkong.healthcode import tokens

    text = args.token
    code = sys.stdin.read().strip() if text == STDIN else text
    try:
        now = _at(args.at)
        known = _keys_from(args.keys, now)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = tokens.verify_token(code, public_keys=known, now=now)
    if result.valid and result.payload is not None:
        print("valid")
    else:
        print(f"invalid: {result.reason}")
    if result.payload is not None:
        print("\n".join(_describe(result.payload)))
    return 0 if result.valid else 1


def cmd_recompute(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.healthcode.recompute import run_recompute_all

    counts = run_recompute_all(progress=True)
    if isinstance(counts, dict):
        print("recomputed " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                                        for k, v in counts.items()))
    return 0
