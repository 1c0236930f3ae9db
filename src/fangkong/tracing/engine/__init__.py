"""Contact engines over the contract files (Django-free): reference, DuckDB, Spark."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fangkong.tracing.engine.base import ContactPolicy, Engine, Sources, canonical_sort
from fangkong.tracing.engine.inputs import InputError


class _Registry(Mapping[str, Engine]):
    """Engine name → ``detect`` function, imported on first use: a missing optional
    dependency (Spark) fails only when that engine is chosen."""

    def __init__(self, targets: dict[str, str]) -> None:
        self._targets = targets

    def __getitem__(self, name: str) -> Engine:
        module, _, attr = self._targets[name].partition(":")
        engine: Engine = getattr(importlib.import_module(module), attr)
        return engine

    def __iter__(self) -> Iterator[str]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)


ENGINES: Mapping[str, Engine] = _Registry({
    "duckdb": "fangkong.tracing.engine.duckdb_engine:detect",
    "reference": "fangkong.tracing.engine.reference:detect",
    "spark": "fangkong.tracing.engine.spark_engine:detect",
})


def detect_contacts(*, sources: Sources, policy: ContactPolicy, as_of: dt.datetime,
                    engine: str = "duckdb", case_ids: frozenset[int] | None = None) -> pa.Table:
    """Check the inputs a run will read (InputError names file, line, field), run
    ``engine`` and return its rows in canonical order."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if as_of.tzinfo is None:
        raise ValueError("as_of needs a time zone")
    from fangkong.tracing.engine.connection import session
    from fangkong.tracing.engine.plan import check_sources

    with session() as con:
        check_sources(con=con, sources=sources, policy=policy, as_of=as_of, case_ids=case_ids)
    table = ENGINES[engine](sources=sources, policy=policy, as_of=as_of, case_ids=case_ids)
    return canonical_sort(table)


def _local_iso(column: pa.ChunkedArray, tz: str) -> pa.ChunkedArray:
    """UTC timestamps → '2022-04-01T10:00:00+08:00' in ``tz`` (vectorised)."""
    local = pc.strftime(column.cast(pa.timestamp("s", tz=tz)), format="%Y-%m-%dT%H:%M:%S%z")
    return pc.replace_substring_regex(local, pattern=r"([+-]\d\d)(\d\d)$",
                                      replacement=r"\1:\2")


def write_contacts(table: pa.Table, path: Path, *, timezone: str = "Asia/Shanghai") -> None:
    """Write contacts as Parquet (``.parquet``) or CSV (timestamps ISO 8601 with the offset
    of ``timezone``), through a temporary file renamed at the end: a failed run leaves
    nothing behind."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path())
    os.close(fd)
    try:
        if path.suffix.lower() == ".parquet":
            pq.write_table(table, tmp)
        else:
            text = table
            for name in ("first_exposure", "last_exposure"):
                idx = text.schema.get_field_index(name)
                text = text.set_column(idx, name, _local_iso(text.column(name), timezone))
            pacsv.write_csv(text, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["ENGINES", "InputError", "detect_contacts", "write_contacts"]
