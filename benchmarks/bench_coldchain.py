"""The trace of a positive cold-chain sample on a supply graph of ``--movements`` batch
movements (default 1 M), on SQLite and PostgreSQL.

    nice python -m benchmarks.bench_coldchain --movements 1000000

Per backend, in a fresh child process on a fresh database, ``benchmarks.coldchain_graph``
writes 60 supervised warehouses, 600 markets, 6,000 shops and ~125,000 batches with their
movements (port → warehouse → markets → shops, splits at each step, over 90 days). Then:

* **ours** — ``coldchain.trace.compute``: the seed batch's movements by batch, the movements
  touching the places reached by place (indexed), the handlers, walked in memory; a
  packaging sample at a shop on each of ``--samples`` random batches, median and max;
  and environmental samples at a warehouse (14-day look-back: every batch that was there).
* **baseline** — the same walk after loading the whole movement table (what a trace without
  the batch and place indexes has to read), on a few of the same samples. Its results are
  asserted equal to ours.

Results go to benchmarks/results/coldchain-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.common import add_backend_options, run_on_backends, setup_backend

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PG_DB = "fk_u2_bench_coldchain"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_coldchain",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--baseline-samples", type=int, default=3)
    parser.add_argument("--tag", default="", help="suffix of the results files' names")
    add_backend_options(parser, cache="fk-bench-coldchain")
    return parser.parse_args(argv)


def main() -> None:
    run_on_backends(parse(), module="benchmarks.bench_coldchain", name="coldchain",
                    forward=("movements", "samples", "baseline_samples"),
                    run_backend=run_backend, report=report)


def run_backend(args: argparse.Namespace) -> None:
    setup_backend(args.one, cache=args.cache, sqlite_name="coldchain.sqlite3", pg_db=PG_DB)
    from benchmarks.coldchain_graph import build

    began = time.perf_counter()
    graph = build(movements=args.movements, seed=args.seed)
    built = time.perf_counter() - began
    print(f"{graph.movements:,} movements of {graph.batches:,} batches in {built:.0f} s",
          flush=True)
    rng = random.Random(args.seed + 1)
    packaging = _packaging_samples(rng, args.samples)
    environment = _environment_samples(rng, graph, 3)
    few = packaging[:args.baseline_samples]
    from fangkong.coldchain.trace import TABLE_FROM_SHARE

    result: dict[str, Any] = {
        "backend": args.one, "table_from_share": TABLE_FROM_SHARE[args.one],
        "movements": graph.movements, "batches": graph.batches,
        "build_s": built, "ours": _time_ours(packaging),
        "ours_environment": _time_ours(environment),
        "environment_indexed": _time_ours(environment, table_from=math.inf),
        "environment_table": _time_ours(environment, table_from=0),
        "sweep": _sweep(environment[0]), "baseline": _time_baseline(few)}
    if args.one == "postgresql":
        result["sql"] = _time_sql(few)
        result["sql_environment"] = _time_sql(environment)
    Path(os.environ["FANGKONG_BENCH_OUT"]).write_text(json.dumps(result))


def _packaging_samples(rng: random.Random, n: int) -> list[Any]:
    """A shop that each of ``n`` random batches reached, an hour after it arrived there."""
    from fangkong.coldchain.models import Batch, Movement, PositiveSample

    top = Batch.objects.count()
    out: list[Any] = []
    while len(out) < n:
        batch_id = Batch.objects.order_by("pk").values_list("pk", flat=True)[
            rng.randrange(top)]
        shop = Movement.objects.filter(batch_id=batch_id, to_place__kind="shop").order_by(
            "moved_at").first()
        if shop is not None:
            out.append(PositiveSample(place_id=shop.to_place_id, batch_id=batch_id,
                                      kind="packaging",
                                      sampled_at=shop.moved_at + dt.timedelta(hours=1)))
    return out


def _environment_samples(rng: random.Random, graph: Any, n: int) -> list[Any]:
    from fangkong.coldchain.models import PositiveSample

    middle = graph.start + dt.timedelta(days=45)
    return [PositiveSample(place_id=rng.choice(graph.places["supervised"]), batch_id=None,
                           kind="environment", sampled_at=middle) for _ in range(n)]


def _time_ours(samples: list[Any], *, table_from: float | None = None) -> dict[str, Any]:
    """``compute`` on each sample: its choice of reader (``table_from_places``) unless
    forced."""
    from fangkong.coldchain import trace
    from fangkong.core import clock

    seconds, found = [], []
    for sample in samples:
        began = time.perf_counter()
        got, strategy = trace.compute_with_strategy(sample, as_of=clock.now(),
                                                    table_from=table_from)
        seconds.append(time.perf_counter() - began)
        found.append({"seeds": len(got.seeds), "copresent": len(got.copresent),
                      "places": len(got.places), "handlers": len(got.handlers),
                      "strategy": strategy})
        print(f"ours: {seconds[-1] * 1000:.0f} ms {found[-1]}", flush=True)
    return {"samples": len(samples), "median_s": statistics.median(seconds),
            "max_s": max(seconds), "found": found}


def _sweep(sample: Any) -> list[dict[str, Any]]:
    """Reading the movements of k of an environmental trace's places: by index against one
    whole-table read and filter (what ``TABLE_FROM_SHARE`` chooses between)."""
    from fangkong.coldchain import trace
    from fangkong.core import clock

    places = sorted(trace.compute(sample, as_of=clock.now()).places)
    rng, rows = random.Random(7), []
    for k in sorted({min(k, len(places)) for k in (10, 100, 300, 1000, 1500, len(places))}):
        subset = set(rng.sample(places, k))
        began = time.perf_counter()
        n = len(trace.place_moves(subset))
        indexed = time.perf_counter() - began
        began = time.perf_counter()
        assert len(trace.read_table().touching(subset)) == n
        rows.append({"places": len(subset), "rows": n, "indexed_s": indexed,
                     "table_s": time.perf_counter() - began})
        print(f"sweep: {rows[-1]}", flush=True)
    return rows


def _of_batches(moves: list[Any], batches: set[int]) -> list[Any]:
    return [m for m in moves if m.batch in batches]


def _touching(moves: list[Any], places: set[int]) -> list[Any]:
    return [m for m in moves if m.src in places or m.dst in places]


def _time_baseline(samples: list[Any]) -> dict[str, Any]:
    """Load every movement through the ORM, then ``logic_trace.trace`` in memory (the trace
    before the column reader); asserts the same answer."""
    from fangkong.coldchain import logic_trace as lt
    from fangkong.coldchain.models import Movement
    from fangkong.coldchain.policy import coldchain_rules
    from fangkong.coldchain.trace import _moves, compute
    from fangkong.core import clock

    seconds = []
    for sample in samples:
        now = clock.now()
        began = time.perf_counter()
        moves = _moves(Movement.objects.all())
        rules = coldchain_rules(on=sample.sampled_at.date())
        got = lt.trace(sample=lt.SampleAt(sample.place_id, sample.sampled_at.timestamp(),
                                          sample.batch_id,
                                          rules.environment_lookback_days * 86400.0),
                       batch_moves=functools.partial(_of_batches, moves),
                       place_moves=functools.partial(_touching, moves),
                       handlers_at=lambda p: [], as_of=now.timestamp())
        seconds.append(time.perf_counter() - began)
        ours = compute(sample, as_of=now)
        assert (got.seeds, got.copresent, got.places) == (ours.seeds, ours.copresent,
                                                          ours.places)
        print(f"baseline: {seconds[-1]:.2f} s", flush=True)
    return {"samples": len(samples), "median_s": statistics.median(seconds),
            "max_s": max(seconds)}


def _time_sql(samples: list[Any]) -> dict[str, Any]:
    """The recursive-CTE query of ``coldchain_sql`` (PostgreSQL); asserts the same answer."""
    from benchmarks.coldchain_sql import sql_trace
    from fangkong.coldchain.policy import coldchain_rules
    from fangkong.coldchain.trace import compute
    from fangkong.core import clock

    seconds = []
    for sample in samples:
        now = clock.now()
        rules = coldchain_rules(on=sample.sampled_at.date())
        began = time.perf_counter()
        got = sql_trace(place=sample.place_id, at=sample.sampled_at, batch=sample.batch_id,
                        lookback_s=rules.environment_lookback_days * 86400.0, as_of=now)
        seconds.append(time.perf_counter() - began)
        ours = compute(sample, as_of=now)
        assert (got.seeds, got.places, got.movements, got.to_port, got.copresent) == (
            ours.seeds, set(ours.places), ours.movements, ours.to_port, ours.copresent)
        print(f"sql: {seconds[-1]:.2f} s", flush=True)
    return {"samples": len(samples), "median_s": statistics.median(seconds),
            "max_s": max(seconds)}


def _ms(part: dict[str, Any] | None) -> str:
    if not part:
        return "—"
    return (f"{part['median_s'] * 1000:,.0f} ms ({part['max_s'] * 1000:,.0f}), "
            f"n={part['samples']}")


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    day = dt.datetime.now(dt.UTC).date().isoformat()
    shares = ", ".join(f"{r['backend']} {r['table_from_share']:.0%}" for r in results)
    lines = [f"# Cold-chain trace on {results[0]['movements']:,} movements ({day})", "",
             f"`nice python -m benchmarks.bench_coldchain --movements {args.movements}"
             f"{' --tag ' + args.tag if args.tag else ''}` on "
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
             f"(shared with other work). Co-presence reads the whole table once the trace "
             f"reaches this share of all cold places: {shares}. Times: median (max).", "",
             "| backend | packaging sample at a shop | environmental sample at a warehouse "
             "| same, forced by index | same, forced whole table | baseline: whole table "
             "by the ORM + `logic_trace` (packaging) | recursive CTE, packaging | recursive "
             "CTE, environmental |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['backend']} | {_ms(r['ours'])} | {_ms(r['ours_environment'])} | "
              f"{_ms(r['environment_indexed'])} | {_ms(r['environment_table'])} | "
              f"{_ms(r['baseline'])} | {_ms(r.get('sql'))} | {_ms(r.get('sql_environment'))} |"
              for r in results]
    lines += ["", "Reading the movements of k of an environmental trace's places (co-presence's "
              "read): by the place indexes, or the whole table once, filtered in NumPy.", "",
              "| backend | places | rows | by index | whole table |", "|---|---:|---:|---:|---:|"]
    for r in results:
        lines += [f"| {r['backend']} | {w['places']:,} | {w['rows']:,} | "
                  f"{w['indexed_s'] * 1000:,.0f} ms | {w['table_s'] * 1000:,.0f} ms |"
                  for w in r["sweep"]]
    found = results[0]["ours"]["found"]
    env = results[0]["ours_environment"]["found"]
    lines += ["", "A packaging sample's trace found (median): "
              f"{statistics.median(f['places'] for f in found):.0f} places, "
              f"{statistics.median(f['copresent'] for f in found):.0f} co-present batches. "
              "An environmental sample at a warehouse: "
              f"{statistics.median(f['seeds'] for f in env):.0f} seed batches, "
              f"{statistics.median(f['places'] for f in env):.0f} places, "
              f"{statistics.median(f['copresent'] for f in env):.0f} co-present batches "
              f"(strategy: {', '.join(sorted({f['strategy'] for f in env}))})."]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"coldchain-{day}{'-' + args.tag if args.tag else ''}"
    (RESULTS / f"{name}.md").write_text(text)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
