"""The DuckDB engine's SQL, one function per rule step (docs/tracing.md, "Contact rules as
implemented"). All instants are integer epoch seconds; temporary tables carry the steps:

- ``cases(case_id, person_id, w0, w1, traced)``, ``hh(person_id, household_id)``,
  ``quar(person_id, q)``: inputs;
- ``src(case_id, via, person_id, w0, w1)``: whose stays to match, in which window
  (the traced cases for rule 3, their close contacts for rule 4);
- ``close`` and the result rows, in the output columns.
"""

# ruff: noqa: S608  (SQL built from the contract's names, numbers and quoted paths only)

from __future__ import annotations

from fangkong.tracing.engine.base import ContactPolicy
from fangkong.tracing.engine.cells import udf

SLOT_SECONDS = 3600  # venue stays are paired within hour slots
COLUMNS = ("person_id, contact_type, index_case_id, via_person_id, venue_id, cell, "
           "first_exposure, last_exposure, overlap_minutes, rule")


def stays(*, select: str, policy: ContactPolicy) -> str:
    """Rule 2: a check-in covers [ts, exit_ts), or [ts, ts + default stay)."""
    return (f"SELECT person_id, venue_id, ts AS s, "
            f"coalesce(exit_ts, ts + {policy.default_stay_minutes * 60}) AS e FROM ({select})")


def venue_pairs(*, stays_sql: str, policy: ContactPolicy) -> str:
    """Rule 3's venue test for every ``src`` row, one row per qualifying pair of stays:
    a source's stay clipped to its window (``own``) and another person's stay at the same
    venue, with the overlap [os, oe).

    Stays are cut into hour slots so a busy venue costs its hourly crowd, not its whole
    week's. Each pair is found exactly once: where the other stay starts inside the own
    stay, by the other's start slot among the own stay's slots; where it started before,
    by the own stay's start slot among the other's slots."""
    need, hour = policy.min_overlap_minutes * 60, SLOT_SECONDS

    def slots(alias: str) -> str:
        return (f"unnest(range({bucket(f'{alias}.s', hour)}, "
                f"{bucket(f'{alias}.e', hour)} + 1)) AS slot")

    return f"""
        WITH own AS (
            SELECT r.case_id, r.via, r.via_rank, r.person_id AS owner, t.venue_id,
                   greatest(t.s, r.w0) AS s, least(t.e, r.w1) AS e
            FROM ({stays_sql}) t JOIN src r ON t.person_id = r.person_id
            WHERE r.w1 > r.w0 AND least(t.e, r.w1) - greatest(t.s, r.w0) >= {need}),
        others AS (
            SELECT person_id, venue_id, s, e FROM ({stays_sql})
            WHERE venue_id IN (SELECT venue_id FROM own) AND e - s >= {need}),
        own_slots AS (SELECT *, {slots('o')} FROM own o),
        other_slots AS (SELECT *, {slots('b')} FROM others b),
        pairs AS (
            SELECT o.case_id, o.via, o.via_rank, b.person_id, o.venue_id, b.s AS os,
                   least(o.e, b.e) AS oe
            FROM others b JOIN own_slots o
              ON o.venue_id = b.venue_id AND o.slot = {bucket('b.s', hour)}
            WHERE b.s >= o.s AND b.person_id <> o.owner
            UNION ALL
            SELECT o.case_id, o.via, o.via_rank, b.person_id, o.venue_id, o.s, least(o.e, b.e)
            FROM own o JOIN other_slots b
              ON b.venue_id = o.venue_id AND b.slot = {bucket('o.s', hour)}
            WHERE b.s < o.s AND b.person_id <> o.owner)
        SELECT * FROM pairs WHERE oe - os >= {need}"""


def venue_hits(*, stays_sql: str, policy: ContactPolicy) -> str:
    """Rule 3's aggregation per (case, via, person): first overlap start, last overlap end,
    longest overlap, venue of the first overlap start (ties: smallest venue)."""
    return f"""
        SELECT case_id, via, person_id, min(os) AS first, max(oe) AS last,
               max(oe - os) // 60 AS minutes, arg_min(venue_id, (os, venue_id)) AS venue_id
        FROM ({venue_pairs(stays_sql=stays_sql, policy=policy)})
        GROUP BY case_id, via, person_id"""


def household_hits() -> str:
    """Everyone else in the household of each ``src`` person, over the source's window."""
    return """
        SELECT r.case_id, r.via, m.person_id, r.w0 AS first, greatest(r.w0, r.w1) AS last
        FROM src r JOIN hh h ON h.person_id = r.person_id
        JOIN hh m ON m.household_id = h.household_id AND m.person_id <> r.person_id"""


def close_rows() -> str:
    """Rule 3 → ``close``: household rows, venue rows of persons not in the household; no
    case is a contact (rule 6). Expects ``hh_hits`` and ``venue`` tables."""
    return f"""
        CREATE OR REPLACE TEMP TABLE close AS
        SELECT {COLUMNS} FROM (
            SELECT person_id, 'close' AS contact_type, case_id AS index_case_id,
                   NULL::BIGINT AS via_person_id, NULL::BIGINT AS venue_id,
                   NULL::VARCHAR AS cell, first AS first_exposure, last AS last_exposure,
                   NULL::BIGINT AS overlap_minutes, 'household' AS rule FROM hh_hits
            UNION ALL
            SELECT v.person_id, 'close', v.case_id, NULL, v.venue_id, NULL, v.first, v.last,
                   v.minutes, 'venue' FROM venue v ANTI JOIN hh_hits h
                   ON h.case_id = v.case_id AND h.person_id = v.person_id)
        WHERE person_id NOT IN (SELECT person_id FROM cases)"""


def secondary_sources(*, as_of: int) -> str:
    """Rule 4's windows: each close contact C of a case with a window, from C's first
    exposure to C's quarantine (or ``as_of``)."""
    return f"""
        CREATE OR REPLACE TEMP TABLE src AS
        SELECT c.index_case_id AS case_id, c.person_id AS via,
               dense_rank() OVER (ORDER BY c.person_id) AS via_rank, c.person_id,
               c.first_exposure AS w0, coalesce(q.q, {as_of}) AS w1
        FROM close c JOIN cases k ON k.case_id = c.index_case_id
        LEFT JOIN quar q ON q.person_id = c.person_id
        WHERE k.w1 > k.w0 AND c.first_exposure < coalesce(q.q, {as_of})"""


def secondary_first(*, stays_sql: str, policy: ContactPolicy) -> str:
    """Rule 4, first pass → ``vfirst``: per (case, person) the least (os, via, venue) over
    the venue pairs with any close contact — the winning venue candidate's first exposure,
    via and venue. Grouping by (case, person) rather than (case, via, person) keeps the hash
    table to the size of the answer; the triple is packed into one 128-bit integer (overlap
    start from the earliest window, 31 bits; the via's rank, 32; the venue, 64) because
    the least of an integer is several times cheaper than the least of a struct."""
    pairs = venue_pairs(stays_sql=stays_sql, policy=policy)
    return f"""
        CREATE OR REPLACE TEMP TABLE vfirst AS
        WITH k AS (
            SELECT case_id, person_id, min(((os - (SELECT min(w0) FROM src))::HUGEINT << 96)
                   | (via_rank::HUGEINT << 64) | (venue_id::HUGEINT + {2**63})) AS k
            FROM ({pairs}) GROUP BY case_id, person_id)
        SELECT k.case_id, k.person_id, (k.k >> 96)::BIGINT + (SELECT min(w0) FROM src) AS first,
               v.via, ((k.k & {2**64 - 1}) - {2**63})::BIGINT AS venue_id
        FROM k JOIN (SELECT DISTINCT via, via_rank FROM src) v
          ON v.via_rank = ((k.k >> 64) & {2**32 - 1})::BIGINT"""


def secondary_winners() -> str:
    """Rule 4's choice → ``win``: per (case, person) the candidate with the earliest first
    exposure (ties: household, then smallest via, then smallest venue); never a case or a
    close contact of that case. Expects ``hh_hits`` and ``vfirst``."""
    return """
        CREATE OR REPLACE TEMP TABLE win AS
        SELECT * FROM (
            SELECT case_id, person_id, via, NULL::BIGINT AS venue_id, first, last, 0 AS rank
            FROM hh_hits
            UNION ALL
            SELECT case_id, person_id, via, venue_id, first, NULL, 1 FROM vfirst) x
        WHERE person_id NOT IN (SELECT person_id FROM cases)
          AND NOT EXISTS (SELECT 1 FROM close c WHERE c.index_case_id = x.case_id
                          AND c.person_id = x.person_id)
        QUALIFY row_number() OVER (PARTITION BY case_id, person_id ORDER BY
            first, rank, via, venue_id NULLS FIRST) = 1"""


def secondary_rows(*, stays_sql: str | None, policy: ContactPolicy) -> str:
    """Rule 4 rows from ``win``; a venue winner's last exposure and longest overlap come from
    its own pairs only (second pass over the pairs, kept to the winners)."""
    extent = "SELECT NULL::BIGINT AS case_id, NULL::BIGINT AS person_id, " \
             "NULL::BIGINT AS last, NULL::BIGINT AS minutes WHERE false"
    if stays_sql is not None:
        extent = f"""
            SELECT p.case_id, p.person_id, max(p.oe) AS last, max(p.oe - p.os) // 60 AS minutes
            FROM ({venue_pairs(stays_sql=stays_sql, policy=policy)}) p
            JOIN win w ON w.rank = 1 AND w.case_id = p.case_id AND w.person_id = p.person_id
             AND w.via = p.via
            GROUP BY p.case_id, p.person_id"""
    return f"""
        SELECT w.person_id, 'secondary' AS contact_type, w.case_id AS index_case_id,
               w.via AS via_person_id, w.venue_id, NULL::VARCHAR AS cell,
               w.first AS first_exposure, coalesce(w.last, e.last) AS last_exposure,
               e.minutes AS overlap_minutes,
               CASE WHEN w.rank = 0 THEN 'household' ELSE 'venue' END AS rule
        FROM win w LEFT JOIN ({extent}) e
          ON w.rank = 1 AND e.case_id = w.case_id AND e.person_id = w.person_id"""


def bucket(expr: str, width: int) -> str:
    """floor(expr / width) for any sign, in integers."""
    return f"(({expr}) - ((({expr}) % {width}) + {width}) % {width}) // {width}"


def case_cells(*, pings_sql: str, policy: ContactPolicy) -> str:
    """Rule 5, the case's side → ``kc(case_id, owner, bucket, cell)``: counted pings of the
    traced cases (inside their windows) and their cells."""
    width, cell_of = policy.companion_bucket_seconds, udf(policy.companion_resolution)
    return f"""
        CREATE OR REPLACE TEMP TABLE kc AS
        SELECT DISTINCT case_id, owner, bucket, {cell_of}(lat, lon) AS cell FROM (
            SELECT DISTINCT k.case_id, k.person_id AS owner, {bucket('p.ts', width)} AS bucket,
                   p.lat, p.lon
            FROM ({pings_sql}) p JOIN cases k ON p.person_id = k.person_id
            WHERE k.traced AND p.ts >= k.w0 AND p.ts < k.w1)"""


def candidates(*, pings_sql: str, policy: ContactPolicy, size: float) -> str:
    """Others' pings in a case's bucket, in a grid square of the box around the case's cell,
    inside that box → ``cand`` (tables ``kc``, ``boxes``, ``squares``)."""
    width = policy.companion_bucket_seconds
    return f"""
        CREATE OR REPLACE TEMP TABLE cand AS
        WITH keys AS (
            SELECT kc.case_id, kc.owner, kc.bucket, kc.cell, s.i, s.j,
                   b.lat0, b.lat1, b.lon0, b.lon1
            FROM kc JOIN squares s ON s.cell = kc.cell JOIN boxes b ON b.cell = kc.cell),
        p AS (
            SELECT person_id, lat, lon, {bucket('ts', width)} AS bucket,
                   CAST(floor(lat / {size!r}) AS BIGINT) AS i,
                   CAST(floor(lon / {size!r}) AS BIGINT) AS j
            FROM ({pings_sql}))
        SELECT DISTINCT k.case_id, p.person_id, k.bucket, k.cell, p.lat, p.lon
        FROM p JOIN keys k ON p.bucket = k.bucket AND p.i = k.i AND p.j = k.j
        WHERE p.person_id <> k.owner AND p.lat BETWEEN k.lat0 AND k.lat1
          AND p.lon BETWEEN k.lon0 AND k.lon1"""


def companion_rows(*, policy: ContactPolicy) -> str:
    """Rule 5 rows from ``cand``: exact cell match, at least the minimum of shared buckets;
    never a case or a close contact of that case."""
    width = policy.companion_bucket_seconds
    return f"""
        SELECT person_id, 'companion' AS contact_type, case_id AS index_case_id,
               NULL::BIGINT AS via_person_id, NULL::BIGINT AS venue_id,
               arg_min(cell, (bucket, cell)) AS cell, min(bucket) * {width} AS first_exposure,
               (max(bucket) + 1) * {width} AS last_exposure,
               count(DISTINCT bucket) * {width} // 60 AS overlap_minutes, 'cell' AS rule
        FROM (SELECT DISTINCT case_id, person_id, bucket, cell FROM cand
              WHERE {udf(policy.companion_resolution)}(lat, lon) = cell) x
        WHERE person_id NOT IN (SELECT person_id FROM cases)
          AND NOT EXISTS (SELECT 1 FROM close c WHERE c.index_case_id = x.case_id
                          AND c.person_id = x.person_id)
        GROUP BY case_id, person_id
        HAVING count(DISTINCT bucket) >= {policy.companion_min_buckets}"""
