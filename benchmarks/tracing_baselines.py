"""Two baselines for contact detection: plain pandas, and SQL in PostgreSQL.

Both apply the same rules as the engines (docs/tracing.md, "Contact rules as implemented"),
restricted to what an analyst would write without phones: rule 3 (close contacts by
household and venue) and rule 4 (secondary contacts by household and venue), for a chosen
set of index cases, with every other case still excluded from the contacts (rule 6). A close
contact's window ends at its quarantine (``quarantined``, as ``Sources.quarantined``), else
at ``as_of``. Both return a table in the engines' OUTPUT_SCHEMA.

pandas is written the way an analyst writes it: read the Parquet, merge stays on the venue,
compute the overlap, filter, group. The one concession to memory is that the merges run
over batches of stays. PostgreSQL gets the check-ins by COPY and indexes on (venue_id, ts)
and (person_id, ts), as a real deployment keeps them, and one SQL statement does the rest.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fangkong.tracing.engine.base import OUTPUT_SCHEMA, ContactPolicy, infectious_start

BATCH = 2_000  # stays of the index side per merge: bounds the merged frame's size
DAY = 86_400
RANK = {"household": 0, "venue": 1}


# --- pandas ---------------------------------------------------------------------------------

def _epoch(col: pd.Series) -> pd.Series:
    return col.astype("datetime64[s, UTC]").astype("int64")


def _read_stays(city: Path, policy: ContactPolicy) -> pd.DataFrame:
    ci = pd.read_parquet(city / "checkins", columns=["person_id", "venue_id", "ts", "exit_ts"])
    start = _epoch(ci["ts"])
    end = _epoch(ci["exit_ts"].fillna(ci["ts"] + pd.Timedelta(minutes=policy.default_stay_minutes)))
    return pd.DataFrame({"person_id": ci["person_id"], "venue_id": ci["venue_id"],
                         "s": start, "e": end})


def _windows(cases: pd.DataFrame, policy: ContactPolicy, as_of: dt.datetime) -> pd.DataFrame:
    w0 = [int(infectious_start(onset=None if pd.isna(o) else o, sample=s, policy=policy)
              .timestamp()) for o, s in zip(cases["onset_date"], cases["sample_date"],
                                            strict=True)]
    iso = cases["isolated_at"]
    w1 = np.where(iso.isna(), int(as_of.timestamp()), _epoch(iso.fillna(pd.Timestamp(0, tz="UTC"))))
    return pd.DataFrame({"case_id": cases["case_id"], "k": cases["person_id"], "w0": w0,
                         "w1": w1})


def _by_day(stays: pd.DataFrame) -> pd.DataFrame:
    """One row per (stay, UTC day it touches), so that stays can be merged on (venue, day)
    instead of on the venue alone; ``sid`` tells the copies of one stay apart."""
    first, last = stays["s"] // DAY, (stays["e"] - 1) // DAY
    n = (last - first + 1).clip(lower=1).to_numpy()
    rows = np.repeat(np.arange(len(stays)), n)
    out = stays.iloc[rows].reset_index(drop=True)
    ranks = np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n)
    out["day"] = first.to_numpy()[rows] + ranks
    out["sid"] = rows if "sid" not in stays else stays["sid"].to_numpy()[rows]
    return out


def _venue_pairs(index: pd.DataFrame, stays: pd.DataFrame, min_s: int) -> pd.DataFrame:
    """Stays of the index side (columns key, who, venue_id, s, e, ws, we) merged with the
    stays at the same venue on the same day (``stays`` from ``_by_day``); the pairs that
    overlap by ``min_s`` inside [ws, we), each once."""
    parts = []
    index = _by_day(index.assign(iid=np.arange(len(index))))
    for lo in range(0, len(index), BATCH):
        m = index.iloc[lo:lo + BATCH].merge(stays, on=["venue_id", "day"], suffixes=("_i", ""))
        m = m[m["person_id"] != m["who"]]
        os_ = np.maximum(np.maximum(m["s_i"], m["s"]), m["ws"])
        oe = np.minimum(np.minimum(m["e_i"], m["e"]), m["we"])
        keep = (oe - os_) >= min_s
        parts.append(pd.DataFrame({"key": m["key"][keep], "who": m["who"][keep],
                                   "person_id": m["person_id"][keep],
                                   "venue_id": m["venue_id"][keep], "os": os_[keep],
                                   "oe": oe[keep], "iid": m["iid"][keep],
                                   "sid": m["sid"][keep]}))
    cols = ["key", "who", "person_id", "venue_id", "os", "oe"]
    if not parts:
        return pd.DataFrame(columns=cols, dtype="int64")
    return pd.concat(parts, ignore_index=True).drop_duplicates(["iid", "sid"])[cols]


def _per_person(pairs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rule 3's summary of one person's qualifying pairs: first, last, longest, first venue."""
    pairs = pairs.assign(ov=pairs["oe"] - pairs["os"]).sort_values([*by, "os", "venue_id"])
    return pairs.groupby(by, sort=False).agg(
        first=("os", "min"), last=("oe", "max"), longest=("ov", "max"),
        venue_id=("venue_id", "first")).reset_index()


def pandas_contacts(*, city: Path, case_ids: frozenset[int], policy: ContactPolicy,
                    as_of: dt.datetime, quarantined: dict[int, dt.datetime] | None = None
                    ) -> pa.Table:
    """Close and secondary contacts (household and venue) of ``case_ids``, in pandas."""
    stays = _read_stays(city, policy)
    daily = _by_day(stays)
    cases = pd.read_parquet(city / "cases.parquet")
    households = pd.read_parquet(city / "households.parquet")
    win = _windows(cases[cases["case_id"].isin(case_ids)], policy, as_of)
    is_case = set(cases["person_id"])
    min_s = policy.min_overlap_minutes * 60
    home = households.set_index("person_id")["household_id"]
    members = households.groupby("household_id")["person_id"].apply(list)

    # rule 3, household
    hh = win.merge(households.rename(columns={"person_id": "k"}), on="k")
    hh = hh.merge(households, on="household_id")
    hh = hh[(hh["person_id"] != hh["k"]) & ~hh["person_id"].isin(is_case)]
    close_h = pd.DataFrame({"case_id": hh["case_id"], "person_id": hh["person_id"],
                            "first": hh["w0"], "last": np.maximum(hh["w0"], hh["w1"]),
                            "rule": "household"})
    # rule 3, venue
    ks = win[win["w1"] > win["w0"]].merge(stays, left_on="k", right_on="person_id")
    ks = ks[(ks["s"] < ks["w1"]) & (ks["e"] > ks["w0"])]
    index = pd.DataFrame({"key": ks["case_id"], "who": ks["k"], "venue_id": ks["venue_id"],
                          "s": ks["s"], "e": ks["e"], "ws": ks["w0"], "we": ks["w1"]})
    pairs = _venue_pairs(index, daily, min_s)
    pairs = pairs[~pairs["person_id"].isin(is_case)].rename(columns={"key": "case_id"})
    close_v = _per_person(pairs, ["case_id", "person_id"]).assign(rule="venue")
    close_v = close_v.merge(close_h[["case_id", "person_id"]], how="left", indicator=True)
    close_v = close_v[close_v["_merge"] == "left_only"].drop(columns="_merge")
    close = pd.concat([close_h, close_v], ignore_index=True).assign(contact_type="close")
    if not policy.secondary:
        return _to_arrow(close)

    # rule 4: each close contact C of K, window [F_C, Q_C)
    quar = pd.Series({p: int(t.timestamp()) for p, t in (quarantined or {}).items()},
                     dtype="int64")
    cc = close[["case_id", "person_id", "first"]].rename(columns={"person_id": "c",
                                                                  "first": "f"})
    cc = cc.assign(q=cc["c"].map(quar).fillna(int(as_of.timestamp())).astype("int64"))
    cc = cc[cc["f"] < cc["q"]].reset_index(drop=True)
    cc["key"] = np.arange(len(cc))
    sh = cc.assign(person_id=cc["c"].map(home).map(members)).explode("person_id")
    sh = sh[sh["person_id"].notna()].astype({"person_id": "int64"})
    sh = sh[sh["person_id"] != sh["c"]]
    sec_h = pd.DataFrame({"case_id": sh["case_id"], "person_id": sh["person_id"],
                          "via": sh["c"], "first": sh["f"], "last": sh["q"],
                          "rule": "household"})
    cs = cc.merge(stays, left_on="c", right_on="person_id")
    cs = cs[(cs["s"] < cs["q"]) & (cs["e"] > cs["f"])]
    index = pd.DataFrame({"key": cs["key"], "who": cs["c"], "venue_id": cs["venue_id"],
                          "s": cs["s"], "e": cs["e"], "ws": cs["f"], "we": cs["q"]})
    pairs = _venue_pairs(index, daily, min_s)
    sec_v = _per_person(pairs, ["key", "person_id"]).merge(cc[["key", "case_id", "c"]],
                                                            on="key")
    sec_v = sec_v.rename(columns={"c": "via"}).drop(columns="key").assign(rule="venue")
    cand = pd.concat([sec_h, sec_v], ignore_index=True)
    cand = cand[~cand["person_id"].isin(is_case)]
    cand = cand.merge(close[["case_id", "person_id"]], how="left", indicator=True)
    cand = cand[cand["_merge"] == "left_only"].drop(columns="_merge")
    cand = cand.assign(rank=cand["rule"].map(RANK)).sort_values(
        ["case_id", "person_id", "first", "rank", "via", "venue_id"], na_position="first")
    sec = cand.drop_duplicates(["case_id", "person_id"]).drop(columns="rank")
    return _to_arrow(pd.concat([close, sec.assign(contact_type="secondary")],
                               ignore_index=True))


def _to_arrow(df: pd.DataFrame) -> pa.Table:
    def ts(col: str) -> pa.Array:
        return pa.array(df[col].to_numpy("int64"), pa.int64()).cast(pa.timestamp("s", tz="UTC"))

    longest = df["longest"] if "longest" in df else pd.Series(np.nan, index=df.index)
    via = df["via"] if "via" in df else pd.Series(np.nan, index=df.index)
    venue = df["venue_id"] if "venue_id" in df else pd.Series(np.nan, index=df.index)
    return pa.table({
        "person_id": pa.array(df["person_id"].to_numpy("int64")),
        "contact_type": pa.array(df["contact_type"].astype(str).to_numpy()),
        "index_case_id": pa.array(df["case_id"].to_numpy("int64")),
        "via_person_id": pa.array(via.astype("Int64"), pa.int64(), from_pandas=True),
        "venue_id": pa.array(venue.astype("Int64"), pa.int64(), from_pandas=True),
        "cell": pa.nulls(len(df), pa.string()),
        "first_exposure": ts("first"), "last_exposure": ts("last"),
        "overlap_minutes": pa.array((longest // 60).astype("Int64"), pa.int64(),
                                    from_pandas=True),
        "rule": pa.array(df["rule"].astype(str).to_numpy()),
    }, schema=OUTPUT_SCHEMA)


# --- PostgreSQL -----------------------------------------------------------------------------

SCHEMA_SQL = """
DROP TABLE IF EXISTS checkins, cases, households, checkin_bounds;
CREATE TABLE checkins (person_id bigint NOT NULL, venue_id bigint NOT NULL,
                       ts timestamptz NOT NULL, exit_ts timestamptz, source text);
CREATE TABLE cases (case_id bigint PRIMARY KEY, person_id bigint NOT NULL UNIQUE,
                    onset_date date, sample_date date NOT NULL, classification text,
                    isolated_at timestamptz);
CREATE TABLE households (person_id bigint PRIMARY KEY, household_id bigint NOT NULL);
"""
INDEX_SQL = (
    "CREATE INDEX checkins_venue_ts ON checkins (venue_id, ts)",
    "CREATE INDEX checkins_person_ts ON checkins (person_id, ts)",
    "CREATE INDEX households_household ON households (household_id)",
    # the longest stay on record: a stay that overlaps [S, E) began after S minus this,
    # which bounds the range scan on (venue_id, ts) from below without changing the answer
    "CREATE TABLE checkin_bounds AS SELECT max(coalesce(exit_ts, ts + %(stay)s) - ts) "
    "AS longest FROM checkins",
)


def _csv_chunks(path: Path) -> Iterator[bytes]:
    """A Parquet file or day folder as CSV without header, one row group at a time."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    opts = pacsv.WriteOptions(include_header=False)
    for f in files:
        pf = pq.ParquetFile(f)
        for i in range(pf.num_row_groups):
            buf = io.BytesIO()
            pacsv.write_csv(pf.read_row_group(i), buf, opts)
            yield buf.getvalue()


def postgres_load(*, city: Path, dsn: str, policy: ContactPolicy) -> dict[str, Any]:
    """Create the tables, COPY the city in, build the indexes, ANALYZE; seconds per step."""
    import time

    import psycopg

    took: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
        for table, src in (("checkins", city / "checkins"), ("cases", city / "cases.parquet"),
                           ("households", city / "households.parquet")):
            began = time.perf_counter()
            with conn.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
                for chunk in _csv_chunks(src):
                    copy.write(chunk)
            took[f"copy_{table}_s"] = round(time.perf_counter() - began, 2)
        began = time.perf_counter()
        for sql in INDEX_SQL:
            conn.execute(sql, {"stay": dt.timedelta(minutes=policy.default_stay_minutes)})
        took["index_s"] = round(time.perf_counter() - began, 2)
        began = time.perf_counter()
        conn.execute("ANALYZE checkins, cases, households")
        took["analyze_s"] = round(time.perf_counter() - began, 2)
        row = conn.execute("SELECT count(*), pg_total_relation_size('checkins') "
                           "FROM checkins").fetchone()
        assert row is not None
        took["checkins_rows"], took["checkins_mb"] = row[0], round(row[1] / 2**20)
    return took


CONTACTS_SQL = """
WITH win AS (
  SELECT case_id, person_id AS k,
         ((coalesce(onset_date, sample_date) - %(before)s)::timestamp AT TIME ZONE %(tz)s) AS w0,
         coalesce(isolated_at, %(as_of)s) AS w1
  FROM cases WHERE case_id = ANY(%(ids)s)),
close_h AS (
  SELECT w.case_id, m.person_id, w.w0 AS first, greatest(w.w0, w.w1) AS last
  FROM win w JOIN households h ON h.person_id = w.k
  JOIN households m ON m.household_id = h.household_id AND m.person_id <> w.k
  WHERE NOT EXISTS (SELECT 1 FROM cases x WHERE x.person_id = m.person_id)),
kstay AS (
  SELECT w.case_id, w.k, w.w0, w.w1, s.venue_id, s.ts AS s,
         coalesce(s.exit_ts, s.ts + %(stay)s) AS e
  FROM win w JOIN checkins s ON s.person_id = w.k
  WHERE w.w1 > w.w0 AND s.ts < w.w1 AND coalesce(s.exit_ts, s.ts + %(stay)s) > w.w0),
vpair AS (
  SELECT k.case_id, o.person_id, k.venue_id,
         greatest(k.s, o.ts, k.w0) AS os,
         least(k.e, coalesce(o.exit_ts, o.ts + %(stay)s), k.w1) AS oe
  FROM kstay k JOIN checkins o ON o.venue_id = k.venue_id AND o.ts < least(k.e, k.w1)
    AND o.ts > greatest(k.s, k.w0) - (SELECT longest FROM checkin_bounds)
  WHERE o.person_id <> k.k),
close_v AS (
  SELECT case_id, person_id, min(os) AS first, max(oe) AS last, max(oe - os) AS longest,
         (array_agg(venue_id ORDER BY os, venue_id))[1] AS venue_id
  FROM vpair
  WHERE oe - os >= %(min_ov)s
    AND NOT EXISTS (SELECT 1 FROM cases x WHERE x.person_id = vpair.person_id)
  GROUP BY case_id, person_id),
close AS (
  SELECT case_id, person_id, first, last, NULL::interval AS longest, NULL::bigint AS venue_id,
         'household' AS rule FROM close_h
  UNION ALL
  SELECT v.case_id, v.person_id, v.first, v.last, v.longest, v.venue_id, 'venue'
  FROM close_v v
  WHERE NOT EXISTS (SELECT 1 FROM close_h h
                    WHERE h.case_id = v.case_id AND h.person_id = v.person_id)),
quar AS (
  SELECT p, min(at) AS at
  FROM unnest(%(q_person)s::bigint[], %(q_at)s::timestamptz[]) AS q(p, at) GROUP BY p),
cc AS (
  SELECT close.case_id, close.person_id AS c, close.first AS f,
         coalesce(quar.at, %(as_of)s) AS q
  FROM close LEFT JOIN quar ON quar.p = close.person_id WHERE %(secondary)s),
sec_h AS (
  SELECT cc.case_id, m.person_id, cc.c AS via, cc.f AS first, cc.q AS last,
         NULL::interval AS longest, NULL::bigint AS venue_id, 'household' AS rule
  FROM cc JOIN households h ON h.person_id = cc.c
  JOIN households m ON m.household_id = h.household_id AND m.person_id <> cc.c
  WHERE cc.f < cc.q),
cstay AS (
  SELECT cc.case_id, cc.c, cc.f, cc.q, s.venue_id, s.ts AS s,
         coalesce(s.exit_ts, s.ts + %(stay)s) AS e
  FROM cc JOIN checkins s ON s.person_id = cc.c
  WHERE s.ts < cc.q AND coalesce(s.exit_ts, s.ts + %(stay)s) > cc.f),
spair AS (
  SELECT c.case_id, c.c, o.person_id, c.venue_id,
         greatest(c.s, o.ts, c.f) AS os,
         least(c.e, coalesce(o.exit_ts, o.ts + %(stay)s), c.q) AS oe
  FROM cstay c JOIN checkins o ON o.venue_id = c.venue_id AND o.ts < least(c.e, c.q)
    AND o.ts > greatest(c.s, c.f) - (SELECT longest FROM checkin_bounds)
  WHERE o.person_id <> c.c),
sec_v AS (
  SELECT case_id, person_id, c AS via, min(os) AS first, max(oe) AS last,
         max(oe - os) AS longest, (array_agg(venue_id ORDER BY os, venue_id))[1] AS venue_id,
         'venue' AS rule
  FROM spair WHERE oe - os >= %(min_ov)s GROUP BY case_id, person_id, c),
sec AS (
  SELECT DISTINCT ON (case_id, person_id) * FROM (
    SELECT * FROM sec_h UNION ALL SELECT * FROM sec_v) cand
  WHERE NOT EXISTS (SELECT 1 FROM cases x WHERE x.person_id = cand.person_id)
    AND NOT EXISTS (SELECT 1 FROM close z
                    WHERE z.case_id = cand.case_id AND z.person_id = cand.person_id)
  ORDER BY case_id, person_id, first, rule = 'venue', via, venue_id)
SELECT person_id, 'close' AS contact_type, case_id, NULL::bigint AS via, venue_id,
       extract(epoch FROM first)::bigint, extract(epoch FROM last)::bigint,
       floor(extract(epoch FROM longest) / 60)::bigint, rule
FROM close
UNION ALL
SELECT person_id, 'secondary', case_id, via, venue_id, extract(epoch FROM first)::bigint,
       extract(epoch FROM last)::bigint, floor(extract(epoch FROM longest) / 60)::bigint, rule
FROM sec
"""


def postgres_contacts(*, dsn: str, case_ids: frozenset[int], policy: ContactPolicy,
                      as_of: dt.datetime, quarantined: dict[int, dt.datetime] | None = None,
                      work_mem: str = "256MB") -> pa.Table:
    """The same contacts as ``pandas_contacts``, by one SQL statement in PostgreSQL."""
    import psycopg

    params = {"ids": sorted(case_ids), "before": policy.infectious_before_days,
              "tz": policy.timezone, "as_of": as_of,
              "stay": dt.timedelta(minutes=policy.default_stay_minutes),
              "min_ov": dt.timedelta(minutes=policy.min_overlap_minutes),
              "secondary": policy.secondary, "q_person": list((quarantined or {}).keys()),
              "q_at": list((quarantined or {}).values())}
    with psycopg.connect(dsn) as conn:
        conn.execute(f"SET work_mem = '{work_mem}'")
        rows = conn.execute(CONTACTS_SQL, params).fetchall()
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 9
    out = dict(zip(["person_id", "contact_type", "index_case_id", "via_person_id", "venue_id",
                    "first_exposure", "last_exposure", "overlap_minutes", "rule"], cols,
                   strict=True))
    return pa.table({
        **{k: pa.array(out[k], pa.int64()) for k in (
            "person_id", "index_case_id", "via_person_id", "venue_id", "overlap_minutes")},
        "contact_type": pa.array(out["contact_type"], pa.string()),
        "cell": pa.nulls(len(rows), pa.string()),
        **{k: pa.array(out[k], pa.int64()).cast(pa.timestamp("s", tz="UTC"))
           for k in ("first_exposure", "last_exposure")},
        "rule": pa.array(out["rule"], pa.string()),
    }).select(OUTPUT_SCHEMA.names).cast(OUTPUT_SCHEMA)
