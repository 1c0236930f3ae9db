"""What a run reads: every case's window (rule 1) and, from that, the only files that can matter.

Shared by the input check (which checks exactly the files a run will read) and the DuckDB
engine. Check-ins and pings before the earliest window of the traced cases are never opened;
with ``case_ids`` a new case costs its own window's days, not the whole history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from fangkong.tracing.engine.base import ContactPolicy, Sources, infectious_start
from fangkong.tracing.engine.checks import check_days, check_rows, check_unique
from fangkong.tracing.engine.inputs import Input, load, resolve
from fangkong.tracing.engine.partitions import day_files, stay_files


@dataclass(frozen=True)
class Window:
    """A case and its infectious window [w0, w1) in epoch seconds (empty when w1 <= w0)."""

    case_id: int
    person_id: int
    w0: int
    w1: int


@dataclass(frozen=True)
class Plan:
    cases: list[Window]  # every case in the file, once: none of them is ever a contact
    traced: list[Window]  # the index cases of this run
    households: Input | None
    start: int | None  # the earliest instant any rule reads; None: no window at all
    end: int  # the latest instant any window can reach


def _epoch(value: dt.datetime) -> int:
    return int(value.timestamp())


def windows(*, con: duckdb.DuckDBPyConnection, cases: Input, policy: ContactPolicy,
            as_of: dt.datetime) -> list[Window]:
    """Rule 1 for every case in the file: [W0, isolated_at or as_of)."""
    rel = load(con=con, source=cases)
    if rel is None:
        return []
    rows = con.sql("SELECT DISTINCT case_id, person_id, onset_date, sample_date, isolated_at "
                   "FROM rel ORDER BY case_id").fetchall()
    return [Window(case_id, person, _epoch(infectious_start(onset=onset, sample=sample,
                                                            policy=policy)),
                   _epoch(as_of) if isolated is None else isolated)
            for case_id, person, onset, sample, isolated in rows]


def make_plan(*, con: duckdb.DuckDBPyConnection, sources: Sources, policy: ContactPolicy,
              as_of: dt.datetime, case_ids: frozenset[int] | None, check: bool) -> Plan:
    """Resolve cases and households (checking them when ``check``) and the windows."""
    cases = resolve(con=con, kind="cases", path=sources.cases)
    households = (None if sources.households is None else
                  resolve(con=con, kind="households", path=sources.households))
    if check:
        _check_cases(con=con, cases=cases)
        if households is not None:
            check_rows(con=con, source=households)
            check_unique(con=con, source=households, key="person_id", values=["household_id"],
                         field="household_id", problem="person {key} already in household "
                         "{value} ({where})")
    every = windows(con=con, cases=cases, policy=policy, as_of=as_of)
    traced = [w for w in every if case_ids is None or w.case_id in case_ids]
    open_ = [w for w in traced if w.w1 > w.w0]
    ends = [_epoch(as_of), *(w.w1 for w in open_), *(_epoch(q) for q in
                                                      sources.quarantined.values())]
    return Plan(cases=every, traced=traced, households=households,
                start=min((w.w0 for w in open_), default=None), end=max(ends))


def _check_cases(*, con: duckdb.DuckDBPyConnection, cases: Input) -> None:
    check_rows(con=con, source=cases)
    check_unique(con=con, source=cases, key="case_id",
                 values=["person_id", "onset_date", "sample_date", "classification",
                         "isolated_at"], field="case_id",
                 problem="case {key} repeated with other values (first: {where})")
    check_unique(con=con, source=cases, key="person_id", values=["case_id"], field="person_id",
                 problem="person {key} already has case {value} ({where}); one person, one case")


def stays_input(*, con: duckdb.DuckDBPyConnection, path: Path, policy: ContactPolicy,
                start: int, end: int) -> Input:
    """Check-ins whose stays can meet [start, end): pruned by day when ``path`` is a folder."""
    files = (stay_files(folder=path, start=start, end=end, tz=policy.tz,
                        default_stay=policy.default_stay_minutes * 60)
             if path.is_dir() else None)
    return resolve(con=con, kind="checkins", path=path, files=files)


def pings_input(*, con: duckdb.DuckDBPyConnection, path: Path, policy: ContactPolicy,
                start: int, end: int) -> Input:
    """Pings in the buckets that meet [start, end): pruned by day when ``path`` is a folder."""
    width = policy.companion_bucket_seconds
    lo, hi = start // width * width, -(-end // width) * width
    files = day_files(folder=path, start=lo, end=hi, tz=policy.tz) if path.is_dir() else None
    return resolve(con=con, kind="pings", path=path, files=files)


def check_sources(*, con: duckdb.DuckDBPyConnection, sources: Sources, policy: ContactPolicy,
                  as_of: dt.datetime, case_ids: frozenset[int] | None) -> Plan:
    """Check cases and households whole, then the check-ins and pings a run will read."""
    plan = make_plan(con=con, sources=sources, policy=policy, as_of=as_of, case_ids=case_ids,
                     check=True)
    start = plan.start if plan.start is not None else plan.end
    checkins = stays_input(con=con, path=sources.checkins, policy=policy, start=start,
                           end=plan.end)
    check_rows(con=con, source=checkins)
    check_days(con=con, source=checkins, tz=policy.tz)
    if sources.pings is not None:
        pings = pings_input(con=con, path=sources.pings, policy=policy, start=start,
                            end=plan.end)
        check_rows(con=con, source=pings)
        check_days(con=con, source=pings, tz=policy.tz)
    return plan
