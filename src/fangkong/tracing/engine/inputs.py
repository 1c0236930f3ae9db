"""Read and check the contract files (checkins, cases, pings, households) with DuckDB.

Every input becomes one SQL relation with typed columns (timestamps as integer epoch seconds,
dates as DATE), whatever its format: Parquet file, folder of Parquet files, or CSV with a
header. Checks are whole-column queries; only when one finds a problem does a second query
number the rows to name the first bad line, so tens of millions of good rows cost one scan.
"""

# ruff: noqa: S608  (SQL built from the contract's names, numbers and quoted paths only)

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from fangkong.tracing.engine.connection import ident, sql_string
from fangkong.tracing.engine.partitions import parquet_files


class InputError(ValueError):
    """A contract file is malformed or inconsistent; the message names file, line and field."""

    def __init__(self, *, where: str, field: str | None, problem: str) -> None:
        self.where, self.field, self.problem = where, field, problem
        super().__init__(f"{where}, {field}: {problem}" if field else f"{where}: {problem}")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # int | ts | date | float | str
    required: bool = True


SPECS: dict[str, tuple[Field, ...]] = {
    "checkins": (Field("person_id", "int"), Field("venue_id", "int"), Field("ts", "ts"),
                 Field("exit_ts", "ts", required=False), Field("source", "str", required=False)),
    "cases": (Field("case_id", "int"), Field("person_id", "int"),
              Field("onset_date", "date", required=False), Field("sample_date", "date"),
              Field("classification", "str"), Field("isolated_at", "ts", required=False)),
    "pings": (Field("person_id", "int"), Field("ts", "ts"), Field("lat", "float"),
              Field("lon", "float")),
    "households": (Field("person_id", "int"), Field("household_id", "int")),
}
CLASSIFICATIONS = ("confirmed", "asymptomatic")
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "HUGEINT"}
TYPED = {
    "int": INTEGER_TYPES,
    "ts": INTEGER_TYPES | {"TIMESTAMP WITH TIME ZONE", "TIMESTAMP", "TIMESTAMP_S",
                           "TIMESTAMP_MS", "TIMESTAMP_NS"},
    "date": {"DATE"},
    "float": INTEGER_TYPES | {"DOUBLE", "FLOAT"},
}
TS_TEXT = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
           r" ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)")
EXPECTED = {"int": "an integer", "ts": "a timestamp", "date": "a date", "float": "a number"}


@dataclass(frozen=True)
class Input:
    """One contract file (or folder) resolved to its files and column types."""

    kind: str
    root: Path
    files: tuple[Path, ...]
    is_csv: bool
    types: dict[str, str]  # field → DuckDB type as read (VARCHAR for CSV)
    header: tuple[str, ...] = ()

    def show(self, file: str | Path) -> str:
        """A file as the user named it: ``cases.csv`` or ``checkins/day=….parquet``."""
        path = Path(file)
        if self.root.is_dir() and path != self.root:
            return f"{self.root.name}/{path.relative_to(self.root).as_posix()}"
        return path.name

    def where(self, file: str | Path, row: int) -> str:
        return f"{self.show(file)} {'line' if self.is_csv else 'row'} {row}"

    def reader(self, *, numbered: bool = False, named: bool = False) -> str:
        """FROM-clause text; numbered adds ``_file`` and ``_row`` (CSV: the line, header = 1;
        Parquet: the 1-based row in its file); named adds only ``_file`` (Parquet), which
        keeps the scan parallel."""
        if self.is_csv:
            cols = "{" + ", ".join(f"{sql_string(h)}: 'VARCHAR'" for h in self.header) + "}"
            scan = (f"read_csv({sql_string(str(self.files[0]))}, header = true, delim = ',', "
                    f"quote = '\"', escape = '\"', auto_detect = false, columns = {cols})")
            if not numbered:
                return scan
            return (f"(SELECT *, {sql_string(str(self.files[0]))} AS _file, "
                    f"row_number() OVER () + 1 AS _row FROM {scan})")
        paths = "[" + ", ".join(sql_string(str(f)) for f in self.files) + "]"
        extra = (", filename = true, file_row_number = true" if numbered
                 else ", filename = true" if named else "")
        scan = f"read_parquet({paths}, union_by_name = true, hive_partitioning = false{extra})"
        if named and not numbered:
            return f"(SELECT * EXCLUDE (filename), filename AS _file FROM {scan})"
        if not numbered:
            return scan
        return (f"(SELECT * EXCLUDE (filename), filename AS _file, "
                f"file_row_number + 1 AS _row FROM {scan})")

    def parsed(self, field: Field) -> str:
        """SQL of the typed value (NULL when empty or unparsable)."""
        col, typ = ident(field.name), self.types[field.name]
        if typ != "VARCHAR" or field.kind == "str":
            if field.kind == "ts" and typ not in INTEGER_TYPES:
                return f"CAST(floor(epoch({col})) AS BIGINT)"
            return {"int": f"CAST({col} AS BIGINT)", "float": f"CAST({col} AS DOUBLE)",
                    "date": f"CAST({col} AS DATE)", "ts": f"CAST({col} AS BIGINT)",
                    "str": f"NULLIF(trim(CAST({col} AS VARCHAR)), '')"}[field.kind]
        text = f"NULLIF(trim({col}), '')"
        return {
            "int": f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+') "
                   f"THEN TRY_CAST({text} AS BIGINT) END",
            "float": f"TRY_CAST({text} AS DOUBLE)",
            "date": f"CASE WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                    f"THEN TRY_CAST({text} AS DATE) END",
            "ts": f"CASE WHEN regexp_full_match({text}, '{TS_TEXT}') "
                  f"THEN CAST(floor(epoch(TRY_CAST({text} AS TIMESTAMPTZ))) AS BIGINT) END",
        }[field.kind]

    def text(self, name: str) -> str:
        """SQL of the value as the user wrote it, for messages."""
        return f"trim(CAST({ident(name)} AS VARCHAR))"

    def select(self) -> str:
        """The normalised relation: the contract's columns, typed, one row per input row."""
        cols = ", ".join(f"{self.parsed(f)} AS {ident(f.name)}" for f in SPECS[self.kind])
        return f"SELECT {cols} FROM {self.reader()}"


def resolve(*, con: duckdb.DuckDBPyConnection, kind: str, path: Path,
            files: list[Path] | None = None) -> Input:
    """Find the files of ``path`` (or take ``files``, a pruned subset) and their column
    types; a missing column or a column of the wrong type is an InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError(where=str(path), field=None, problem="no such file or folder")
    if path.is_file() and path.suffix.lower() == ".csv":
        header = _csv_header(path)
        _require_columns(kind=kind, names=header, where=f"{path.name} line 1")
        return Input(kind, path, (path,), True, dict.fromkeys(header, "VARCHAR"), tuple(header))
    found = tuple(files if files is not None else
                  (parquet_files(path) if path.is_dir() else [path]))
    empty = Input(kind, path, found, False, {})
    for file in found:
        _require_columns(kind=kind, names=pq.read_schema(file).names, where=empty.show(file))
    if not found:
        return empty
    rows = con.execute(f"DESCRIBE SELECT * FROM {empty.reader()}").fetchall()
    types = {str(r[0]): str(r[1]) for r in rows}
    for field in SPECS[kind]:
        typ = types[field.name]
        if field.kind != "str" and typ != "VARCHAR" and typ not in TYPED[field.kind]:
            raise InputError(where=empty.show(path), field=field.name,
                             problem=f"column type {typ}, expected {EXPECTED[field.kind]}")
    return Input(kind, path, found, False, types)


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        try:
            header = next(csv.reader(fh), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(where=f"{path.name} line 1", field=None, problem=str(exc)) from exc
    if not header:
        raise InputError(where=f"{path.name} line 1", field=None, problem="no header")
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(where=f"{path.name} line 1", field=dupes[0], problem="repeated column")
    return names


def _require_columns(*, kind: str, names: list[str], where: str) -> None:
    for field in SPECS[kind]:
        if field.name not in names:
            raise InputError(where=where, field=field.name, problem="missing column")


def load(*, con: duckdb.DuckDBPyConnection, source: Input) -> duckdb.DuckDBPyRelation | None:
    """The normalised rows of ``source``; None when it has no files."""
    if not source.files:
        return None
    try:
        return con.sql(source.select())
    except duckdb.Error as exc:
        raise InputError(where=source.show(source.root), field=None,
                         problem=str(exc).splitlines()[0]) from exc
