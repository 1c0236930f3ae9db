"""The contract every contact engine honours: policy, inputs, output schema, canonical order.

The engines (``reference``, ``duckdb``, ``spark``) must return exactly the same rows for the
same inputs; the property tests compare them row for row after ``canonical_sort``. This module
imports neither Django nor any engine, so the command line, the web workflow, the tests and the
benchmarks all share it. The rules are written out in docs/tracing.md ("Contact rules as
implemented"); every number is a field of ``ContactPolicy``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pyarrow as pa


@dataclass(frozen=True, kw_only=True)
class ContactPolicy:
    """Thresholds of design.md's contact rules 1–6 (the defaults are the design's)."""

    infectious_before_days: int = 4  # rule 1: from onset (or sample) date − N days, 00:00 local
    default_stay_minutes: int = 60  # rule 2: a check-in without exit_ts covers this long
    min_overlap_minutes: int = 15  # rule 3/4: shortest shared stay that makes a contact
    secondary: bool = True  # rule 4 on/off (November 2022: secondary contacts no longer traced)
    companion_resolution: int = 8  # rule 5: h3 resolution of the shared cell
    companion_bucket_seconds: int = 300  # rule 5: width of a time bucket
    companion_min_buckets: int = 2  # rule 5: shared buckets that make a companion
    timezone: str = "Asia/Shanghai"  # dates (onset, sample) are calendar dates here

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ContactPolicy:
        """Build from stored/JSON settings; unknown keys are an error, not silently ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown contact policy settings: {', '.join(unknown)}")
        return cls(**raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, kw_only=True)
class Sources:
    """Where the inputs are. Each path is a Parquet file, a folder of Parquet files (e.g.
    ``checkins/day=YYYY-MM-DD.parquet``, pruned by day), or a CSV file with a header."""

    checkins: Path
    cases: Path
    pings: Path | None = None
    households: Path | None = None
    # person_id → when that close contact's quarantine began (rule 4); others use ``as_of``.
    quarantined: dict[int, dt.datetime] = field(default_factory=dict)


CONTACT_TYPES = ("close", "secondary", "companion")
RULES = ("household", "venue", "cell")

OUTPUT_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("contact_type", pa.string()),  # close | secondary | companion
        ("index_case_id", pa.int64()),
        ("via_person_id", pa.int64()),  # the close contact, for secondary; else null
        ("venue_id", pa.int64()),  # rule=venue; else null
        ("cell", pa.string()),  # rule=cell: h3 cell as hex string; else null
        ("first_exposure", pa.timestamp("s", tz="UTC")),
        ("last_exposure", pa.timestamp("s", tz="UTC")),
        ("overlap_minutes", pa.int64()),  # null for rule=household
        ("rule", pa.string()),  # household | venue | cell
    ]
)

SORT_KEYS = [("index_case_id", "ascending"), ("contact_type", "ascending"),
             ("person_id", "ascending")]


def canonical_sort(table: pa.Table) -> pa.Table:
    """Cast to the output schema and sort by (index case, type, person): one row per key."""
    return table.select(OUTPUT_SCHEMA.names).cast(OUTPUT_SCHEMA).sort_by(SORT_KEYS)


def infectious_start(*, onset: dt.date | None, sample: dt.date, policy: ContactPolicy
                     ) -> dt.datetime:
    """Rule 1: 00:00 local on (onset, or sample if asymptomatic) − N days, as UTC."""
    day = (onset or sample) - dt.timedelta(days=policy.infectious_before_days)
    local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=policy.tz)
    return local.astimezone(dt.UTC)


class Engine(Protocol):
    """An engine: read ``sources``, apply ``policy`` as of ``as_of`` (the computation time,
    which closes windows left open: a case not yet isolated, a contact not yet quarantined),
    and return rows in ``OUTPUT_SCHEMA``. ``case_ids`` limits work to those index cases (the
    incremental path); every case in the file still counts as a case (never a contact)."""

    def __call__(
        self,
        *,
        sources: Sources,
        policy: ContactPolicy,
        as_of: dt.datetime,
        case_ids: frozenset[int] | None = None,
    ) -> pa.Table: ...
