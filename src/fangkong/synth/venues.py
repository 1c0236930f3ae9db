"""Venues (places with a check-in code) and the 'mostly near home' choice of venue.

For each grid we precompute the K nearest venues of each type, so choosing a venue for
millions of trips is a vectorised table lookup rather than a distance computation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangkong.synth.geography import M_PER_DEG_LAT, M_PER_DEG_LON, Geography
from fangkong.synth.names import PLACE_HANZI

# type: (per 100k residents, name suffixes, transmission multiplier)
VENUE_TYPES: dict[str, tuple[float, tuple[str, ...], float]] = {
    "market": (15, ("农贸市场", "菜市场"), 4.0),
    "supermarket": (40, ("超市", "生鲜超市", "便利店"), 3.0),
    "restaurant": (250, ("面馆", "小厨", "饭店", "火锅", "餐厅", "小笼包"), 8.0),
    "office": (300, ("科技有限公司", "大厦", "实业有限公司", "商务中心"), 1.0),
    "school": (40, ("小学", "中学", "实验学校", "幼儿园"), 1.0),
    "hospital": (5, ("人民医院", "中医院", "社区卫生服务中心"), 3.0),
    "pharmacy": (60, ("大药房", "药店"), 3.0),
    "station": (10, ("地铁站", "公交枢纽"), 2.0),
    "gym": (20, ("健身中心", "游泳馆"), 6.0),
    "mall": (5, ("购物中心", "万达广场"), 2.0),
}
TYPE_NAMES = list(VENUE_TYPES)
TYPE_IDX = {t: i for i, t in enumerate(TYPE_NAMES)}
K_NEAR = 8


@dataclass
class Venues:
    table: pa.Table
    vtype: np.ndarray  # type index per venue (row order; venue_id = row + 1)
    lat: np.ndarray
    lon: np.ndarray
    grid: np.ndarray  # grid index of each venue
    by_type: list[np.ndarray]  # venue rows of each type
    near: list[np.ndarray]  # per type: (G, K) venue rows nearest to each grid centre

    def choose(self, rng: np.random.Generator, vtype: int, grid: np.ndarray,
               p_local: float = 0.85) -> np.ndarray:
        """Venue rows of one type for trips from `grid`: usually one of the K nearest
        (nearer ones likelier), otherwise anywhere in the city."""
        n = len(grid)
        near = self.near[vtype]
        rank = np.minimum(rng.geometric(0.35, n) - 1, near.shape[1] - 1)
        local = near[grid, rank]
        pool = self.by_type[vtype]
        far = pool[rng.integers(0, len(pool), n)]
        return np.where(rng.random(n) < p_local, local, far)


def venue_counts(residents: int) -> np.ndarray:
    return np.array([max(1, round(v[0] * residents / 100_000)) for v in VENUE_TYPES.values()])


def build_venues(rng: np.random.Generator, geo: Geography, grid_weight: np.ndarray,
                 residents: int, seed: int) -> Venues:
    """Place venues in grids weighted by households, uniformly inside the grid box."""
    counts = venue_counts(residents)
    vtype = np.repeat(np.arange(len(counts)), counts)
    n = len(vtype)
    grid = rng.choice(geo.n_grids, size=n, p=grid_weight / grid_weight.sum())
    lon, lat = _inside(rng, geo.grid_rect[grid])
    venue_id = np.arange(1, n + 1, dtype=np.int64)
    name = _names(rng, vtype, geo, grid)
    address = pc.binary_join_element_wise(
        pa.array(geo.district_name).take(geo.grid_district[grid]),
        pa.array(geo.community_name).take(geo.grid_community[grid]),
        pc.cast(pa.array(rng.integers(1, 300, n)), pa.string()), "号", name, "")
    table = pa.table({
        "venue_id": venue_id,
        "venue_code": pa.array(_codes(seed, n)),
        "type": pa.array(TYPE_NAMES).take(vtype),
        "name": name, "address": address,
        "grid_id": geo.grid_unit_id[grid], "lat": lat, "lon": lon,
    })
    by_type = [np.flatnonzero(vtype == t) for t in range(len(counts))]
    near = [_nearest(geo, lat[rows], lon[rows], rows) for rows in by_type]
    return Venues(table, vtype, lat, lon, grid, by_type, near)


def _inside(rng: np.random.Generator, box: np.ndarray, margin: float = 0.05
            ) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points inside boxes (lon0, lat0, lon1, lat1), away from the edges."""
    u = rng.uniform(margin, 1 - margin, (len(box), 2))
    lon = box[:, 0] + (box[:, 2] - box[:, 0]) * u[:, 0]
    lat = box[:, 1] + (box[:, 3] - box[:, 1]) * u[:, 1]
    return lon, lat


def _names(rng: np.random.Generator, vtype: np.ndarray, geo: Geography,
           grid: np.ndarray) -> pa.Array:
    """Community root + type suffix ("湖滨农贸市场"), or a random two-character brand."""
    n = len(vtype)
    roots = pa.array([c[:2] for c in geo.community_name]).take(geo.grid_community[grid])
    chars = pa.array(PLACE_HANZI)
    brand = pc.binary_join_element_wise(
        chars.take(rng.integers(0, len(chars), n)), chars.take(rng.integers(0, len(chars), n)),
        "")
    prefix = pc.if_else(pa.array(rng.random(n) < 0.5), roots, brand)
    suffixes = [VENUE_TYPES[t][1] for t in TYPE_NAMES]
    flat = [s for group in suffixes for s in group]
    starts = np.cumsum([0] + [len(g) for g in suffixes])[:-1]
    sizes = np.array([len(g) for g in suffixes])
    pick = starts[vtype] + (rng.integers(0, 1 << 30, n) % sizes[vtype])
    return pc.binary_join_element_wise(prefix, pa.array(flat).take(pick), "")


def _codes(seed: int, n: int) -> list[str]:
    """Deterministic, unique venue codes: 'V' + 10 base-32 chars of a keyed hash."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    out, seen = [], set()
    for i in range(n):
        salt = 0
        while True:
            digest = hashlib.blake2b(f"{seed}:{i}:{salt}".encode(), digest_size=8).digest()
            num = int.from_bytes(digest, "big")
            code = "V" + "".join(alphabet[(num >> (5 * k)) & 31] for k in range(10))
            if code not in seen:
                break
            salt += 1
        seen.add(code)
        out.append(code)
    return out


def _nearest(geo: Geography, lat: np.ndarray, lon: np.ndarray, rows: np.ndarray,
             block: int = 512) -> np.ndarray:
    """(G, K) nearest venue rows to each grid centre, computed in blocks of grids."""
    k = min(K_NEAR, len(rows))
    cx = (geo.grid_rect[:, 0] + geo.grid_rect[:, 2]) / 2 * M_PER_DEG_LON
    cy = (geo.grid_rect[:, 1] + geo.grid_rect[:, 3]) / 2 * M_PER_DEG_LAT
    vx, vy = lon * M_PER_DEG_LON, lat * M_PER_DEG_LAT
    out = np.empty((geo.n_grids, K_NEAR), dtype=np.int64)
    for s in range(0, geo.n_grids, block):
        d2 = (cx[s:s + block, None] - vx) ** 2 + (cy[s:s + block, None] - vy) ** 2
        part = np.argpartition(d2, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d2, part, axis=1), axis=1, kind="stable")
        best = rows[np.take_along_axis(part, order, axis=1)]
        out[s:s + block] = best[:, np.arange(K_NEAR) % k]
    return out
