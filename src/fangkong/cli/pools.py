"""``fangkong pools plan``: the best Dorfman pool size at a prevalence, no database needed.

``--prevalence`` takes a fraction (0.01) or a percentage (1%). The default search runs up to
pools of 200, as the table in the research notes does; pools above 20 are flagged, since the
NHC validated only 5, 10 and 20.
"""

from __future__ import annotations

import argparse
import sys

SHOWN_SIZES = (5, 10, 20)
VALIDATED_MAX = 20


def add_pools_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``pools plan`` to the ``fangkong`` command line."""
    pools = sub.add_parser("pools", help="pooled testing arithmetic (Dorfman)")
    ps = pools.add_subparsers(metavar="{plan}")
    p = ps.add_parser("plan", help="best pool size and expected tests per person")
    p.add_argument("--prevalence", required=True,
                   help="share of positives, e.g. 0.01 or 1%%; must lie in (0, 1)")
    p.add_argument("--max-pool", type=int, default=200, help="largest pool searched")
    p.add_argument("--sensitivity", type=float, default=1.0, help="of one test (default 1)")
    p.add_argument("--specificity", type=float, default=1.0, help="of one test (default 1)")
    p.set_defaults(handler=cmd_pools_plan)


def parse_prevalence(text: str) -> float:
    """A fraction strictly between 0 and 1, written as 0.01 or 1%."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValueError(f"--prevalence {text}: not a number") from None
    if not 0.0 < value < 1.0:
        raise ValueError(f"--prevalence {text}: must lie strictly between 0 and 1 "
                         "(a fraction such as 0.01, or 1%)")
    return value


def cmd_pools_plan(args: argparse.Namespace) -> int:
    from fangkong.testing.logic import best_pool_size, dorfman_tests_per_person

    try:
        p = parse_prevalence(args.prevalence)
        if args.max_pool < 2:
            raise ValueError(f"--max-pool {args.max_pool}: must be at least 2")
        test = {"sensitivity": args.sensitivity, "specificity": args.specificity}
        best = best_pool_size(p, max_pool=args.max_pool, **test)
        rows = [(k, dorfman_tests_per_person(k, p, **test)) for k in SHOWN_SIZES]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    perfect = args.sensitivity == 1.0 and args.specificity == 1.0
    kind = "perfect test" if perfect else (
        f"sensitivity {args.sensitivity:g}, specificity {args.specificity:g}")
    print(f"Dorfman two-stage pooling at prevalence {p * 100:g}% ({kind}), "
          f"pools of 2..{args.max_pool}")
    print(f"  best pool size    {best.k}")
    print(f"  tests per person  {best.tests_per_person:.4f}")
    print(f"  saving            {best.saving:.1%}")
    if not perfect:
        print(f"  sensitivity       {best.sensitivity:.4f} (both stages)")
    if best.k == 1:
        print("  no pool beats single tubes at this prevalence: test one swab per tube")
    elif best.k > VALIDATED_MAX:
        print(f"  note: pools above {VALIDATED_MAX} are not validated (NHC 2022: 5, 10, 20)")
    print("  pool  tests/person  saving")
    for k, e in rows:
        print(f"  {k:>4}  {e:>12.4f}  {1 - e:>6.1%}")
    return 0
