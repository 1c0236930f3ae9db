"""The Spark engine's readers: the contract files as DataFrames with integer epoch seconds.

Every instant becomes a ``long`` of UTC epoch seconds, whatever the file held (Parquet
``timestamp(tz=UTC)``, Parquet epoch integers, or CSV text with an offset), and no step depends
on the session time zone, so a cluster user's session gives the same rows. Input errors found
while Spark runs are raised with ``raise_error`` and turned into ``ValueError`` by the caller.
A folder of Parquet files is pruned from the footers' statistics before Spark opens it: only
the files (days) whose rows can reach the requested span are read.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql import types as st

from fangkong.tracing.engine.base import ContactPolicy

OFFSET = r"(Z|[+-]\d{2}(:?\d{2})?)$"  # an ISO 8601 timestamp must end with one
NO_SECONDS = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})(\s?(?:Z|[+-]\d{2}(?::?\d{2})?))$"  # 10:00+08
ERROR_PREFIX = "fangkong input error: "


@dataclass(frozen=True, kw_only=True)
class Span:
    """Inclusive bounds a row must reach to matter: it starts at or before ``latest_start``
    and ends at or after ``earliest_end`` (epoch seconds)."""

    earliest_end: int
    latest_start: int


def epoch_seconds(value: dt.datetime) -> int:
    """A tz-aware instant as whole epoch seconds (floor, as the other engines)."""
    return int(value.timestamp() // 1)


def input_error(message: str) -> Column:
    return sf.raise_error(sf.lit(ERROR_PREFIX + message))


def is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def read_frame(*, spark: SparkSession, path: Path, files: list[Path] | None = None
               ) -> DataFrame:
    """CSV with a header (every column text), or Parquet files/folder."""
    if is_csv(path):  # the header read here, so that Spark needs no job to learn it
        with path.open(encoding="utf-8-sig", newline="") as lines:
            names = next(csv.reader(lines), [])
        schema = st.StructType([st.StructField(name, st.StringType()) for name in names])
        return spark.read.option("header", True).schema(schema).csv(str(path))
    return spark.read.parquet(*(str(f) for f in (files if files is not None else [path])))


def epoch_column(*, frame: DataFrame, name: str) -> Column:
    """Column ``name`` as epoch seconds: timestamps, integers, or ISO text with an offset."""
    dtype = frame.schema[name].dataType
    col = sf.col(name)
    if isinstance(dtype, st.StringType):
        text = sf.regexp_replace(sf.nullif(sf.trim(col), sf.lit("")), NO_SECONDS, "$1:00$2")
        parsed = sf.unix_seconds(text.try_cast("timestamp"))
        return (sf.when(text.isNull(), sf.lit(None).cast("long"))
                .when(~text.rlike(OFFSET), input_error(f"{name} has no UTC offset"))
                .when(parsed.isNull(), input_error(f"{name} is not an ISO 8601 timestamp"))
                .otherwise(parsed))
    if isinstance(dtype, st.TimestampNTZType):  # read as UTC wall time, not session time
        return sf.unix_seconds(sf.concat(col.cast("string"), sf.lit("Z")).cast("timestamp"))
    if isinstance(dtype, st.TimestampType):
        return sf.unix_seconds(col)
    return col.cast("long")


def date_column(*, frame: DataFrame, name: str) -> Column:
    col = sf.col(name)
    if isinstance(frame.schema[name].dataType, st.StringType):
        col = sf.nullif(sf.trim(col), sf.lit(""))
    return col.cast("date")


def read_cases(*, spark: SparkSession, path: Path, policy: ContactPolicy, as_of: dt.datetime
               ) -> DataFrame:
    """Cases with their rule-1 window ``[w0, w1)`` (distinct: duplicate rows change nothing)."""
    raw = read_frame(spark=spark, path=path)
    day = sf.date_sub(sf.coalesce(date_column(frame=raw, name="onset_date"),
                                date_column(frame=raw, name="sample_date")),
                     policy.infectious_before_days)
    # midnight of ``day`` as a UTC wall time, then read as wall time in the policy's zone
    midnight = sf.to_utc_timestamp(sf.timestamp_seconds(sf.unix_date(day) * 86400),
                                  policy.timezone)
    isolated = epoch_column(frame=raw, name="isolated_at")
    return raw.select(
        sf.col("case_id").cast("long").alias("case_id"),
        sf.col("person_id").cast("long").alias("person_id"),
        sf.unix_seconds(midnight).alias("w0"),
        sf.coalesce(isolated, sf.lit(epoch_seconds(as_of))).alias("w1"),
    ).distinct()


def read_stays(*, spark: SparkSession, path: Path, policy: ContactPolicy, span: Span
               ) -> DataFrame | None:
    """Rule 2 stays ``[start, end)`` that can reach ``span``; None when no file can."""
    files = None if is_csv(path) else prune(path=path, span=span, exit_column="exit_ts",
                                            tail=policy.default_stay_minutes * 60)
    if files == []:
        return None
    raw = read_frame(spark=spark, path=path, files=files)
    start = epoch_column(frame=raw, name="ts")
    exit_ = epoch_column(frame=raw, name="exit_ts")
    end = (sf.when(exit_ < start, input_error("a check-in has exit_ts before ts"))
           .otherwise(sf.coalesce(exit_, start + policy.default_stay_minutes * 60)))
    stays = raw.select(sf.col("person_id").cast("long").alias("person_id"),
                       sf.col("venue_id").cast("long").alias("venue_id"),
                       start.alias("start"), end.alias("end"))
    return stays.where((sf.col("start") <= span.latest_start)
                       & (sf.col("end") >= span.earliest_end))


def read_pings(*, spark: SparkSession, path: Path, span: Span) -> DataFrame | None:
    """Pings (epoch ``ts``, lat, lon) with ``ts`` inside ``span``; None when no file can."""
    files = None if is_csv(path) else prune(path=path, span=span, exit_column=None, tail=0)
    if files == []:
        return None
    raw = read_frame(spark=spark, path=path, files=files)
    pings = raw.select(sf.col("person_id").cast("long").alias("person_id"),
                       epoch_column(frame=raw, name="ts").alias("ts"),
                       sf.col("lat").cast("double").alias("lat"),
                       sf.col("lon").cast("double").alias("lon"))
    return pings.where(sf.col("ts").between(span.earliest_end, span.latest_start))


def read_households(*, spark: SparkSession, path: Path) -> DataFrame:
    """person_id → household_id, one per person (a second household is an input error)."""
    raw = read_frame(spark=spark, path=path)
    grouped = raw.groupBy(sf.col("person_id").cast("long").alias("person_id")).agg(
        sf.min("household_id").alias("lowest"), sf.max("household_id").alias("highest"))
    household = (sf.when(sf.col("lowest") != sf.col("highest"),
                        input_error("a person is listed in two households"))
                 .otherwise(sf.col("lowest")))
    return grouped.select("person_id", household.alias("household_id"))


def quarantine_frame(*, spark: SparkSession, quarantined: dict[int, dt.datetime]
                     ) -> DataFrame:
    rows = [(int(pid), epoch_seconds(when)) for pid, when in sorted(quarantined.items())]
    return spark.createDataFrame(rows, "person_id long, quarantine long")


def prune(*, path: Path, span: Span, exit_column: str | None, tail: int) -> list[Path]:
    """The Parquet files under ``path`` whose rows can reach ``span``.

    A row lasts ``[ts, exit)`` or ``[ts, ts + tail)``; a file is kept unless its footer proves
    every row starts after ``span.latest_start`` or ends before ``span.earliest_end``."""
    files = sorted(p for p in path.rglob("*.parquet") if p.is_file()) if path.is_dir() else [path]
    kept = []
    for file in files:
        meta = pq.ParquetFile(file).metadata
        if meta.num_rows == 0:
            continue
        bounds = footer_bounds(meta=meta, exit_column=exit_column, tail=tail)
        if bounds is None or (bounds[0] <= span.latest_start and bounds[1] >= span.earliest_end):
            kept.append(file)
    return kept


def footer_bounds(*, meta: pq.FileMetaData, exit_column: str | None, tail: int
                  ) -> tuple[int, int] | None:
    """(earliest ts, latest end) of a Parquet file from its statistics; None when unknown."""
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    starts = column_range(meta=meta, index=names.index("ts")) if "ts" in names else None
    if starts is None or starts[1] is None:
        return None
    latest_end = starts[1] + tail
    if exit_column is not None and exit_column in names:
        exits = column_range(meta=meta, index=names.index(exit_column))
        if exits is None:
            return None
        if exits[1] is not None:
            latest_end = max(latest_end, exits[1])
    return starts[0], latest_end


def column_range(*, meta: pq.FileMetaData, index: int) -> tuple[int, int | None] | None:
    """(min, max) of one column over all row groups in epoch seconds; max is None when the
    column is null throughout. None when a row group's statistics are missing or unreadable."""
    lows: list[int] = []
    highs: list[int] = []
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(index).statistics
        if stats is None:
            return None
        if not stats.has_min_max:
            if stats.null_count == meta.row_group(group).num_rows:
                continue
            return None
        low, high = stat_seconds(stats.min), stat_seconds(stats.max)
        if low is None or high is None:
            return None
        lows.append(low)
        highs.append(high)
    return (min(lows), max(highs)) if highs else (0, None)


def stat_seconds(value: object) -> int | None:
    """A footer statistic (datetime, naive = UTC; or integer epoch seconds) as epoch
    seconds; None for any other kind of value."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return epoch_seconds(aware)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None
