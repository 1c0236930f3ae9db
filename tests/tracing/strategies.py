"""Hypothesis strategies for the contact engines: small random cities where rules collide.

A handful of persons, venues and households; cases with and without onset, isolated or not;
check-ins on a 5-minute grid (so exact 15-minute overlaps happen), some without exit, some
crossing midnight or lasting over a day; pings in short shared "episodes" near a few points so
h3 cells and buckets collide. ``write_inputs`` writes one drawn city as Parquet (check-ins and
pings partitioned ``day=YYYY-MM-DD.parquet`` by local day) or as CSV with mixed non-UTC offsets,
and returns the ``Sources``. The engines' parity tests (DuckDB, Spark) share these.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

from fangkong.tracing.engine.base import ContactPolicy, Sources

UTC = dt.UTC
DAY0 = dt.date(2022, 4, 1)  # local date of the first day of data
SPAN_DAYS = 3
STEP = 300  # check-ins on a 5-minute grid
POINTS = [(31.2304, 121.4737), (31.2330, 121.4770), (31.2250, 121.4690)]
OFFSETS = ["+08:00", "-05:00", "+05:30", "+00:00"]


class Checkin(NamedTuple):
    person_id: int
    venue_id: int
    ts: dt.datetime
    exit_ts: dt.datetime | None
    source: str


class Case(NamedTuple):
    case_id: int
    person_id: int
    onset_date: dt.date | None
    sample_date: dt.date
    classification: str
    isolated_at: dt.datetime | None


class Ping(NamedTuple):
    person_id: int
    ts: dt.datetime
    lat: float
    lon: float


class Household(NamedTuple):
    person_id: int
    household_id: int


@dataclass(frozen=True, kw_only=True)
class TraceInputs:
    """One drawn city: rows of the four contract files plus what a run needs besides them."""

    checkins: list[Checkin]
    cases: list[Case]
    pings: list[Ping]
    households: list[Household]
    policy: ContactPolicy
    as_of: dt.datetime
    quarantined: dict[int, dt.datetime] = field(default_factory=dict)

    @property
    def case_ids(self) -> list[int]:
        return sorted({c.case_id for c in self.cases})


def t0(policy: ContactPolicy) -> int:
    """Epoch seconds of 00:00 local on DAY0."""
    return int(dt.datetime.combine(DAY0, dt.time(0), tzinfo=policy.tz).timestamp())


def at(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)


policies = st.builds(
    ContactPolicy,
    infectious_before_days=st.sampled_from([0, 1, 2, 4]),
    default_stay_minutes=st.sampled_from([15, 30, 60]),
    min_overlap_minutes=st.sampled_from([5, 15, 30]),
    secondary=st.booleans(),
    companion_resolution=st.sampled_from([7, 8, 9]),
    companion_bucket_seconds=st.sampled_from([120, 300, 90]),
    companion_min_buckets=st.integers(1, 3),
    timezone=st.sampled_from(["Asia/Shanghai", "America/New_York", "UTC"]),
)


# Strategies are built once here: building them inside each draw costs more than drawing.
_BUSY = st.tuples(st.integers(0, SPAN_DAYS - 1), st.sampled_from([12, 23]),
                  st.integers(0, 6)).map(lambda t: t[0] * 86400 + t[1] * 3600 + t[2] * STEP)
_ANYTIME = st.integers(0, SPAN_DAYS * 86400 // STEP).map(lambda k: k * STEP)
_START = st.one_of(_BUSY, _BUSY, _BUSY, _ANYTIME)
_LENGTH = st.one_of(st.none(), st.integers(0, 12), st.integers(0, 36 * 12))
_VENUE = st.sampled_from([1, 1, 1, 2, 3])
_SOURCE = st.sampled_from(["scan", "manual"])
_ONSET_SHIFT = st.one_of(st.none(), st.integers(-2, 0))
_ISOLATED = st.one_of(st.none(), st.none(), st.integers(-86400, (SPAN_DAYS + 1) * 86400))
_JITTER = st.integers(-20, 20)


@st.composite
def _checkin(draw: st.DrawFn, *, base: int, who: st.SearchStrategy[int]) -> Checkin:
    """Mostly in two busy half-hours a day (noon, 23:00: stays cross midnight), on a
    5-minute grid, so overlaps of exactly the minimum happen often."""
    start = base + draw(_START)
    length = draw(_LENGTH)
    exit_ts = None if length is None else at(start + length * STEP)
    return Checkin(draw(who), draw(_VENUE), at(start), exit_ts, draw(_SOURCE))


@st.composite
def _case(draw: st.DrawFn, *, case_id: int, person_id: int, base: int) -> Case:
    sample = DAY0 + dt.timedelta(days=draw(st.integers(0, SPAN_DAYS)))
    shift = draw(_ONSET_SHIFT)
    onset = None if shift is None else sample + dt.timedelta(days=shift)
    isolated = draw(_ISOLATED)
    kind = "asymptomatic" if onset is None else "confirmed"
    return Case(case_id, person_id, onset, sample, kind,
                None if isolated is None else at(base + isolated // 60 * 60))


@st.composite
def _episode(draw: st.DrawFn, *, base: int, persons: int, bucket: int,
             cases: list[int]) -> list[Ping]:
    """Some persons (often a case among them) near one point for a few consecutive
    buckets, a ping now and then missing: companions in the making."""
    first = base // bucket + draw(st.integers(0, SPAN_DAYS * 86400 // bucket))
    who = draw(st.lists(st.integers(1, persons), min_size=1, max_size=4, unique=True))
    if cases and draw(st.integers(0, 3)):
        who = [draw(st.sampled_from(cases)), *who]
    lat, lon = POINTS[draw(st.integers(0, len(POINTS) - 1))]
    return [Ping(p, at(b * bucket + draw(st.integers(0, bucket - 1))),
                 lat + draw(_JITTER) / 10_000, lon + draw(_JITTER) / 10_000)
            for b in range(first, first + draw(st.integers(1, 4))) for p in who
            if draw(st.integers(0, 4))]


@st.composite
def trace_inputs(draw: st.DrawFn, *, persons: int = 6) -> TraceInputs:
    """A random small city; persons 1..``persons``, venues 1..3, case ids from 101."""
    policy = draw(policies)
    base = t0(policy)
    least = draw(st.sampled_from([0, 1, 1, 1]))
    case_persons = draw(st.lists(st.integers(1, persons), min_size=least, max_size=3,
                                 unique=True))
    cases = [draw(_case(case_id=101 + i, person_id=p, base=base))
             for i, p in enumerate(case_persons)]
    who = (st.one_of(st.sampled_from(case_persons), st.integers(1, persons)) if case_persons
           else st.integers(1, persons))
    checkins = draw(st.lists(_checkin(base=base, who=who), min_size=8, max_size=30))
    checkins += draw(st.lists(st.sampled_from(checkins), max_size=3))
    episodes = draw(st.lists(_episode(base=base, persons=persons, cases=case_persons,
                                      bucket=policy.companion_bucket_seconds), max_size=4))
    pings = [p for e in episodes for p in e]
    homes = draw(st.lists(st.one_of(st.none(), st.integers(1, 3)), min_size=persons,
                          max_size=persons))
    households = [Household(p, h) for p, h in enumerate(homes, 1) if h is not None]
    households += draw(st.lists(st.sampled_from(households), max_size=2)) if households else []
    quarantined = draw(st.dictionaries(st.integers(1, persons), st.integers(
        0, (SPAN_DAYS + 1) * 86400).map(lambda s: at(base + s // 60 * 60)), max_size=3))
    as_of = at(base + (SPAN_DAYS + 1) * 86400 + draw(st.integers(-43200, 0)))
    return TraceInputs(checkins=checkins, cases=cases, pings=pings, households=households,
                       policy=policy, as_of=as_of, quarantined=quarantined)


# --- writing -------------------------------------------------------------------------------

CHECKIN_SCHEMA = pa.schema([("person_id", pa.int64()), ("venue_id", pa.int64()),
                            ("ts", pa.timestamp("s", tz="UTC")),
                            ("exit_ts", pa.timestamp("s", tz="UTC")), ("source", pa.string())])
CASE_SCHEMA = pa.schema([("case_id", pa.int64()), ("person_id", pa.int64()),
                         ("onset_date", pa.date32()), ("sample_date", pa.date32()),
                         ("classification", pa.string()),
                         ("isolated_at", pa.timestamp("s", tz="UTC"))])
PING_SCHEMA = pa.schema([("person_id", pa.int64()), ("ts", pa.timestamp("s", tz="UTC")),
                         ("lat", pa.float64()), ("lon", pa.float64())])
HOUSEHOLD_SCHEMA = pa.schema([("person_id", pa.int64()), ("household_id", pa.int64())])


def _table(rows: list[Any], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist([r._asdict() for r in rows], schema=schema)


def _write_days(folder: Path, rows: list[Any], schema: pa.Schema, policy: ContactPolicy) -> None:
    """One ``day=YYYY-MM-DD.parquet`` per local day of ``ts`` (the synth layout)."""
    folder.mkdir(parents=True, exist_ok=True)
    days: dict[dt.date, list[Any]] = {}
    for row in rows:
        days.setdefault(row.ts.astimezone(policy.tz).date(), []).append(row)
    for day, chunk in days.items():
        pq.write_table(_table(chunk, schema), folder / f"day={day.isoformat()}.parquet")


def _iso(value: Any, i: int) -> str:
    """A CSV cell: timestamps in a rotating non-UTC offset, empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        sign, rest = OFFSETS[i % len(OFFSETS)][0], OFFSETS[i % len(OFFSETS)][1:]
        hours, minutes = (int(x) for x in rest.split(":"))
        delta = dt.timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
        return value.astimezone(dt.timezone(delta)).isoformat()
    return str(value)


def write_csv(path: Path, rows: list[Any], header: list[str]) -> Path:
    """A contract CSV: header, UTF-8, ISO timestamps with offsets, empty for missing."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows([_iso(v, i + j) for j, v in enumerate(row)] for i, row in enumerate(rows))
    return path


def write_inputs(tmpdir: Path, data: TraceInputs, fmt: str) -> Sources:
    """Write ``data`` under ``tmpdir`` as ``fmt`` ("parquet" or "csv"); return the Sources.
    Without pings (households) the source is None, so that path is exercised too."""
    tmpdir = Path(tmpdir)
    tmpdir.mkdir(parents=True, exist_ok=True)
    kinds = [("checkins", data.checkins, CHECKIN_SCHEMA), ("cases", data.cases, CASE_SCHEMA),
             ("pings", data.pings, PING_SCHEMA),
             ("households", data.households, HOUSEHOLD_SCHEMA)]
    paths: dict[str, Path | None] = {}
    for name, rows, schema in kinds:
        if name in ("pings", "households") and not rows:
            paths[name] = None
        elif fmt == "csv":
            paths[name] = write_csv(tmpdir / f"{name}.csv", rows, schema.names)
        elif name in ("checkins", "pings"):
            _write_days(tmpdir / name, rows, schema, data.policy)
            paths[name] = tmpdir / name
        else:
            pq.write_table(_table(rows, schema), tmpdir / f"{name}.parquet")
            paths[name] = tmpdir / f"{name}.parquet"
    checkins, cases = paths["checkins"], paths["cases"]
    assert checkins is not None and cases is not None
    return Sources(checkins=checkins, cases=cases, pings=paths["pings"],
                   households=paths["households"], quarantined=dict(data.quarantined))
