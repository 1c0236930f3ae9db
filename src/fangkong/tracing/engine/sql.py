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


def venue_hits(*, stays_sql: str, policy: ContactPolicy) -> str:
    """Rule 3's venue test for every ``src`` row: stays of others at the same venue that
    overlap one of the source's stays, clipped to its window, by the minimum; aggregated per
    (case, via, person): first overlap start, last overlap end, longest overlap, venue of the
    first overlap start (ties: smallest venue).

    Stays are cut into hour slots and paired within a (venue, slot), each pair once, in the
    slot of its overlap start: a busy venue then costs its hourly crowd per stay, not its
    whole week's."""
    need, hour = policy.min_overlap_minutes * 60, SLOT_SECONDS
    slots = f"unnest(range({bucket('s', hour)}, {bucket('e', hour)} + 1)) AS slot"
    return f"""
        WITH own AS (
            SELECT r.case_id, r.via, r.person_id AS owner, t.venue_id,
                   greatest(t.s, r.w0) AS s, least(t.e, r.w1) AS e
            FROM ({stays_sql}) t JOIN src r ON t.person_id = r.person_id
            WHERE r.w1 > r.w0 AND least(t.e, r.w1) - greatest(t.s, r.w0) >= {need}),
        own_slots AS (SELECT *, {slots} FROM own),
        other_slots AS (
            SELECT person_id, venue_id, s, e, {slots} FROM ({stays_sql})
            WHERE venue_id IN (SELECT venue_id FROM own)),
        pairs AS (
            SELECT o.case_id, o.via, b.person_id, o.venue_id,
                   greatest(o.s, b.s) AS os, least(o.e, b.e) AS oe
            FROM own_slots o JOIN other_slots b ON b.venue_id = o.venue_id AND b.slot = o.slot
            WHERE b.person_id <> o.owner
              AND {bucket('greatest(o.s, b.s)', hour)} = o.slot)
        SELECT case_id, via, person_id, min(os) AS first, max(oe) AS last,
               max(oe - os) // 60 AS minutes, arg_min(venue_id, (os, venue_id)) AS venue_id
        FROM pairs WHERE oe - os >= {need} GROUP BY case_id, via, person_id"""


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
        SELECT c.index_case_id AS case_id, c.person_id AS via, c.person_id,
               c.first_exposure AS w0, coalesce(q.q, {as_of}) AS w1
        FROM close c JOIN cases k ON k.case_id = c.index_case_id
        LEFT JOIN quar q ON q.person_id = c.person_id
        WHERE k.w1 > k.w0 AND c.first_exposure < coalesce(q.q, {as_of})"""


def secondary_rows() -> str:
    """Rule 4 rows: per (person, case) the candidate with the earliest first exposure (ties:
    household, then smallest via, then smallest venue); never a case or a close contact."""
    return f"""
        SELECT {COLUMNS} FROM (
            SELECT person_id, 'secondary' AS contact_type, case_id AS index_case_id,
                   via AS via_person_id, NULL::BIGINT AS venue_id, NULL::VARCHAR AS cell,
                   first AS first_exposure, last AS last_exposure,
                   NULL::BIGINT AS overlap_minutes, 'household' AS rule, 0 AS rank FROM hh_hits
            UNION ALL
            SELECT person_id, 'secondary', case_id, via, venue_id, NULL, first, last, minutes,
                   'venue', 1 FROM venue) x
        WHERE person_id NOT IN (SELECT person_id FROM cases)
          AND NOT EXISTS (SELECT 1 FROM close c WHERE c.index_case_id = x.index_case_id
                          AND c.person_id = x.person_id)
        QUALIFY row_number() OVER (PARTITION BY index_case_id, person_id ORDER BY
            first_exposure, rank, via_person_id, venue_id NULLS FIRST) = 1"""


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


def candidates(*, pings_sql: str, policy: ContactPolicy) -> str:
    """Others' pings in a case's bucket inside the box of the case's cell → ``cand``."""
    return f"""
        CREATE OR REPLACE TEMP TABLE cand AS
        SELECT DISTINCT kc.case_id, p.person_id, kc.bucket, kc.cell, p.lat, p.lon
        FROM ({pings_sql}) p
        JOIN kc ON {bucket('p.ts', policy.companion_bucket_seconds)} = kc.bucket
        JOIN boxes b ON b.cell = kc.cell
        WHERE p.person_id <> kc.owner AND p.lat BETWEEN b.lat0 AND b.lat1
          AND p.lon BETWEEN b.lon0 AND b.lon1"""


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
