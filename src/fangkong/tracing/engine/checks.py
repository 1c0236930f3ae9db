"""Whole-file checks of the contract inputs; each failure is an InputError naming the first
bad line (CSV, header = line 1) or row (Parquet, per file) and the field.

A first query over all rows asks only *whether* something is wrong (parallel, stops at the
first hit); a second, numbered query runs only then, to find *where*.
"""

# ruff: noqa: S608  (SQL built from the contract's names, numbers and quoted paths only)

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from fangkong.tracing.engine.connection import ident, sql_string
from fangkong.tracing.engine.inputs import CLASSIFICATIONS, SPECS, Field, Input, InputError
from fangkong.tracing.engine.partitions import day_bounds, file_day, time_range

CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
CSV_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _problem(source: Input, field: Field) -> str:
    """SQL of "field: problem (value)" for a cell that is empty or unparsable, else NULL."""
    empty = f"'{field.name}: empty'" if field.required else "NULL"
    if source.types[field.name] != "VARCHAR":
        # A typed (Parquet) column parses by construction: only emptiness is left to check,
        # without casting millions of values to text.
        return f"CASE WHEN {ident(field.name)} IS NULL THEN {empty} END"
    col = f"CAST({source.text(field.name)} AS VARCHAR)"
    if field.kind == "ts":
        what = (f"CASE WHEN TRY_CAST({col} AS TIMESTAMP) IS NOT NULL AND NOT "
                f"regexp_matches({col}, '(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$') "
                "THEN 'timestamp without offset' ELSE 'not a timestamp' END")
    else:
        what = sql_string({"int": "not an integer", "float": "not a number", "str": "empty",
                           "date": "not a date"}[field.kind])
    return (f"CASE WHEN {col} IS NULL OR {col} = '' THEN {empty} "
            f"WHEN {source.parsed(field)} IS NULL THEN '{field.name}: ' || {what} || "
            f"' (' || {col} || ')' END")


def _rules(source: Input) -> list[str]:
    """SQL of the row rules beyond each cell's own type."""
    spec = {f.name: f for f in SPECS[source.kind]}

    def p(name: str) -> str:
        return source.parsed(spec[name])

    if source.kind == "checkins":
        return [f"CASE WHEN {p('exit_ts')} < {p('ts')} THEN 'exit_ts: before ts (' || "
                f"{source.text('ts')} || ')' END"]
    if source.kind == "pings":
        return [f"CASE WHEN NOT ({p(c)} BETWEEN -{m} AND {m}) THEN '{c}: out of range (' || "
                f"{source.text(c)} || ')' END" for c, m in (("lat", 90), ("lon", 180))]
    if source.kind == "cases":
        allowed = ", ".join(sql_string(c) for c in CLASSIFICATIONS)
        return [f"CASE WHEN {p('classification')} NOT IN ({allowed}) THEN "
                f"'classification: unknown (' || {source.text('classification')} || "
                f"'), expected {' or '.join(CLASSIFICATIONS)}' END"]
    return []


def _raise_at(source: Input, file: str, row: int, message: str) -> None:
    field, _, problem = message.partition(": ")
    raise InputError(where=source.where(file, row), field=field, problem=problem)


def _first(con: duckdb.DuckDBPyConnection, source: Input, sql: str) -> tuple | None:
    """Run a check query; a file DuckDB cannot parse at all is an InputError too."""
    try:
        rows = con.execute(sql).fetchall()
        return rows[0] if rows else None
    except duckdb.Error as exc:
        text = str(exc)
        line, count = CSV_LINE.search(text), CSV_COUNT.search(text)
        if line and source.is_csv:
            problem = (f"expected {count.group(1)} fields, found {count.group(2)}" if count
                       else text.splitlines()[0])
            raise InputError(where=source.where(source.files[0], int(line.group(1))),
                             field=None, problem=problem) from exc
        raise InputError(where=source.show(source.root), field=None,
                         problem=text.splitlines()[0]) from exc


def check_rows(*, con: duckdb.DuckDBPyConnection, source: Input) -> None:
    """Every cell parses, required cells are filled, and the row rules hold."""
    if not source.files:
        return
    err = "coalesce(" + ", ".join([_problem(source, f) for f in SPECS[source.kind]]
                                  + _rules(source)) + ")"
    hit = _first(con, source, f"SELECT 1 FROM {source.reader()} WHERE {err} IS NOT NULL LIMIT 1")
    if hit is None:
        return
    found = _first(con, source, f"SELECT _file, _row, err FROM (SELECT _file, _row, {err} AS err "
                   f"FROM {source.reader(numbered=True)}) WHERE err IS NOT NULL "
                   "ORDER BY _file, _row LIMIT 1")
    assert found is not None
    _raise_at(source, found[0], found[1], found[2])


def check_unique(*, con: duckdb.DuckDBPyConnection, source: Input, key: str,
                 values: list[str], field: str, problem: str) -> None:
    """Rows sharing ``key`` must agree on ``values`` (repeated identical rows are fine);
    ``problem`` is formatted with key, value (of the first row) and where (the first row)."""
    if not source.files:
        return
    spec = {f.name: f for f in SPECS[source.kind]}
    vals = ", ".join(source.parsed(spec[v]) for v in values)
    rows = (f"SELECT _file, _row, {source.parsed(spec[key])} AS k, ({vals},) AS v "
            f"FROM {source.reader(numbered=True)}")
    first = ("SELECT k, arg_min(v, (_file, _row)) AS v0, arg_min(_file, (_file, _row)) AS f0, "
             "arg_min(_row, (_file, _row)) AS r0 FROM r GROUP BY k")
    plain = f"SELECT {source.parsed(spec[key])} AS k, ({vals},) AS v FROM {source.reader()}"
    if _first(con, source, f"SELECT k FROM ({plain}) GROUP BY k "
                           "HAVING count(DISTINCT v) > 1 LIMIT 1") is None:
        return
    found = _first(con, source, f"WITH r AS ({rows}), f AS ({first}) SELECT r._file, r._row, "
                   "r.k, f.v0[1], f.f0, f.r0 FROM r JOIN f USING (k) "
                   "WHERE r.v IS DISTINCT FROM f.v0 ORDER BY r._file, r._row LIMIT 1")
    assert found is not None
    file, row, k, v0, f0, r0 = found
    where = (f"{'line' if source.is_csv else 'row'} {r0}" if f0 == file
             else source.where(f0, r0))
    raise InputError(where=source.where(file, row), field=field,
                     problem=problem.format(key=k, value=v0, where=where))


def check_days(*, con: duckdb.DuckDBPyConnection, source: Input, tz: ZoneInfo) -> None:
    """A file named for a day holds only that day's ``ts`` (local), so pruning by name is exact.
    The footer's statistics clear most files unread; only the others are scanned."""
    days = [(str(f), *day_bounds(d, tz), d) for f in source.files
            if (d := file_day(f)) is not None and not _within(f, *day_bounds(d, tz))]
    if not days or source.is_csv:
        return
    source = replace(source, files=tuple(Path(f) for f, _, _, _ in days))
    spans = ", ".join(f"({sql_string(f)}, {lo}, {hi})" for f, lo, hi, _ in days)
    ts = source.parsed(next(f for f in SPECS[source.kind] if f.name == "ts"))
    outside = (f"FROM {source.reader(named=True)} r JOIN (VALUES {spans}) d(f, lo, hi) "
               f"ON r._file = d.f WHERE {ts} < d.lo OR {ts} >= d.hi")
    if _first(con, source, f"SELECT 1 {outside} LIMIT 1") is None:
        return  # the cheap pass: no row numbers, parallel, stops at the first hit
    found = _first(con, source, f"SELECT r._file, r._row FROM {source.reader(numbered=True)} r "
                   f"JOIN (VALUES {spans}) d(f, lo, hi) ON r._file = d.f "
                   f"WHERE {ts} < d.lo OR {ts} >= d.hi ORDER BY r._file, r._row LIMIT 1")
    if found is not None:
        day = next(d for f, _, _, d in days if f == found[0])
        raise InputError(where=source.where(found[0], found[1]), field="ts",
                         problem=f"not on {day.isoformat()} ({tz.key}), the day in the file name")


def _within(path: Path, lo: int, hi: int) -> bool:
    """Whether the footer proves every ``ts`` of ``path`` lies in [lo, hi)."""
    span = time_range(path=path, column="ts")
    return span is not None and span[0] >= lo and span[1] < hi
