"""Contact rules 3–6 as DataFrame operations (docs/tracing.md, "Contact rules as implemented").

Rules 3 and 4 are one computation with different anchors. An *anchor* row is
``(index_case_id, via_person_id, anchor, start, end)``: the person whose contacts are sought
(the case for rule 3, a close contact for rule 4) and the window ``[start, end)``. Every
output frame has the columns of ``OUTPUT_COLUMNS`` with instants as epoch seconds.
"""

from __future__ import annotations

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from fangkong.tracing.engine.base import OUTPUT_SCHEMA, ContactPolicy
from fangkong.tracing.engine.spark_inputs import input_error

OUTPUT_COLUMNS = OUTPUT_SCHEMA.names
# OUTPUT_SCHEMA with instants as epoch seconds: what every query returns
ROW_SCHEMA = pa.schema([pa.field(f.name, pa.int64()) if pa.types.is_timestamp(f.type) else f
                        for f in OUTPUT_SCHEMA])
KEYS = ["index_case_id", "via_person_id", "person_id"]
SLOT_SECONDS = 3600  # venue pairs are joined within hour slots
VENUE_BITS = 32  # a venue id's share of the packed (overlap start, venue) key


def output(frame: DataFrame, *, contact_type: str, rule: str) -> DataFrame:
    """The frame's columns in OUTPUT_SCHEMA order, those a rule leaves empty as nulls."""
    fixed = {"contact_type": sf.lit(contact_type), "rule": sf.lit(rule)}
    have = set(frame.columns)
    return frame.select(*[
        fixed[name].alias(name) if name in fixed
        else sf.col(name) if name in have
        else sf.lit(None).cast("string" if name == "cell" else "long").alias(name)
        for name in OUTPUT_COLUMNS])


def household_rows(*, anchors: DataFrame, households: DataFrame) -> DataFrame:
    """Everyone else in the anchor's household, exposed over the whole anchor window."""
    homes = anchors.join(households.withColumnRenamed("person_id", "anchor"), "anchor")
    return homes.join(households, "household_id").where(sf.col("person_id") != sf.col("anchor")) \
        .select(*KEYS, sf.col("start").alias("first_exposure"),
                sf.col("end").alias("last_exposure"))


def slots(start: str, end: str, *, low: Column | int, high: Column | int) -> Column:
    """The hour slots that ``[start, end]`` covers inside ``[low, high]``, one row each.

    Two stays overlapping inside a window both cover the slot where the overlap begins, so
    a join on (venue, slot) finds every pair an hour apart at most, not every pair at the
    venue in the whole span; the pair is kept in that slot only."""
    first = sf.floor(sf.greatest(sf.col(start), sf.lit(low)) / SLOT_SECONDS)
    last = sf.floor(sf.least(sf.col(end), sf.lit(high)) / SLOT_SECONDS)
    return sf.explode(sf.sequence(first, sf.greatest(first, last)))


def venue_rows(*, anchors: DataFrame, stays: DataFrame, min_overlap_minutes: int,
               span: tuple[int, int]) -> DataFrame:
    """Persons whose stay overlaps one of the anchor's stays by ``min_overlap_minutes`` inside
    the anchor window (within ``span``); one row per (index case, via, person)."""
    own = anchors.where(sf.col("start") < sf.col("end")).join(
        stays.select(sf.col("person_id").alias("anchor"), "venue_id",
                     sf.col("start").alias("a_start"), sf.col("end").alias("a_end")), "anchor")
    own = own.withColumn("slot", slots("a_start", "a_end", low=sf.col("start"),
                                       high=sf.col("end")))
    others = stays.select("person_id", "venue_id", sf.col("start").alias("b_start"),
                          sf.col("end").alias("b_end"),
                          slots("start", "end", low=span[0], high=span[1]).alias("slot"))
    pairs = own.join(others, ["venue_id", "slot"]).where(sf.col("person_id") != sf.col("anchor"))
    pairs = pairs.select(*KEYS, "venue_id", "slot",
                         sf.greatest("a_start", "b_start", "start").alias("o_start"),
                         sf.least("a_end", "b_end", "end").alias("o_end"))
    pairs = pairs.where((sf.col("o_end") - sf.col("o_start") >= min_overlap_minutes * 60)
                        & (sf.col("slot") == sf.floor(sf.col("o_start") / SLOT_SECONDS)))
    grouped = pairs.groupBy(*KEYS).agg(
        sf.min(earliest_key(base=span[0])).alias("earliest"),
        sf.max("o_end").alias("last_exposure"),
        sf.max(sf.col("o_end") - sf.col("o_start")).alias("longest"))
    return grouped.select(
        *KEYS, (sf.shiftright("earliest", VENUE_BITS) + span[0]).alias("first_exposure"),
        "last_exposure", sf.floor(sf.col("longest") / 60).cast("long").alias("overlap_minutes"),
        sf.col("earliest").bitwiseAND(2**VENUE_BITS - 1).alias("venue_id"))


def earliest_key(*, base: int) -> Column:
    """(overlap start − ``base``, venue) packed in one long that orders as the pair does, so
    the earliest overlap and its venue (the smallest on a tie) come from a plain ``min``,
    which Spark aggregates by hash (a struct's min sorts every pair). Exact for venue ids
    below 2**32 and spans under 68 years."""
    venue = sf.col("venue_id")
    return (sf.when((venue < 0) | (venue >= 2**VENUE_BITS),
                    input_error(f"venue_id outside 0..2**{VENUE_BITS}-1"))
            .otherwise(sf.shiftleft(sf.col("o_start") - base, VENUE_BITS) + venue))


def close_contacts(*, index: DataFrame, stays: DataFrame | None,
                   households: DataFrame | None, cases: DataFrame, policy: ContactPolicy,
                   span: tuple[int, int]) -> DataFrame | None:
    """Rule 3 with rule 6: household and venue contacts of each index case, never a case;
    one row per (case, person), household first."""
    anchors = index.select(sf.col("case_id").alias("index_case_id"),
                           sf.lit(None).cast("long").alias("via_person_id"),
                           sf.col("person_id").alias("anchor"), sf.col("w0").alias("start"),
                           sf.col("w1").alias("end"))
    found = []
    if households is not None:  # listed even for an empty window, then last = first
        clamped = anchors.withColumn("end", sf.greatest("start", "end"))
        home = household_rows(anchors=clamped, households=households)
        found.append(output(home, contact_type="close", rule="household"))
    if stays is not None:
        venue = venue_rows(anchors=anchors, stays=stays, span=span,
                           min_overlap_minutes=policy.min_overlap_minutes)
        found.append(output(venue, contact_type="close", rule="venue"))
    candidates = union(found)
    if candidates is None:
        return None
    return best_row(not_cases(candidates, cases=cases), order=["rank"])


def secondary_contacts(*, close: DataFrame, stays: DataFrame | None,
                       households: DataFrame | None, cases: DataFrame,
                       quarantine: DataFrame, as_of: int, policy: ContactPolicy,
                       span: tuple[int, int]) -> DataFrame | None:
    """Rule 4: contacts of each close contact C in ``[first exposure of C, C's quarantine)``;
    per (person, case) the candidate with the earliest exposure wins."""
    anchors = close.join(quarantine, "person_id", "left").select(
        "index_case_id", sf.col("person_id").alias("via_person_id"),
        sf.col("person_id").alias("anchor"), sf.col("first_exposure").alias("start"),
        sf.coalesce("quarantine", sf.lit(as_of)).alias("end"))
    found = []
    if households is not None:
        home = household_rows(anchors=anchors.where(sf.col("start") < sf.col("end")),
                              households=households)
        found.append(output(home, contact_type="secondary", rule="household"))
    if stays is not None:
        venue = venue_rows(anchors=anchors, stays=stays, span=span,
                           min_overlap_minutes=policy.min_overlap_minutes)
        found.append(output(venue, contact_type="secondary", rule="venue"))
    candidates = union(found)
    if candidates is None:
        return None
    candidates = not_close(not_cases(candidates, cases=cases), close=close)
    return best_row(candidates, order=["first_exposure", "rank", "via_person_id", "venue_id"])


def best_row(candidates: DataFrame, *, order: list[str]) -> DataFrame:
    """One row per (index case, person): the least by ``order``, where ``rank`` puts a
    household candidate before a venue one."""
    ranked = candidates.withColumn("rank", sf.when(sf.col("rule") == "household", 0)
                                   .otherwise(1))
    pair = ["index_case_id", "person_id"]
    rest = [c for c in OUTPUT_COLUMNS if c not in {*order, *pair}]
    best = ranked.groupBy(*pair).agg(sf.min(sf.struct(*order, *rest)).alias("best"))
    return best.select(*pair, "best.*").select(*OUTPUT_COLUMNS)


def union(frames: list[DataFrame]) -> DataFrame | None:
    if not frames:
        return None
    first, *rest = frames
    for frame in rest:
        first = first.unionByName(frame)
    return first


def not_cases(frame: DataFrame, *, cases: DataFrame) -> DataFrame:
    """Rule 6: no case is ever a contact."""
    return frame.join(cases.select("person_id"), "person_id", "left_anti")


def not_close(frame: DataFrame, *, close: DataFrame) -> DataFrame:
    """Rule 6: a close contact of K is neither secondary nor companion of K."""
    return frame.join(close.select("index_case_id", "person_id"),
                      ["index_case_id", "person_id"], "left_anti")
