"""One person's check-ins and pings, read from the movement folder with DuckDB.

The folder (``settings.MOVEMENT_DIR``) has the synth layout: ``checkins/`` and ``pings/`` of
``day=YYYY-MM-DD.parquet`` files (local days) and ``households.parquet``. Only the day files
that can hold the window are opened, and Parquet row-group statistics on ``person_id`` let
DuckDB skip most of each file, so a case's fortnight costs milliseconds, not a scan.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from django.conf import settings

DAY_FILE = re.compile(r"day=(\d{4}-\d{2}-\d{2})\.parquet$")


def movement_dir() -> Path:
    return Path(settings.MOVEMENT_DIR)


def day_files(folder: Path, *, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Files of ``folder`` that may hold rows in ``[start, end)``: day files from the day
    before ``start`` (stays that began the evening before) to ``end``'s day; any other
    Parquet file is always read."""
    if not folder.is_dir():
        return []
    zone = ZoneInfo(settings.TIME_ZONE)
    first = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date()
    picked = []
    for path in sorted(folder.glob("*.parquet")):
        match = DAY_FILE.search(path.name)
        if match is None or first <= dt.date.fromisoformat(match.group(1)) <= last:
            picked.append(str(path))
    return picked


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def checkins_of(*, person_id: int, start: dt.datetime, end: dt.datetime,
                default_stay_minutes: int) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """(venue_id, from, until) of the person's stays overlapping ``[start, end)``; a check-in
    without exit covers ``default_stay_minutes`` (contact rule 2)."""
    files = day_files(movement_dir() / "checkins", start=start, end=end)
    if not files:
        return []
    rows = duckdb.connect().execute(
        """
        SELECT venue_id, t0, t1 FROM (
            SELECT venue_id, epoch(ts) AS t0,
                   coalesce(epoch(exit_ts), epoch(ts) + $stay * 60) AS t1
            FROM read_parquet($files) WHERE person_id = $pid)
        WHERE t1 > $lo AND t0 < $hi
        ORDER BY t0, venue_id
        """,
        {"files": files, "pid": person_id, "stay": default_stay_minutes,
         "lo": start.timestamp(), "hi": end.timestamp()},
    ).fetchall()
    seen: set[tuple[int, float, float]] = set()
    stays = []
    for venue, t0, t1 in rows:
        if (venue, t0, t1) not in seen:  # duplicated rows change nothing (contract)
            seen.add((venue, t0, t1))
            stays.append((int(venue), _utc(t0), _utc(t1)))
    return stays


def pings_of(*, person_id: int, start: dt.datetime, end: dt.datetime
             ) -> list[tuple[dt.datetime, float, float]]:
    """(ts, lat, lon) of the person's pings in ``[start, end)``, in time order."""
    files = day_files(movement_dir() / "pings", start=start, end=end)
    if not files:
        return []
    rows = duckdb.connect().execute(
        """
        SELECT DISTINCT epoch(ts) AS t, lat, lon FROM read_parquet($files)
        WHERE person_id = $pid AND epoch(ts) >= $lo AND epoch(ts) < $hi
        ORDER BY t
        """,
        {"files": files, "pid": person_id, "lo": start.timestamp(), "hi": end.timestamp()},
    ).fetchall()
    return [(_utc(t), float(lat), float(lon)) for t, lat, lon in rows]
