"""The Spark engine: the contact rules on PySpark, for a city that outgrows one machine.

Same contract and rows as the reference engine (base.py, docs/tracing.md). Four queries, each
result small and collected as Arrow: the cases with their windows (their span bounds what is
read), the close contacts, then the secondary contacts and the companions side by side, both
fed the close contacts as a local table rather than recomputing them. Check-ins and pings are
read only from the Parquet files whose footers show rows in that span, so asking for a few
cases (``case_ids``) reads a few days, not the city's history; the joins, windows and
tie-breaks run as DataFrame operations on integer epoch seconds (spark_rules, spark_cells).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession

from fangkong.tracing.engine.base import OUTPUT_SCHEMA, ContactPolicy, Sources, canonical_sort
from fangkong.tracing.engine.spark_cells import companions
from fangkong.tracing.engine.spark_inputs import (
    ERROR_PREFIX,
    Span,
    epoch_seconds,
    quarantine_frame,
    read_cases,
    read_households,
    read_pings,
    read_stays,
)
from fangkong.tracing.engine.spark_rules import ROW_SCHEMA, close_contacts, secondary_contacts


def get_session() -> SparkSession:
    """The active session, or a new one on ``FANGKONG_SPARK_MASTER`` (default ``local[*]``, all
    cores here; ``spark://host:7077``, ``yarn`` or ``k8s://...`` for a cluster, whose executors
    need this Python with h3 at the same path, docs/deployment.md), driver memory from
    ``FANGKONG_SPARK_DRIVER_MEMORY`` (default 4g). Other settings come from the cluster's
    spark-defaults.conf."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need h3: this Python
    session = (
        SparkSession.builder.master(os.environ.get("FANGKONG_SPARK_MASTER") or "local[*]")
        .appName("fangkong-tracing")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("FANGKONG_SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def detect(*, sources: Sources, policy: ContactPolicy, as_of: dt.datetime,
           case_ids: frozenset[int] | None = None, spark: SparkSession | None = None
           ) -> pa.Table:
    """Contacts of the cases (or of ``case_ids``) as of ``as_of``, in OUTPUT_SCHEMA.

    Input errors met on the rows it reads (a CSV timestamp without offset, an exit before its
    entry, one person in two households or two cases, a venue id beyond 32 bits) raise
    ValueError; ``detect_contacts`` checks the whole files before any engine runs."""
    session = spark or get_session()
    try:
        return run(spark=session, sources=sources, policy=policy, as_of=as_of,
                   case_ids=case_ids)
    except (PySparkException, Py4JJavaError) as error:  # Py4J: raised in a broadcast
        found = re.search(re.escape(ERROR_PREFIX) + r"(.*?)(?: SQLSTATE|$)", str(error),
                          flags=re.MULTILINE)
        if found is None:
            raise
        raise ValueError(found.group(1)) from error


def run(*, spark: SparkSession, sources: Sources, policy: ContactPolicy, as_of: dt.datetime,
        case_ids: frozenset[int] | None) -> pa.Table:
    """Cases on the driver, then one query per contact type; each query's small result
    (close contacts above all) feeds the next as a local table instead of being recomputed."""
    cases = collect_cases(spark=spark, sources=sources, policy=policy, as_of=as_of)
    index = cases if case_ids is None else cases.filter(
        pc.is_in(cases["case_id"], pa.array(sorted(case_ids), pa.int64())))
    if index.num_rows == 0:
        return OUTPUT_SCHEMA.empty_table()
    frames = open_frames(spark=spark, sources=sources, policy=policy, as_of=as_of,
                         cases=cases, index=index)
    close = collect(close_contacts(index=frames.index, stays=frames.stays,
                                   households=frames.households, cases=frames.cases,
                                   policy=policy, span=frames.reach))
    later: list[DataFrame | None] = []
    spreading = with_window(close=close, index=index)
    if policy.secondary and spreading.num_rows:
        later.append(secondary_contacts(
            close=local(spark=spark, table=spreading), stays=frames.stays,
            households=frames.households, cases=frames.cases, policy=policy,
            quarantine=quarantine_frame(spark=spark, quarantined=sources.quarantined),
            as_of=epoch_seconds(as_of), span=frames.reach))
    if frames.pings is not None:
        later.append(companions(index=frames.index, pings=frames.pings, cases=frames.cases,
                                policy=policy, close=local(spark=spark, table=close)))
    with ThreadPoolExecutor(max_workers=2) as pool:  # independent queries: run side by side
        found = [close, *pool.map(collect, later)]
    return as_output(pa.concat_tables(found))


@dataclass(frozen=True, kw_only=True)
class Frames:
    """The inputs as Spark frames; check-ins and pings cut to what the selected cases reach."""

    reach: tuple[int, int]  # the span venue overlaps can fall in
    cases: DataFrame  # every case (none is ever a contact), with its window
    index: DataFrame  # the selected cases
    households: DataFrame | None
    stays: DataFrame | None
    pings: DataFrame | None


def open_frames(*, spark: SparkSession, sources: Sources, policy: ContactPolicy,
                as_of: dt.datetime, cases: pa.Table, index: pa.Table) -> Frames:
    bounds = (pc.min(index["w0"]).as_py(), pc.max(index["w1"]).as_py())
    within = reach(bounds=bounds, sources=sources, policy=policy, as_of=as_of)
    return Frames(
        reach=within, cases=local(spark=spark, table=cases), index=local(spark=spark, table=index),
        households=None if sources.households is None else read_households(
            spark=spark, path=sources.households),
        stays=read_stays(spark=spark, path=sources.checkins, policy=policy,
                         span=stay_span(within=within, policy=policy)),
        pings=None if sources.pings is None else read_pings(
            spark=spark, path=sources.pings, span=ping_span(bounds=bounds, policy=policy)))


def collect_cases(*, spark: SparkSession, sources: Sources, policy: ContactPolicy,
                  as_of: dt.datetime) -> pa.Table:
    """Every case with its window (case_id, person_id, w0, w1) on the driver: a case file is
    small next to the movement data, and its span bounds what is read. Raises ValueError when
    two cases share a person."""
    cases = read_cases(spark=spark, path=sources.cases, policy=policy, as_of=as_of).toArrow()
    if pc.count_distinct(cases["person_id"]).as_py() != cases.num_rows:
        raise ValueError("two cases share a person_id (one person, one case)")
    return cases


def reach(*, bounds: tuple[int, int], sources: Sources, policy: ContactPolicy,
          as_of: dt.datetime) -> tuple[int, int]:
    """The instants a venue overlap can fall in: the cases' windows (rule 3) and, with rule 4,
    the close contacts' windows, which end at the latest known quarantine or ``as_of``."""
    start, end = bounds
    if policy.secondary:
        ends = [epoch_seconds(as_of), *map(epoch_seconds, sources.quarantined.values())]
        end = max(end, *ends)
    return start, end


def stay_span(*, within: tuple[int, int], policy: ContactPolicy) -> Span:
    """Stays that can share ``min_overlap_minutes`` with another inside ``within``."""
    least = policy.min_overlap_minutes * 60
    return Span(earliest_end=within[0] + least, latest_start=within[1] - least)


def ping_span(*, bounds: tuple[int, int], policy: ContactPolicy) -> Span:
    """Pings in any bucket that holds a counted case ping (rule 5)."""
    width = policy.companion_bucket_seconds
    start, end = bounds
    return Span(earliest_end=start // width * width,
                latest_start=((end - 1) // width + 1) * width - 1)


def with_window(*, close: pa.Table, index: pa.Table) -> pa.Table:
    """Close contacts of the cases that have a window: a case without one (W1 <= W0) has
    household contacts only, no secondary ones through them."""
    live = index.filter(pc.less(index["w0"], index["w1"]))["case_id"]
    return close.filter(pc.is_in(close["index_case_id"], value_set=live.combine_chunks()))


def local(*, spark: SparkSession, table: pa.Table) -> DataFrame:
    """A driver table as a local relation, which Spark broadcasts to joins without a job."""
    return spark.createDataFrame(table)


def collect(found: DataFrame | None) -> pa.Table:
    """A query's rows on the driver, instants still epoch seconds (``ROW_SCHEMA``)."""
    if found is None:
        return ROW_SCHEMA.empty_table()
    return found.toArrow().select(ROW_SCHEMA.names).cast(ROW_SCHEMA)


def as_output(rows: pa.Table) -> pa.Table:
    """Rows in OUTPUT_SCHEMA and canonical order (epoch seconds become timestamps)."""
    columns = [rows.column(field.name).cast(field.type) for field in OUTPUT_SCHEMA]
    return canonical_sort(pa.Table.from_arrays(columns, schema=OUTPUT_SCHEMA))
