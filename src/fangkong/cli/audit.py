"""``fangkong audit seal | verify``: the audit log's hash chain (core/audit_chain.py).

``seal`` chains the rows written since the last seal and prints the chain's head (seq and
link); keep that line outside the database (the system log, a ticket) so a deleted tail
with its checkpoints is still found. ``verify`` exits 0 when every row checks out, 1 with
the broken rows listed first to last, 2 when ``--head`` cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from fangkong.cli.commands import setup_django


def add_audit_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``audit seal|verify`` to the ``fangkong`` command line."""
    audit = sub.add_parser("audit", help="audit-log integrity: seal the chain, verify it")
    actions = audit.add_subparsers(metavar="{seal,verify}")
    seal = actions.add_parser("seal", help="chain the unsealed rows; print the head")
    seal.add_argument("--batch", type=int, default=5000, help="rows per transaction")
    seal.set_defaults(handler=cmd_seal)
    verify = actions.add_parser("verify", help="check every row; exit 1 on a broken one")
    verify.add_argument("--head", default="",
                        help="SEQ:LINK printed by an earlier seal, kept outside the database")
    verify.add_argument("--limit", type=int, default=100, help="findings to list at most")
    verify.set_defaults(handler=cmd_verify)


def cmd_seal(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.core.audit_chain import do_seal

    result = do_seal(batch=args.batch)
    print(f"sealed {result.sealed} rows; head {result.head_seq}:{result.head_link}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        head = _head(args.head)
    except ValueError:
        print(f"error: --head must be SEQ:LINK, got {args.head!r}", file=sys.stderr)
        return 2
    setup_django()
    from fangkong.core.audit_chain import check_chain

    report = check_chain(head=head, limit=args.limit)
    for f in report.findings:
        print(f"{f.kind}: row {f.row_id if f.row_id is not None else '-'} "
              f"seq {f.seq if f.seq is not None else '-'}: {f.detail}")
    print(f"{report.sealed} sealed and {report.unsealed} unsealed rows checked; "
          f"{len(report.findings)} findings")
    return 0 if report.ok else 1


def _head(raw: str) -> tuple[int, str] | None:
    """(seq, link), or None when not given; ValueError when unreadable."""
    if not raw:
        return None
    seq, _, link = raw.partition(":")
    if not seq.isdigit() or len(link) != 64:
        raise ValueError(raw)
    return int(seq), link
