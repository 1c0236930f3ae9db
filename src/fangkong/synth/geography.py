"""Admin tree (city → district → street → community → grid) as nested rectangles.

The city is a rectangle around Wuxi whose area scales with the population (about one
800 m × 800 m grid per 1,000 residents). Each level is split treemap-style, so children tile
their parent exactly and sizes differ the way real districts do.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from fangkong.synth.names import place_names

CENTER_LAT, CENTER_LON = 31.49, 120.31
GRID_M = 800.0
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(CENTER_LAT))
RESIDENTS_PER_GRID = 1000
MIN_GRIDS_PER_DISTRICT = 24  # small cities still get districts of unequal size
LEVELS = ("city", "district", "street", "community", "grid")

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in metres from the SW corner


@dataclass
class Geography:
    """The admin tree plus per-grid arrays the later stages index by grid position."""

    table: pa.Table
    grid_unit_id: np.ndarray  # unit_id of each grid, in grid order
    grid_rect: np.ndarray  # (G, 4) lon0, lat0, lon1, lat1
    grid_district: np.ndarray  # district index of each grid
    grid_community: np.ndarray  # community index of each grid
    district_code: list[str] = field(default_factory=list)
    district_name: list[str] = field(default_factory=list)
    community_name: list[str] = field(default_factory=list)
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # lon0, lat0, lon1, lat1

    @property
    def n_grids(self) -> int:
        return len(self.grid_unit_id)


def allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Split an integer total by weights (largest remainder), each part at least `minimum`."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError("total too small for the minimum per part")
    raw = spare * weights / weights.sum()
    parts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[: spare - parts.sum()]] += 1
    return parts + minimum


def split_rect(rect: Rect, weights: list[float]) -> list[Rect]:
    """Binary treemap: halve the children by weight and cut across the longer side."""
    if len(weights) == 1:
        return [rect]
    total = sum(weights)
    cum = np.cumsum(weights)
    k = int(np.argmin(np.abs(cum[:-1] - total / 2))) + 1
    share = float(cum[k - 1] / total)
    x0, y0, x1, y1 = rect
    if x1 - x0 >= y1 - y0:
        cut = x0 + (x1 - x0) * share
        a, b = (x0, y0, cut, y1), (cut, y0, x1, y1)
    else:
        cut = y0 + (y1 - y0) * share
        a, b = (x0, y0, x1, cut), (x0, cut, x1, y1)
    return split_rect(a, weights[:k]) + split_rect(b, weights[k:])


def _tree_counts(rng: np.random.Generator, residents: int) -> list[list[np.ndarray]]:
    """Grid counts nested as district → street → community."""
    n_districts = int(rng.integers(6, 11))
    n_grids = max(round(residents / RESIDENTS_PER_GRID), MIN_GRIDS_PER_DISTRICT * n_districts)
    per_district = allocate(n_grids, rng.uniform(1.0, 3.2, n_districts), 9)
    tree = []
    for g_d in per_district:
        n_streets = int(np.clip(round(math.sqrt(g_d) / 1.5), 3, 12))
        streets = []
        for g_s in allocate(int(g_d), rng.uniform(1.0, 2.5, n_streets), 3):
            n_comm = int(np.clip(round(math.sqrt(g_s) / 1.2), 3, 10))
            streets.append(allocate(int(g_s), rng.uniform(1.0, 2.0, n_comm), 1))
        tree.append(streets)
    return tree


def _to_lonlat(rect: Rect, origin: tuple[float, float]) -> tuple[float, float, float, float]:
    lon0, lat0 = origin
    x0, y0, x1, y1 = rect
    return (lon0 + x0 / M_PER_DEG_LON, lat0 + y0 / M_PER_DEG_LAT,
            lon0 + x1 / M_PER_DEG_LON, lat0 + y1 / M_PER_DEG_LAT)


def polygon_json(box: tuple[float, float, float, float]) -> str:
    """GeoJSON Polygon geometry (lon/lat, counter-clockwise, closed) of a box."""
    a, b, c, d = box
    ring = [[a, b], [c, b], [c, d], [a, d], [a, b]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


@dataclass
class _Node:
    parent: int  # index into the previous level's node list (-1 for the city)
    code: str
    name: str
    name_en: str
    rect: Rect


def _nodes(rng: np.random.Generator, residents: int) -> list[list[_Node]]:
    """All units, level by level, with rectangles in metres."""
    tree = _tree_counts(rng, residents)
    n_grids = sum(int(c.sum()) for d in tree for c in d)
    area = n_grids * GRID_M * GRID_M
    width = math.sqrt(area * 1.25)
    city = _Node(-1, "320200", "无锡市", "Wuxi City", (0.0, 0.0, width, area / width))
    levels: list[list[_Node]] = [[city], [], [], [], []]
    d_zh, d_en = place_names(rng, len(tree))
    n_st = sum(len(d) for d in tree)
    s_zh, s_en = place_names(rng, n_st)
    c_zh, c_en = place_names(rng, sum(len(s) for d in tree for s in d))
    d_rects = split_rect(city.rect, [sum(float(c.sum()) for c in d) for d in tree])
    for di, (streets, d_rect) in enumerate(zip(tree, d_rects, strict=True)):
        d_code = f"3202{di + 1:02d}"
        levels[1].append(_Node(0, d_code, d_zh[di] + "区", d_en[di] + " District", d_rect))
        s_rects = split_rect(d_rect, [float(c.sum()) for c in streets])
        for si, (comms, s_rect) in enumerate(zip(streets, s_rects, strict=True)):
            k = len(levels[2])
            s_code = f"{d_code}{si + 1:03d}"
            levels[2].append(_Node(di, s_code, s_zh[k] + "街道", s_en[k] + " Street", s_rect))
            c_rects = split_rect(s_rect, [float(c) for c in comms])
            for ci, (n_g, c_rect) in enumerate(zip(comms, c_rects, strict=True)):
                j = len(levels[3])
                c_code = f"{s_code}{ci + 1:03d}"
                levels[3].append(_Node(k, c_code, c_zh[j] + "社区", c_en[j] + " Community",
                                       c_rect))
                for gi, g_rect in enumerate(split_rect(c_rect, [1.0] * int(n_g))):
                    levels[4].append(_Node(j, f"{c_code}{gi + 1:03d}", f"第{gi + 1}网格",
                                           f"Grid {gi + 1}", g_rect))
    return levels


def build_geography(rng: np.random.Generator, residents: int) -> Geography:
    """Generate the admin tree; unit ids run city, districts, streets, communities, grids."""
    levels = _nodes(rng, residents)
    city_rect = levels[0][0].rect
    origin = (CENTER_LON - city_rect[2] / 2 / M_PER_DEG_LON,
              CENTER_LAT - city_rect[3] / 2 / M_PER_DEG_LAT)
    offsets = np.cumsum([0] + [len(lv) for lv in levels])
    cols: dict[str, list] = {k: [] for k in (
        "unit_id", "parent_id", "level", "code", "name", "name_en", "boundary",
        "center_lat", "center_lon")}
    boxes = []
    for li, nodes in enumerate(levels):
        for ni, node in enumerate(nodes):
            box = _to_lonlat(node.rect, origin)
            boxes.append(box)
            cols["unit_id"].append(int(offsets[li]) + ni + 1)
            cols["parent_id"].append(None if li == 0 else int(offsets[li - 1]) + node.parent + 1)
            cols["level"].append(LEVELS[li])
            cols["code"].append(node.code)
            cols["name"].append(node.name)
            cols["name_en"].append(node.name_en)
            cols["boundary"].append(polygon_json(box))
            cols["center_lat"].append((box[1] + box[3]) / 2)
            cols["center_lon"].append((box[0] + box[2]) / 2)
    table = pa.table(cols, schema=ADMIN_SCHEMA)
    grids, comms, streets = levels[4], levels[3], levels[2]
    return Geography(
        table=table,
        grid_unit_id=np.arange(offsets[4], offsets[5], dtype=np.int64) + 1,
        grid_rect=np.array(boxes[offsets[4]:], dtype=np.float64),
        grid_district=np.array([streets[comms[g.parent].parent].parent for g in grids]),
        grid_community=np.array([g.parent for g in grids]),
        district_code=[n.code for n in levels[1]],
        district_name=[n.name for n in levels[1]],
        community_name=[n.name for n in comms],
        bbox=boxes[0],
    )


ADMIN_SCHEMA = pa.schema([
    ("unit_id", pa.int64()), ("parent_id", pa.int64()), ("level", pa.string()),
    ("code", pa.string()), ("name", pa.string()), ("name_en", pa.string()),
    ("boundary", pa.string()), ("center_lat", pa.float64()), ("center_lon", pa.float64()),
])
