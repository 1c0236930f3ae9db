"""Contact detection for 100 index cases at city scale: DuckDB engine, pandas, PostgreSQL, Spark.

    uv run python benchmarks/bench_tracing.py --residents 100000 300000 1000000
    uv run python benchmarks/bench_tracing.py --residents 100000 --recall

For each size a synthetic city (14 days) is generated once under ``--cache`` and reused. The
first ``--cases`` cases (by case_id, i.e. order of sampling) are the index cases; every other
case still counts as a case. Each engine finds their close contacts by household and venue
(rules 3 and 6; ``secondary=False`` as in policy since November 2022) in a fresh child
process, so that its peak memory is its own: the parent samples the resident set of the
child's whole process tree (Spark's JVM included; PostgreSQL's server is not a child, so its
row shows the client only). pandas and PostgreSQL are ``tracing_baselines.py``. A run past
``--timeout`` or ``--max-rss-gb`` is stopped and recorded as such, and that engine is not
run at bigger sizes. The check columns compare each engine's close (person, case) pairs,
and then all its rows, with the DuckDB engine's.

At the largest size it also times: one more case (``case_ids`` = the case after the first
``--cases``: the incremental path); close + secondary contacts (rule 4) for the first
``--secondary-cases``, with their close contacts quarantined ``--quarantine-hours`` after
their case's isolation (found by a close-only pass, untimed; with nobody quarantined a
secondary window runs to the end of the data and the list covers most of the city); and
companions (rule 5 alone: an empty check-in file, the pings, h3 resolution 7, 8 and 9).
``--recall`` instead scores the DuckDB engine's contacts of every case (all rules, pings
included) against the outbreak's true tree. Results go to
benchmarks/results/tracing-<date>.{json,md} (recall: tracing-recall-<date>.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
START = dt.date(2022, 5, 1)
CST = dt.timezone(dt.timedelta(hours=8))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql://postgres@127.0.0.1:5432/fangkong_tracing_bench"
CITY_RESIDENTS = 21_000_000
CITY_CHECKINS = 1_400_000_000  # the design's assumption for 21 M residents over 14 days
PAGE = os.sysconf("SC_PAGE_SIZE")


def as_of(days: int) -> dt.datetime:
    """The end of the generated days: windows still open close here."""
    return dt.datetime.combine(START + dt.timedelta(days=days), dt.time(0), tzinfo=CST)


def ensure_city(*, cache: Path, residents: int, seed: int, days: int, outbreak_seeds: int,
                skip_gen: bool) -> Path:
    from fangkong.synth.generate import generate_city

    city = cache / f"city-{residents}-{seed}"
    want = {"residents": residents, "seed": seed, "days": days,
            "outbreak_seeds": outbreak_seeds}
    meta = city / "meta.json"
    if meta.is_file() and all(json.loads(meta.read_text())[k] == v for k, v in want.items()):
        return city
    if skip_gen:
        raise SystemExit(f"--skip-gen: no city with {want} in {city}")
    print(f"generating {city}", flush=True)
    generate_city(out=city, residents=residents, seed=seed, days=days,
                  outbreak_seeds=outbreak_seeds, progress=False)
    return city


# --- children -------------------------------------------------------------------------------

def _child(args: argparse.Namespace) -> dict[str, Any]:
    """One engine on one city, in this (fresh) process; contacts written for the check."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from fangkong.tracing.engine import detect_contacts
    from fangkong.tracing.engine.base import ContactPolicy, Sources, canonical_sort

    city, engine, days = Path(args.city), args.child, args.days
    ids = frozenset(json.loads(args.ids))
    policy = ContactPolicy(secondary=args.workload == "secondary")
    quarantined = _read_quarantine(Path(args.quarantine)) if args.quarantine else {}
    out: dict[str, Any] = {}
    sources = Sources(checkins=city / "checkins", cases=city / "cases.parquet",
                      households=city / "households.parquet", quarantined=quarantined)

    def run(case_ids: frozenset[int]) -> pa.Table:
        if engine == "pandas":
            from tracing_baselines import pandas_contacts

            return pandas_contacts(city=city, case_ids=case_ids, policy=policy,
                                   as_of=as_of(days), quarantined=quarantined)
        if engine == "postgres":
            from tracing_baselines import postgres_contacts

            return postgres_contacts(dsn=PG_BENCH, case_ids=case_ids, policy=policy,
                                     as_of=as_of(days), quarantined=quarantined)
        return detect_contacts(sources=sources, policy=policy, as_of=as_of(days),
                               engine=engine, case_ids=case_ids)

    began = time.perf_counter()
    if engine == "postgres":
        from tracing_baselines import postgres_load

        _fresh_database()
        out["load"] = postgres_load(city=city, dsn=PG_BENCH, policy=policy)
    elif engine == "spark":
        from fangkong.tracing.engine.spark_engine import get_session

        get_session()
    out["setup_s"] = round(time.perf_counter() - began, 2)
    if engine in ("duckdb", "spark"):  # the share of detect_contacts that checks the inputs
        from fangkong.tracing.engine.connection import session
        from fangkong.tracing.engine.plan import check_sources

        began = time.perf_counter()
        with session() as con:
            check_sources(con=con, sources=sources, policy=policy, as_of=as_of(days),
                          case_ids=ids)
        out["checks_s"] = round(time.perf_counter() - began, 2)
    took = []
    for _ in range(args.repeat):  # the first run in a fresh process, then again in it
        began = time.perf_counter()
        table = canonical_sort(run(ids))
        took.append(time.perf_counter() - began)
    out["detect_s"] = round(took[0], 2)
    if len(took) > 1:
        out["again_s"] = round(min(took[1:]), 2)
    out["rows"] = table.num_rows
    out["by_type"] = {t: int(pc.sum(pc.equal(table["contact_type"], t)).as_py() or 0)
                      for t in ("close", "secondary")}
    pq.write_table(table, args.contacts)
    if args.incremental:
        began = time.perf_counter()
        one = run(frozenset({args.incremental}))
        out["incremental_s"] = round(time.perf_counter() - began, 2)
        out["incremental_rows"] = one.num_rows
    return out


def quarantine_after(*, city: Path, case_ids: frozenset[int] | None, days: int,
                     hours: float) -> dict[int, dt.datetime]:
    """When each close contact of ``case_ids`` went into quarantine, supposing tracers reach
    them ``hours`` after their case's isolation (the earliest such case): the input
    ``Sources.quarantined`` that a real run has. Found by the DuckDB engine, close only."""
    import pyarrow.parquet as pq

    from fangkong.tracing.engine import detect_contacts
    from fangkong.tracing.engine.base import ContactPolicy, Sources

    close = detect_contacts(
        sources=Sources(checkins=city / "checkins", cases=city / "cases.parquet",
                        households=city / "households.parquet"),
        policy=ContactPolicy(secondary=False), as_of=as_of(days), case_ids=case_ids)
    cases = pq.read_table(city / "cases.parquet", columns=["case_id", "isolated_at"])
    isolated = dict(zip(cases["case_id"].to_pylist(), cases["isolated_at"].to_pylist(),
                        strict=True))
    out: dict[int, dt.datetime] = {}
    for person, case in zip(close["person_id"].to_pylist(), close["index_case_id"].to_pylist(),
                            strict=True):
        at = (isolated[case] or as_of(days)) + dt.timedelta(hours=hours)
        out[person] = min(out.get(person, at), at)
    return out


def _write_quarantine(path: Path, quarantined: dict[int, dt.datetime]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"person_id": pa.array(list(quarantined), pa.int64()),
                             "at": pa.array(list(quarantined.values()),
                                            pa.timestamp("s", tz="UTC"))}), path)


def _read_quarantine(path: Path) -> dict[int, dt.datetime]:
    import pyarrow.parquet as pq

    t = pq.read_table(path)
    return dict(zip(t["person_id"].to_pylist(), t["at"].to_pylist(), strict=True))


def _fresh_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS fangkong_tracing_bench")
        conn.execute("CREATE DATABASE fangkong_tracing_bench")


def _companion_child(args: argparse.Namespace) -> dict[str, Any]:
    """Rule 5 alone for the index cases, at one h3 resolution."""
    import pyarrow.parquet as pq

    from fangkong.tracing.engine import detect_contacts
    from fangkong.tracing.engine.base import ContactPolicy, Sources

    city = Path(args.city)
    empty = city.parent / "checkins-empty.parquet"
    if not empty.exists():
        schema = pq.read_schema(next((city / "checkins").glob("*.parquet")))
        pq.write_table(schema.empty_table(), empty)
    policy = ContactPolicy(companion_resolution=args.resolution)
    out: dict[str, Any] = {}
    if args.child == "spark":
        from fangkong.tracing.engine.spark_engine import get_session

        get_session()
    began = time.perf_counter()
    table = detect_contacts(
        sources=Sources(checkins=empty, cases=city / "cases.parquet", pings=city / "pings"),
        policy=policy, as_of=as_of(args.days), engine=args.child,
        case_ids=frozenset(json.loads(args.ids)))
    out["detect_s"] = round(time.perf_counter() - began, 2)
    out["companions"] = table.num_rows
    return out


# --- the parent: children under a clock and a memory cap ------------------------------------

def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pages = int((entry / "statm").read_text().split()[1])
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parent[int(entry.name)], rss[int(entry.name)] = int(fields[1]), pages * PAGE
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [p for p, pp in parent.items() if pp == pid and p not in tree]
    return sum(rss.get(p, 0) for p in tree)


def warm(city: Path) -> None:
    """Read every file of the city once, so that each engine starts with it in the page cache
    (the first engine would otherwise pay for the disk alone)."""
    for path in sorted(city.rglob("*.parquet")):
        with path.open("rb") as fh:
            while fh.read(1 << 24):
                pass


def supervise(cmd: list[str], *, timeout: float, max_rss: float) -> dict[str, Any]:
    """Run ``cmd`` (which prints one JSON line last); sample its tree's memory and the
    machine's load; stop it past ``timeout`` seconds or ``max_rss`` bytes and say which."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "benchmarks")}
    began, peak, loads = time.perf_counter(), 0, []
    with tempfile.TemporaryFile("w+") as log, subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True) as proc:
        stop = None
        try:
            while proc.poll() is None:
                peak = max(peak, _tree_rss(proc.pid))
                loads.append(os.getloadavg()[0])
                elapsed = time.perf_counter() - began
                if elapsed > timeout or peak > max_rss:
                    stop = (f"stopped after {elapsed / 60:.0f} min" if elapsed > timeout
                            else f"stopped at {peak / 2**30:.1f} GB resident")
                    break
                time.sleep(0.25)
        finally:  # stopped, interrupted or terminated: take the whole tree down
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.seek(0)
        text = log.read()
    result: dict[str, Any] = {"peak_rss_mb": round(peak / 2**20),
                              "load_avg": round(sum(loads) / max(len(loads), 1), 1)}
    if stop:
        return {**result, "failed": stop}
    if proc.returncode:
        return {**result, "failed": f"exit {proc.returncode}: {text.strip()[-400:]}"}
    return {**result, **json.loads(text.strip().splitlines()[-1])}


def _same(ref_path: Path, path: Path) -> dict[str, Any]:
    """Close (person, case) pairs and all rows of one engine against the DuckDB engine's."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ref, got = pq.read_table(ref_path), pq.read_table(path)

    def close(t: Any) -> set[tuple[int, int]]:
        t = t.filter(pc.equal(t["contact_type"], "close"))
        return set(zip(t["person_id"].to_pylist(), t["index_case_id"].to_pylist(),
                       strict=True))

    a, b = close(ref), close(got)
    return {"close_pairs_equal": a == b, "close_pairs_diff": len(a ^ b),
            "rows_equal": ref.equals(got)}


def _child_cmd(args: argparse.Namespace, *extra: str) -> list[str]:
    return [sys.executable, __file__, "--days", str(args.days), "--repeat", str(args.repeat),
            *extra]


def run_engines(args: argparse.Namespace, *, city: Path, workload: str, ids: list[int],
                incremental: int | None, gave_up: dict[str, str],
                quarantine: Path | None = None) -> dict[str, Any]:
    """Each engine on one workload, DuckDB first (the check's reference). An engine stopped
    earlier on this workload (``gave_up``) is not run again."""
    runs: dict[str, Any] = {}
    tag = f"{workload}-{city.name}"
    for engine in ["duckdb", *(e for e in args.engines if e != "duckdb")]:
        print(f"== {tag} {engine}", flush=True)
        if engine in gave_up:
            runs[engine] = {"failed": f"not run ({gave_up[engine]})"}
            continue
        contacts = args.cache / f"contacts-{tag}-{engine}.parquet"
        contacts.unlink(missing_ok=True)
        cmd = _child_cmd(args, "--child", engine, "--workload", workload, "--city", str(city),
                         "--ids", json.dumps(ids), "--contacts", str(contacts))
        if incremental is not None:
            cmd += ["--incremental", str(incremental)]
        if quarantine is not None:
            cmd += ["--quarantine", str(quarantine)]
        warm(city)
        run = supervise(cmd, timeout=args.timeout, max_rss=args.max_rss_gb * 2**30)
        if "failed" in run:
            gave_up[engine] = f"{run['failed']} at {city.name}"
        elif engine != "duckdb" and "detect_s" in runs["duckdb"]:
            run["check"] = _same(args.cache / f"contacts-{tag}-duckdb.parquet", contacts)
        runs[engine] = run
        print(json.dumps(run), flush=True)
    return runs


def bench_size(args: argparse.Namespace, residents: int, *, largest: bool,
               gave_up: dict[str, str]) -> dict[str, Any]:
    """Close contacts of the index cases by every engine; at the largest size also the
    incremental case, close + secondary for a few cases, and companions."""
    import pyarrow.parquet as pq

    city = ensure_city(cache=args.cache, residents=residents, seed=args.seed, days=args.days,
                       outbreak_seeds=args.outbreak_seeds, skip_gen=args.skip_gen)
    meta = json.loads((city / "meta.json").read_text())
    all_ids = sorted(pq.read_table(city / "cases.parquet", columns=["case_id"])[
        "case_id"].to_pylist())
    ids, nxt = all_ids[:args.cases], all_ids[args.cases:args.cases + 1]
    size: dict[str, Any] = {"residents": residents, "checkins": meta["counts"]["checkins"],
                            "pings": meta["counts"]["pings"], "cases": len(all_ids),
                            "index_cases": len(ids)}
    size["engines"] = run_engines(args, city=city, workload="close", ids=ids,
                                  incremental=nxt[0] if largest and nxt else None,
                                  gave_up=gave_up)
    if largest and args.secondary_cases:
        few = ids[:args.secondary_cases]
        quarantined = quarantine_after(city=city, case_ids=frozenset(few), days=args.days,
                                       hours=args.quarantine_hours)
        path = args.cache / f"quarantine-{city.name}.parquet"
        _write_quarantine(path, quarantined)
        size["secondary"] = {"index_cases": len(few), "quarantined": len(quarantined),
                             "engines": run_engines(args, city=city, workload="secondary",
                                                    ids=few, incremental=None, gave_up={},
                                                    quarantine=path)}
    if largest:
        size["companions"] = bench_companions(args, city, ids)
    return size


def bench_companions(args: argparse.Namespace, city: Path, ids: list[int]) -> list[Any]:
    import pyarrow.parquet as pq

    from fangkong.tracing.engine.base import ContactPolicy
    from fangkong.tracing.recall import case_windows

    w = case_windows(pq.read_table(city / "cases.parquet"), policy=ContactPolicy(),
                     as_of=as_of(args.days)).to_pylist()
    w = [r for r in w if r["case_id"] in set(ids) and r["w1"] > r["w0"]]
    first = dt.datetime.fromtimestamp(min(r["w0"] for r in w), CST).date()
    last = dt.datetime.fromtimestamp(max(r["w1"] for r in w) - 1, CST).date()
    scanned = sum(pq.ParquetFile(f).metadata.num_rows for f in (city / "pings").glob("*.parquet")
                  if first.isoformat() <= f.stem.removeprefix("day=") <= last.isoformat())
    rows = []
    for engine in [e for e in ("duckdb", "spark") if e in args.engines]:
        for res in (7, 8, 9) if engine == "duckdb" else (8,):  # Spark: one, it is slow
            print(f"== companions {engine} res {res}", flush=True)
            warm(city)
            run = supervise(_child_cmd(args, "--companion", engine, "--city", str(city),
                                       "--ids", json.dumps(ids), "--resolution", str(res)),
                            timeout=args.timeout, max_rss=args.max_rss_gb * 2**30)
            run.update(engine=engine, resolution=res, pings_scanned=scanned)
            if "detect_s" in run:
                run["pings_per_s"] = round(scanned / run["detect_s"])
            rows.append(run)
            print(json.dumps(run), flush=True)
    return rows


# --- reporting ------------------------------------------------------------------------------

def project(sizes: list[dict[str, Any]], engine: str) -> dict[str, Any] | None:
    """Least-squares line of detect seconds (and peak MB) over check-ins, at 1.4 B check-ins.
    A projection, not a measurement: it assumes the 100 cases cost the same in a bigger city
    and that the engine keeps scaling as it did between the measured sizes."""
    pts = [(s["checkins"], s["engines"][engine]) for s in sizes
           if "detect_s" in s["engines"].get(engine, {})]
    if len(pts) < 2:
        return None
    xs = [float(x) for x, _ in pts]
    mx = sum(xs) / len(xs)

    def fit(ys: list[float]) -> tuple[float, float]:
        my = sum(ys) / len(ys)
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs)
        return my - b * mx, b

    a, b = fit([r["detect_s"] for _, r in pts])
    ra, rb = fit([float(r["peak_rss_mb"]) for _, r in pts])
    if b <= 0:  # no growth measured (noise at small sizes): nothing to extrapolate
        return None
    return {"s_per_m_checkins": round(b * 1e6, 3), "detect_s": round(a + b * CITY_CHECKINS),
            "peak_rss_mb": round(ra + max(rb, 0.0) * CITY_CHECKINS)}


def _cell(run: dict[str, Any], key: str, fmt: str = "{:,.1f}") -> str:
    return "–" if key not in run else fmt.format(run[key])


def _check(run: dict[str, Any]) -> tuple[str, str]:
    c = run.get("check")
    if c is None:
        return "(reference)" if "detect_s" in run else "–", "–"
    return ("✓" if c["close_pairs_equal"] else f"✗ {c['close_pairs_diff']:,} differ",
            "✓" if c["rows_equal"] else "✗")


def markdown(info: dict[str, Any]) -> str:
    sizes = info["sizes"]
    out = ["| residents | check-ins | engine | setup s | input checks s | detect s, first "
           "| detect s, again | close contacts | peak RSS MB | close pairs = DuckDB "
           "| all rows = DuckDB | load avg |",
           "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    for s in sizes:
        for engine, r in s["engines"].items():
            pairs, rows = _check(r)
            detect = r.get("failed") or _cell(r, "detect_s")
            out.append(f"| {s['residents']:,} | {s['checkins']:,} | {engine} "
                       f"| {_cell(r, 'setup_s')} | {_cell(r, 'checks_s')} | {detect} "
                       f"| {_cell(r, 'again_s')} | {r.get('by_type', {}).get('close', 0):,} "
                       f"| {_cell(r, 'peak_rss_mb', '{:,}')} | {pairs} | {rows} "
                       f"| {_cell(r, 'load_avg')} |")
    for s in sizes:
        load = s["engines"].get("postgres", {}).get("load")
        if load:
            out.append(f"\nPostgreSQL load at {s['residents']:,}: COPY of "
                       f"{load['checkins_rows']:,} check-ins {load['copy_checkins_s']} s "
                       f"({load['checkins_rows'] / load['copy_checkins_s']:,.0f} rows/s), "
                       f"indexes {load['index_s']} s, ANALYZE {load['analyze_s']} s; "
                       f"check-ins table with indexes {load['checkins_mb']:,} MB.")
    engines = list(dict.fromkeys(e for s in sizes for e in s["engines"]))
    out += ["", "| engine | " + " | ".join(f"{s['residents']:,} s" for s in sizes)
            + " | s per M check-ins (fit) | 21 M residents, 1.4 B check-ins: projected s "
            "| projected peak MB |", "|---|" + "---:|" * (len(sizes) + 3)]
    for engine in engines:
        p = info["projection"].get(engine)
        out.append(f"| {engine} | " + " | ".join(
            s["engines"][engine].get("failed") or _cell(s["engines"][engine], "detect_s")
            for s in sizes if engine in s["engines"])
            + (f" | {p['s_per_m_checkins']} | {p['detect_s']:,} | {p['peak_rss_mb']:,} |"
               if p else " | – | – | – |"))
    big = sizes[-1]
    sec = big.get("secondary")
    if sec:
        out += ["", f"Close + secondary (rules 3, 4), at {big['residents']:,}, the first "
                f"{sec['index_cases']} cases; {sec['quarantined']:,} close contacts "
                f"quarantined {info['quarantine_hours']:g} h after their case's isolation:", "",
                "| engine | detect s, first | again | close | secondary | peak RSS MB "
                "| close pairs = DuckDB | all rows = DuckDB | load avg |",
                "|---|---:|---:|---:|---:|---:|---|---|---:|"]
        for engine, r in sec["engines"].items():
            pairs, rows = _check(r)
            by = r.get("by_type", {})
            out.append(f"| {engine} | {r.get('failed') or _cell(r, 'detect_s')} "
                       f"| {_cell(r, 'again_s')} | {by.get('close', 0):,} "
                       f"| {by.get('secondary', 0):,} "
                       f"| {_cell(r, 'peak_rss_mb', '{:,}')} | {pairs} | {rows} "
                       f"| {_cell(r, 'load_avg')} |")
    out += ["", f"Incremental, at {big['residents']:,}: one more case after the first "
            f"{big['index_cases']}, in the same process right after the run above.", "",
            "| engine | one case s | rows |", "|---|---:|---:|"]
    out += [f"| {e} | {_cell(r, 'incremental_s', '{:,.2f}')} "
            f"| {_cell(r, 'incremental_rows', '{:,}')} |" for e, r in big["engines"].items()]
    out += ["", f"Companions (rule 5 alone), at {big['residents']:,}, "
            f"{big['index_cases']} cases:", "",
            "| engine | h3 res | detect s | pings in the windows' days | pings/s "
            "| companions | peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {r['engine']} | {r['resolution']} | {r.get('failed') or r['detect_s']} "
            f"| {r['pings_scanned']:,} | {_cell(r, 'pings_per_s', '{:,}')} "
            f"| {_cell(r, 'companions', '{:,}')} | {r['peak_rss_mb']:,} |"
            for r in big.get("companions", [])]
    return "\n".join(out) + "\n"


def recall_report(args: argparse.Namespace) -> str:
    """Every case of each city, all rules (pings included), scored against the truth."""
    from fangkong.tracing.engine import detect_contacts
    from fangkong.tracing.engine.base import ContactPolicy, Sources
    from fangkong.tracing.recall import format_recall, score_city

    parts = []
    for residents in args.residents:
        city = ensure_city(cache=args.cache, residents=residents, seed=args.seed,
                           days=args.days, outbreak_seeds=args.outbreak_seeds,
                           skip_gen=args.skip_gen)
        policy = ContactPolicy()
        quarantined = quarantine_after(city=city, case_ids=None, days=args.days,
                                       hours=args.quarantine_hours)
        began = time.perf_counter()
        contacts = detect_contacts(
            sources=Sources(checkins=city / "checkins", cases=city / "cases.parquet",
                            pings=city / "pings", households=city / "households.parquet",
                            quarantined=quarantined),
            policy=policy, as_of=as_of(args.days), engine="duckdb")
        took = time.perf_counter() - began
        score = score_city(city, contacts, policy=policy, as_of=as_of(args.days))
        parts.append(f"{residents:,} residents, {args.days} days, seed {args.seed}, "
                     f"{args.outbreak_seeds} seed infections, every case traced by the DuckDB "
                     f"engine with all rules and default policy ({took:.0f} s); close contacts "
                     f"quarantined {args.quarantine_hours:g} h after their case's isolation:"
                     "\n\n" + format_recall(score))
    return "\n".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--residents", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--engines", nargs="+", default=["duckdb", "pandas", "postgres", "spark"],
                    choices=["duckdb", "pandas", "postgres", "spark"])
    ap.add_argument("--skip-gen", action="store_true", help="only reuse cached cities")
    ap.add_argument("--recall", action="store_true", help="score recall instead of timing")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--outbreak-seeds", type=int, default=20,
                    help="seed infections; 20 gives 140+ cases at 100 k and at 1 M (seed 1)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fangkong-bench")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per engine run")
    ap.add_argument("--max-rss-gb", type=float, default=20)
    ap.add_argument("--tag", default="", help="suffix of the results files, e.g. spark")
    ap.add_argument("--repeat", type=int, default=2,
                    help="detections per child: the first in a fresh process, then again")
    ap.add_argument("--secondary-cases", type=int, default=10,
                    help="close + secondary contacts for this many cases, at the largest size")
    ap.add_argument("--quarantine-hours", type=float, default=24,
                    help="close contacts are quarantined this long after their case's isolation")
    for hidden in ("--child", "--companion", "--city", "--ids", "--contacts", "--quarantine",
                   "--workload"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    ap.add_argument("--incremental", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--resolution", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child or args.companion:
        if args.companion:
            args.child = args.companion
        print(json.dumps((_companion_child if args.companion else _child)(args)))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that children are stopped
    args.cache.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    RESULTS.mkdir(exist_ok=True)
    command = "uv run python benchmarks/bench_tracing.py " + " ".join(sys.argv[1:])
    if args.recall:
        text = f"`{command}` ({stamp})\n\n" + recall_report(args)
        print(text)
        (RESULTS / f"tracing-recall-{stamp}.md").write_text(text)
        return
    sizes = sorted(args.residents)
    info: dict[str, Any] = {
        "date": stamp, "command": command, "python": platform.python_version(),
        "cpus": len(os.sched_getaffinity(0)), "seed": args.seed, "days": args.days,
        "outbreak_seeds": args.outbreak_seeds, "cases": args.cases,
        "quarantine_hours": args.quarantine_hours,
        "sizes": []}
    gave_up: dict[str, str] = {}
    for n in sizes:
        info["sizes"].append(bench_size(args, n, largest=n == sizes[-1], gave_up=gave_up))
    info["projection"] = {e: project(info["sizes"], e) for e in args.engines}
    head = (f"Contact tracing, {args.cases} index cases, close contacts by household and "
            f"venue ({stamp}, {info['cpus']} cores, Python {info['python']})\n\n`{command}`\n\n")
    text = head + markdown(info)
    print(text)
    name = f"tracing-{stamp}" + (f"-{args.tag}" if args.tag else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(info, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(text)


if __name__ == "__main__":
    main()
