"""``fangkong import`` and ``fangkong export``: registry files acting as a named user, so the
same rights, scope, masking and audit apply as on the web."""

from __future__ import annotations

import argparse
import sys

from fangkong.cli.commands import setup_django


def _actor(username: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    from fangkong.core.errors import DomainError
    from fangkong.core.jurisdiction import actor_for

    user = User.objects.filter(username=username).first()
    if user is None:
        raise DomainError(f"no user {username!r}", field="--as")
    return actor_for(user, ip=None)


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.registry.io import do_import

    report = do_import(actor=_actor(args.as_user), kind=args.kind, name=args.file.name,
                       data=args.file.read_bytes(), partial=args.partial)
    for error in report.errors:
        print(error, file=sys.stderr)
    print(f"{report.rows} rows read, {report.imported} imported, {len(report.errors)} rejected")
    if report.errors and not args.partial:
        print("nothing was written; fix the rows above or pass --partial", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.core.errors import DomainError
    from fangkong.core.models import AdminUnit
    from fangkong.registry.io import export_rows, write_csv, write_xlsx

    actor = _actor(args.as_user)
    unit = AdminUnit.objects.filter(code=args.unit).first() if args.unit else actor.unit
    if unit is None:
        raise DomainError("no such unit", field="--unit")
    rows = export_rows(actor=actor, kind=args.kind, unit=unit)
    if args.out.suffix.lower() == ".xlsx":
        n = write_xlsx(rows, args.out)
    else:
        with args.out.open("w", encoding="utf-8-sig", newline="") as out:
            n = write_csv(rows, out)
    print(f"wrote {n} rows to {args.out}")
    return 0
