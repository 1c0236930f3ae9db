"""The default engine: the contact rules as SQL in DuckDB, straight over the contract files.

Each step reads only the files its windows can touch (``plan``): rule 3 the days of the
traced cases' windows, rule 4 those of the close contacts' windows, rule 5 the pings of the
cases' buckets. Memory is bounded by DuckDB's limit (it spills), threads are all the cores.
"""

# ruff: noqa: S608  (SQL built from the contract's names, numbers and quoted paths only)

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from fangkong.tracing.engine import cells, sql
from fangkong.tracing.engine.base import OUTPUT_SCHEMA, ContactPolicy, Sources
from fangkong.tracing.engine.connection import session
from fangkong.tracing.engine.plan import Plan, make_plan, pings_input, stays_input


def detect(*, sources: Sources, policy: ContactPolicy, as_of: dt.datetime,
           case_ids: frozenset[int] | None = None) -> pa.Table:
    """Contacts of the traced cases (all, or ``case_ids``), in OUTPUT_SCHEMA columns."""
    with session() as con:
        plan = make_plan(con=con, sources=sources, policy=policy, as_of=as_of,
                         case_ids=case_ids, check=False)
        _inputs(con=con, plan=plan, sources=sources)
        parts = [_close(con=con, plan=plan, sources=sources, policy=policy)]
        if policy.secondary:
            parts.append(_secondary(con=con, sources=sources, policy=policy,
                                    as_of=int(as_of.timestamp())))
        if sources.pings is not None and plan.start is not None:
            parts.append(_companions(con=con, plan=plan, sources=sources, policy=policy))
        return _result([p for p in parts if p.num_rows])


def _inputs(*, con: duckdb.DuckDBPyConnection, plan: Plan, sources: Sources) -> None:
    """Temporary tables ``cases``, ``hh`` and ``quar``."""
    traced = {w.case_id for w in plan.traced}
    cases = pa.table({"case_id": [w.case_id for w in plan.cases],
                      "person_id": [w.person_id for w in plan.cases],
                      "w0": [w.w0 for w in plan.cases], "w1": [w.w1 for w in plan.cases],
                      "traced": [w.case_id in traced for w in plan.cases]},
                     schema=pa.schema([("case_id", pa.int64()), ("person_id", pa.int64()),
                                       ("w0", pa.int64()), ("w1", pa.int64()),
                                       ("traced", pa.bool_())]))
    quar = pa.table({"person_id": pa.array(list(sources.quarantined), pa.int64()),
                     "q": pa.array([int(q.timestamp()) for q in sources.quarantined.values()],
                                   pa.int64())})
    con.register("cases_in", cases)
    con.register("quar_in", quar)
    con.execute("CREATE TEMP TABLE cases AS SELECT * FROM cases_in")
    con.execute("CREATE TEMP TABLE quar AS SELECT person_id, min(q) AS q FROM quar_in "
                "GROUP BY person_id")
    body = (f"SELECT DISTINCT person_id, household_id FROM ({plan.households.select()})"
            if plan.households is not None and plan.households.files else
            "SELECT NULL::BIGINT AS person_id, NULL::BIGINT AS household_id WHERE false")
    con.execute(f"CREATE TEMP TABLE hh AS {body}")


def _stays_sql(*, con: duckdb.DuckDBPyConnection, sources: Sources, policy: ContactPolicy,
               span: tuple[int | None, int | None]) -> str | None:
    """The stays relation over the check-in files that meet ``span``; None if no file."""
    start, end = span
    if start is None or end is None:
        return None
    source = stays_input(con=con, path=sources.checkins, policy=policy, start=start, end=end)
    if not source.files:
        return None
    return sql.stays(select=source.select(), policy=policy)


def _span(con: duckdb.DuckDBPyConnection) -> tuple[int | None, int | None]:
    lo, hi = con.execute("SELECT min(w0), max(w1) FROM src WHERE w1 > w0").fetchall()[0]
    return lo, hi


def _hits(*, con: duckdb.DuckDBPyConnection, sources: Sources, policy: ContactPolicy) -> None:
    """``hh_hits`` and ``venue`` for the current ``src``."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE hh_hits AS {sql.household_hits()}")
    stays_sql = _stays_sql(con=con, sources=sources, policy=policy, span=_span(con))
    body = (sql.venue_hits(stays_sql=stays_sql, policy=policy) if stays_sql else
            "SELECT NULL::BIGINT AS case_id, NULL::BIGINT AS via, NULL::BIGINT AS person_id, "
            "NULL::BIGINT AS first, NULL::BIGINT AS last, NULL::BIGINT AS minutes, "
            "NULL::BIGINT AS venue_id WHERE false")
    con.execute(f"CREATE OR REPLACE TEMP TABLE venue AS {body}")


def _close(*, con: duckdb.DuckDBPyConnection, plan: Plan, sources: Sources,
           policy: ContactPolicy) -> pa.Table:
    """Rule 3 into the temporary table ``close``."""
    con.execute("CREATE OR REPLACE TEMP TABLE src AS SELECT case_id, NULL::BIGINT AS via, "
                "0 AS via_rank, person_id, w0, w1 FROM cases WHERE traced")
    _hits(con=con, sources=sources, policy=policy)
    con.execute(sql.close_rows())
    return con.sql("SELECT * FROM close").to_arrow_table()


def _secondary(*, con: duckdb.DuckDBPyConnection, sources: Sources, policy: ContactPolicy,
               as_of: int) -> pa.Table:
    """Rule 4, with the close contacts as sources: pick each (case, person)'s winning
    candidate first, then measure only the winners' overlaps."""
    con.execute(sql.secondary_sources(as_of=as_of))
    span = con.execute("SELECT coalesce(max(w1) - min(w0), 0) FROM src").fetchall()[0][0]
    if span >= 2**31:
        raise ValueError("secondary windows span more than 68 years; check as_of and the dates")
    con.execute(f"CREATE OR REPLACE TEMP TABLE hh_hits AS {sql.household_hits()}")
    stays_sql = _stays_sql(con=con, sources=sources, policy=policy, span=_span(con))
    if stays_sql is None:
        con.execute("CREATE OR REPLACE TEMP TABLE vfirst AS SELECT NULL::BIGINT AS case_id, "
                    "NULL::BIGINT AS person_id, NULL::BIGINT AS first, NULL::BIGINT AS via, "
                    "NULL::BIGINT AS venue_id WHERE false")
    else:
        con.execute(sql.secondary_first(stays_sql=stays_sql, policy=policy))
    con.execute(sql.secondary_winners())
    return con.sql(sql.secondary_rows(stays_sql=stays_sql, policy=policy)).to_arrow_table()


def _companions(*, con: duckdb.DuckDBPyConnection, plan: Plan, sources: Sources,
                policy: ContactPolicy) -> pa.Table:
    """Rule 5: cells only for the cases' pings and the boxed candidates around them."""
    assert sources.pings is not None and plan.start is not None
    lo, hi = con.execute("SELECT min(w0), max(w1) FROM cases WHERE traced AND w1 > w0"
                         ).fetchall()[0]
    source = pings_input(con=con, path=sources.pings, policy=policy, start=lo, end=hi)
    if not source.files:
        return OUTPUT_SCHEMA.empty_table()
    cells.register(policy.companion_resolution)
    pings_sql = source.select()
    con.execute(sql.case_cells(pings_sql=pings_sql, policy=policy))
    found = [r[0] for r in con.execute("SELECT DISTINCT cell FROM kc").fetchall()]
    if not found:
        return OUTPUT_SCHEMA.empty_table()
    boxes = cells.boxes(found)
    size, squares = cells.squares(boxes)
    con.register("boxes", boxes)
    con.register("squares", squares)
    con.execute(sql.candidates(pings_sql=pings_sql, policy=policy, size=size))
    return con.sql(sql.companion_rows(policy=policy)).to_arrow_table()


def _result(parts: list[pa.Table]) -> pa.Table:
    """Epoch seconds → UTC timestamps, columns in OUTPUT_SCHEMA order."""
    fixed = []
    for part in parts:
        cols = [part.column(f.name).cast(pa.int64()).cast(f.type)
                if pa.types.is_timestamp(f.type) else part.column(f.name).cast(f.type)
                for f in OUTPUT_SCHEMA]
        fixed.append(pa.table(cols, schema=OUTPUT_SCHEMA))
    return pa.concat_tables(fixed) if fixed else OUTPUT_SCHEMA.empty_table()
