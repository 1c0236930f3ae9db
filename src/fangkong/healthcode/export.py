"""Live check-ins → the contact engine's ``checkins`` files (design.md "Contracts").

One local day's check-ins are written as ``checkins/live-day=YYYY-MM-DD.parquet`` beside the
synthetic movement's ``day=YYYY-MM-DD.parquet``, with the contract's columns
``person_id, venue_id, ts, exit_ts, source`` (timestamps ``timestamp[s, UTC]``, as the synth
writes them), sorted by person then time so row-group statistics prune by person.

Why that name: ``tracing.movement.DAY_FILE`` finds ``day=YYYY-MM-DD.parquet`` anywhere in a
name, so a case's page reads a live file only for the days of its window, exactly like the
synthetic ones; the engine (``tracing.engine.partitions``) takes a file whose name does not
start with ``day=`` as undated and always reads it, which is correct, only not pruned. The
synthetic file is never rewritten: a live row that the day file already holds (same person,
venue and second) is left out, and a re-export replaces the live file whole, so no row is
ever written twice. The file is written to a temporary name and renamed, so a reader sees the
old file or the new one, never half of one.

``export_changed_days`` is the job: it re-exports each day of the accepted window whose
check-ins arrived after its file was written (late uploads from phones that were offline)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from fangkong.core import clock
from fangkong.healthcode.checkins import MAX_AGE
from fangkong.healthcode.models import Checkin

LIVE_PREFIX = "live-"
ROW_GROUP = 100_000
RECEIVED_KEY = b"fangkong.received_until"  # the latest received_at the file includes
TS = pa.timestamp("s", tz="UTC")
SCHEMA = pa.schema([("person_id", pa.int64()), ("venue_id", pa.int64()), ("ts", TS),
                    ("exit_ts", TS), ("source", pa.string())])


@dataclass(frozen=True)
class Exported:
    day: dt.date
    path: Path
    rows: int
    skipped: int  # rows the synthetic day file already holds


def live_file(folder: Path, day: dt.date) -> Path:
    return folder / "checkins" / f"{LIVE_PREFIX}day={day.isoformat()}.parquet"


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)


def _epoch(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def day_table(day: dt.date) -> pa.Table:
    """The day's check-ins (their ``ts`` on that local day) as a contract table."""
    start, end = _day_bounds(day)
    rows = list(Checkin.objects.filter(ts__gte=start, ts__lt=end)
                .order_by("person_id", "ts", "venue_id")
                .values_list("person_id", "venue_id", "ts", "exit_ts", "source",
                             "received_at"))
    latest = max((r[5] for r in rows), default=None)
    meta = {RECEIVED_KEY: latest.isoformat()} if latest else {}
    return pa.table({
        "person_id": pa.array([r[0] for r in rows], pa.int64()),
        "venue_id": pa.array([r[1] for r in rows], pa.int64()),
        "ts": pa.array([_epoch(r[2]) for r in rows], pa.int64()).cast(TS),
        "exit_ts": pa.array([_epoch(r[3]) for r in rows], pa.int64()).cast(TS),
        "source": pa.array([r[4] for r in rows], pa.string()),
    }, schema=SCHEMA.with_metadata(meta))


def _without_synthetic(table: pa.Table, synthetic: Path) -> pa.Table:
    """Drop rows the synthetic day file already holds (person, venue, second)."""
    if not synthetic.exists() or table.num_rows == 0:
        return table
    con = duckdb.connect()
    con.register("live", table)
    kept = con.sql(
        """
        SELECT * FROM live l WHERE NOT EXISTS (
            SELECT 1 FROM read_parquet(?) s
            WHERE s.person_id = l.person_id AND s.venue_id = l.venue_id
              AND epoch(s.ts) = epoch(l.ts))
        ORDER BY person_id, ts, venue_id
        """, params=[str(synthetic)]).to_arrow_table()
    return kept.cast(table.schema)


def export_checkins(*, day: dt.date, folder: Path | None = None) -> Exported:
    """Write (or replace) one day's live file; a day without check-ins has none."""
    root = Path(folder) if folder is not None else Path(settings.MOVEMENT_DIR)
    path = live_file(root, day)
    table = day_table(day)
    kept = _without_synthetic(table, path.parent / f"day={day.isoformat()}.parquet")
    if table.num_rows == 0:
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")  # not *.parquet: no reader opens it
        pq.write_table(kept, partial, row_group_size=ROW_GROUP)
        os.replace(partial, path)
    return Exported(day=day, path=path, rows=kept.num_rows,
                    skipped=table.num_rows - kept.num_rows)


def _received_until(path: Path) -> dt.datetime | None:
    if not path.exists():
        return None
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(RECEIVED_KEY)
    return dt.datetime.fromisoformat(raw.decode()) if raw else None


def _stale(day: dt.date, path: Path) -> bool:
    """Whether check-ins of ``day`` arrived after those its live file holds (the file's
    footer records the latest arrival it includes; no file: any check-in of the day)."""
    start, end = _day_bounds(day)
    rows = Checkin.objects.filter(ts__gte=start, ts__lt=end)
    until = _received_until(path)
    return (rows.filter(received_at__gt=until) if until else rows).exists()


def export_changed_days(*, folder: Path | None = None,
                        now: dt.datetime | None = None) -> list[Exported]:
    """The job (every few minutes): re-export each day of the accepted window that got new
    check-ins since its file was written; a few indexed queries when nothing changed."""
    root = Path(folder) if folder is not None else Path(settings.MOVEMENT_DIR)
    today = (now or clock.now()).astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    days = [today - dt.timedelta(days=n) for n in range(MAX_AGE.days + 1)]
    return [export_checkins(day=d, folder=root) for d in reversed(days)
            if _stale(d, live_file(root, d))]
