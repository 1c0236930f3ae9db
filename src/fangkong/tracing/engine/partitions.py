"""Day-partitioned folders: which files can hold rows of a time range (the incremental path).

A file named ``day=YYYY-MM-DD.parquet`` (or any Parquet file in a ``day=YYYY-MM-DD/`` folder)
holds rows whose ``ts`` falls on that calendar day in the policy's time zone; the input check
enforces it. A new case then reads only the days of its own window, so the cost of tracing
grows with the cases, not with the history kept on disk.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq

DAY_NAME = re.compile(r"^day=(\d{4}-\d{2}-\d{2})(?:\.parquet)?$")


def parquet_files(folder: Path) -> list[Path]:
    """Every Parquet file under ``folder``, in name order."""
    return sorted(p for p in folder.rglob("*.parquet") if p.is_file())


def file_day(path: Path) -> dt.date | None:
    """The day in the file's name, or in its folder's name; None if neither carries one."""
    for name in (path.name, path.parent.name):
        match = DAY_NAME.match(name)
        if match:
            try:
                return dt.date.fromisoformat(match.group(1))
            except ValueError:
                return None
    return None


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[int, int]:
    """Epoch seconds of [00:00 local on ``day``, 00:00 local the next day)."""
    lo = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return int(lo.timestamp()), int(hi.timestamp())


def day_files(*, folder: Path, start: int, end: int | None, tz: ZoneInfo) -> list[Path]:
    """The folder's files that can hold a ``ts`` in [start, end) (epoch seconds; ``end``
    None: no upper bound). Files without a day in their name always count."""
    keep = []
    for path in parquet_files(folder):
        day = file_day(path)
        if day is not None:
            lo, hi = day_bounds(day, tz)
            if hi <= start or (end is not None and lo >= end):
                continue
        keep.append(path)
    return keep


def stay_files(*, folder: Path, start: int, end: int | None, tz: ZoneInfo,
               default_stay: int) -> list[Path]:
    """Check-in files whose stays can meet [start, end): the days of the range, the hour
    before it (a stay without exit), and earlier days whose ``exit_ts`` statistics (read
    from the Parquet footer only) reach past ``start`` — a stay may run overnight."""
    near = set(day_files(folder=folder, start=start - default_stay, end=end, tz=tz))
    keep = []
    for path in parquet_files(folder):
        day = file_day(path)
        if path in near or (day is not None and day_bounds(day, tz)[0] < start
                            and ends_after(path=path, column="exit_ts", instant=start)):
            keep.append(path)
    return keep


def _seconds(value: object) -> float | None:
    """A statistics value as epoch seconds (timestamps, or integers taken as seconds)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def time_range(*, path: Path, column: str) -> tuple[float, float] | None:
    """(least, greatest) of a timestamp column from the Parquet footer alone, as epoch
    seconds; None when unknown (no statistics, text values); (inf, -inf) when all empty."""
    meta = pq.read_metadata(path)
    names = [meta.schema.column(j).name for j in range(meta.num_columns)]
    if column not in names:
        return None
    j, least, greatest = names.index(column), float("inf"), float("-inf")
    for g in range(meta.num_row_groups):
        chunk = meta.row_group(g).column(j)
        stats = chunk.statistics
        if stats is None or (not stats.has_min_max and stats.null_count != chunk.num_values):
            return None
        if stats.has_min_max:
            lo, hi = _seconds(stats.min), _seconds(stats.max)
            if lo is None or hi is None:
                return None
            least, greatest = min(least, lo), max(greatest, hi)
    return least, greatest


def ends_after(*, path: Path, column: str, instant: int) -> bool:
    """Whether ``column`` may hold a value > ``instant`` in ``path``; True when unknown."""
    names = pq.read_schema(path).names
    if column not in names:
        return False
    span = time_range(path=path, column=column)
    return span is None or span[1] > instant
