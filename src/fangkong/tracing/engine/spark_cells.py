"""Rule 5 (companions) on Spark: shared h3 cells in shared time buckets.

No H3 jar is needed: the cell comes from the ``h3`` Python package in a vectorised Arrow UDF,
and only for pings that can matter. A ping is a candidate when it falls in a bucket where an
index case has a counted ping *and* in a latitude band next to that ping's band; a band is
wider than any cell at the resolution, so two pings in one cell are always in the same or
adjacent bands. The UDF's work therefore grows with the cases' pings, not with the city.
"""

from __future__ import annotations

import h3
import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from fangkong.tracing.engine.base import ContactPolicy
from fangkong.tracing.engine.spark_rules import not_close, output

KM_PER_DEGREE_LATITUDE = 110.574  # the shortest degree (at the equator)


def band_degrees(*, resolution: int) -> float:
    """Latitude band width: four average edges, about twice the widest cell's diameter."""
    return 4 * h3.average_hexagon_edge_length(resolution, unit="km") / KM_PER_DEGREE_LATITUDE


def cell_udf(*, resolution: int):  # type: ignore[no-untyped-def]  # a Spark UDF object
    """An Arrow UDF (lat, lon) → h3 cell hex string at ``resolution``."""

    def cells(lat: pa.Array, lon: pa.Array) -> pa.Array:
        return pa.array([h3.latlng_to_cell(a, b, resolution)
                         for a, b in zip(lat.to_pylist(), lon.to_pylist(), strict=True)],
                        pa.string())

    return sf.arrow_udf(cells, "string")  # type: ignore[call-overload]


def bucketed(pings: DataFrame, *, policy: ContactPolicy) -> DataFrame:
    """Add the ping's time bucket (floor division, in integers) and latitude band."""
    width = policy.companion_bucket_seconds
    band = sf.floor(sf.col("lat") / band_degrees(resolution=policy.companion_resolution))
    return pings.withColumn("bucket", sf.expr(f"(ts - pmod(ts, {width})) div {width}")) \
        .withColumn("band", band)


def companions(*, index: DataFrame, pings: DataFrame, cases: DataFrame,
               close: DataFrame | None, policy: ContactPolicy) -> DataFrame | None:
    """Rule 5 with rule 6: persons sharing ``companion_min_buckets`` buckets with a case;
    None when the cases have no ping in their windows (the city's pings are not read)."""
    cell: Column = cell_udf(resolution=policy.companion_resolution)("lat", "lon")
    pings = bucketed(pings, policy=policy)
    own = index.join(pings, "person_id").where(
        (sf.col("ts") >= sf.col("w0")) & (sf.col("ts") < sf.col("w1")))
    own = own.select(sf.col("case_id").alias("index_case_id"),
                     sf.col("person_id").alias("anchor"), "bucket", "band", cell.alias("cell"),
                     ).distinct().localCheckpoint()  # used twice: compute the cells once
    if own.isEmpty():
        return None
    near = own.select("bucket", sf.explode(sf.array(
        sf.col("band") - 1, sf.col("band"), sf.col("band") + 1)).alias("band")).distinct()
    others = pings.join(near, ["bucket", "band"], "left_semi") \
        .join(cases.select("person_id"), "person_id", "left_anti") \
        .select("person_id", "bucket", cell.alias("cell"))
    shared = own.drop("band").join(others, ["bucket", "cell"]) \
        .where(sf.col("person_id") != sf.col("anchor"))
    return shared_buckets(shared, policy=policy, close=close)


def shared_buckets(shared: DataFrame, *, policy: ContactPolicy, close: DataFrame | None
                   ) -> DataFrame:
    """(index case, person, bucket, cell) → one companion row when enough buckets are shared."""
    width = policy.companion_bucket_seconds
    grouped = shared.groupBy("index_case_id", "person_id").agg(
        sf.countDistinct("bucket").alias("buckets"),
        sf.min(sf.struct("bucket", "cell")).alias("first"),
        sf.max("bucket").alias("last"))
    found = grouped.where(sf.col("buckets") >= policy.companion_min_buckets).select(
        "index_case_id", "person_id", "first.cell",
        (sf.col("first.bucket") * width).alias("first_exposure"),
        ((sf.col("last") + 1) * width).alias("last_exposure"),
        sf.floor(sf.col("buckets") * width / 60).cast("long").alias("overlap_minutes"))
    if close is not None:
        found = not_close(found, close=close)
    return output(found, contact_type="companion", rule="cell")
