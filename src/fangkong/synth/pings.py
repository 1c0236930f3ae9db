"""Phone location pings for a sampled share of persons.

A sampled phone reports every 5–15 minutes between 07:00 and 23:00 (idle phones report
rarely at night, so the night is left out). Each ping is placed at the venue the person is
checked in at, or at home otherwise, with ~25 m of GPS jitter: enough for h3 resolution 8
cells (~460 m edge) to be right nearly always and still look like real fixes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fangkong.synth.geography import M_PER_DEG_LAT, M_PER_DEG_LON
from fangkong.synth.routines import DayStays
from fangkong.synth.venues import Venues

H, M = 3600, 60
PING_FROM_H, PING_TO_H = 7.0, 23.0
GAP_MIN = (5.0, 15.0)
JITTER_M = 25.0
MAX_PINGS = int((PING_TO_H - PING_FROM_H) * 60 / GAP_MIN[0]) + 1

PING_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("ts", pa.timestamp("s", tz="UTC")),
    ("lat", pa.float64()), ("lon", pa.float64()),
])


def sampled(*, seed: int, rows: np.ndarray, share: float) -> np.ndarray:
    """Whether each person row carries a pinging phone: a fixed keyed hash of the row, so
    the same persons ping every day and the choice does not depend on chunking."""
    h = (rows.astype(np.uint64) + np.uint64(seed & 0xFFFFFFFF)) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    return (h % np.uint64(1 << 20)).astype(np.float64) < share * (1 << 20)


def _ping_times(rng: np.random.Generator, n: int, day0: int) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, epoch seconds) of each ping of `n` phones in one day."""
    gaps = rng.uniform(GAP_MIN[0], GAP_MIN[1], (n, MAX_PINGS)) * M
    gaps[:, 0] = rng.uniform(0, GAP_MIN[1], n) * M
    t = np.cumsum(gaps, axis=1).astype(np.int64) + int(PING_FROM_H * H)
    owner, col = np.nonzero(t < int(PING_TO_H * H))
    return owner, day0 + t[owner, col]


def day_pings(*, rng: np.random.Generator, rows: np.ndarray, home_lat: np.ndarray,
              home_lon: np.ndarray, stays: DayStays, venues: Venues, day0: int,
              iso_rows: np.ndarray, iso_ts: np.ndarray,
              bbox: tuple[float, float, float, float]) -> pa.Table:
    """Pings of the sampled person rows (sorted) given their stays (sorted by person, ts).
    Persons stop pinging once isolated (phones handed over or off the city network)."""
    owner, ts = _ping_times(rng, len(rows), day0)
    prow = rows[owner]
    lat, lon = home_lat[owner], home_lon[owner]
    st = stays.select(np.isin(stays.pidx, rows))
    if len(st):
        span = np.int64(2 * 86400)
        s_key = np.searchsorted(rows, st.pidx) * span + (st.ts - day0)
        k = np.searchsorted(s_key, owner * span + (ts - day0), side="right") - 1
        kk = np.maximum(k, 0)
        inside = (k >= 0) & (st.pidx[kk] == prow) & (ts < st.te[kk])
        lat = np.where(inside, venues.lat[st.venue[kk]], lat)
        lon = np.where(inside, venues.lon[st.venue[kk]], lon)
    lat = np.clip(lat + rng.normal(0, JITTER_M, len(ts)) / M_PER_DEG_LAT, bbox[1], bbox[3])
    lon = np.clip(lon + rng.normal(0, JITTER_M, len(ts)) / M_PER_DEG_LON, bbox[0], bbox[2])
    keep = _not_isolated(prow, ts, iso_rows, iso_ts)
    return pa.table({
        "person_id": prow[keep] + 1,
        "ts": pa.array(ts[keep], type=pa.int64()).cast(pa.timestamp("s", tz="UTC")),
        "lat": lat[keep], "lon": lon[keep],
    }, schema=PING_SCHEMA)


def _not_isolated(prow: np.ndarray, ts: np.ndarray, iso_rows: np.ndarray,
                  iso_ts: np.ndarray) -> np.ndarray:
    if len(iso_rows) == 0:
        return np.ones(len(prow), dtype=bool)
    order = np.argsort(iso_rows)
    r, t = iso_rows[order], iso_ts[order]
    pos = np.minimum(np.searchsorted(r, prow), len(r) - 1)
    return ~((r[pos] == prow) & (ts >= t[pos]))
