"""Households, buildings and flats.

Households are numbered grid by grid, so a contiguous range of households (and of their
persons) lives in a contiguous range of grids; chunks of persons can then be generated and
written independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangkong.synth.geography import Geography
from fangkong.synth.venues import _inside

# 2020 census, share of family households by size (6 = six or more), mean ≈ 2.6
SIZE_P = np.array([0.254, 0.297, 0.209, 0.132, 0.062, 0.046])
FLOORS = np.array([6, 7, 11, 18, 26, 33], dtype=np.int16)
FLOORS_P = np.array([0.3, 0.1, 0.2, 0.2, 0.1, 0.1])
HOUSEHOLDS_PER_BUILDING = 60


@dataclass
class Housing:
    size: np.ndarray  # persons per household (int8)
    first_person: np.ndarray  # person_id of the first member (int64)
    grid: np.ndarray  # grid index of each household (int32)
    building: np.ndarray  # building row of each household (int32)
    room: np.ndarray  # room number, e.g. 1203 (int32)
    buildings: pa.Table
    b_lat: np.ndarray
    b_lon: np.ndarray
    b_address: pa.Array

    @property
    def n_households(self) -> int:
        return len(self.size)


def household_sizes(rng: np.random.Generator, residents: int) -> np.ndarray:
    """Sizes 1–6 drawn from the census shares, trimmed to sum exactly to `residents`."""
    sizes = rng.choice(np.arange(1, 7, dtype=np.int8), size=int(residents / 2.2) + 10, p=SIZE_P)
    cum = np.cumsum(sizes, dtype=np.int64)
    n = int(np.searchsorted(cum, residents)) + 1
    sizes = sizes[:n].copy()
    sizes[-1] -= int(cum[n - 1] - residents)
    return sizes


def build_housing(rng: np.random.Generator, geo: Geography, residents: int) -> Housing:
    """Households → grids (density varies by grid) → buildings → flats."""
    size = household_sizes(rng, residents)
    h = len(size)
    density = rng.uniform(0.5, 1.5, geo.n_grids)
    per_grid = rng.multinomial(h, density / density.sum())
    grid = np.repeat(np.arange(geo.n_grids, dtype=np.int32), per_grid)
    n_bld = np.maximum(1, np.round(per_grid / HOUSEHOLDS_PER_BUILDING)).astype(np.int64)
    b_start = np.concatenate([[0], np.cumsum(n_bld)])
    h_start = np.concatenate([[0], np.cumsum(per_grid)])
    j = np.arange(h) - h_start[grid]  # household's rank within its grid
    building = (b_start[grid] + j * n_bld[grid] // np.maximum(per_grid[grid], 1)).astype(np.int32)
    buildings, b_lat, b_lon, floors = _buildings(rng, geo, n_bld)
    per_b = np.bincount(building, minlength=len(b_lat))
    first_of_b = np.concatenate([[0], np.cumsum(per_b)])[:-1]
    k = np.arange(h) - first_of_b[building]
    per_floor = np.ceil(per_b / floors).astype(np.int64)
    room = ((k // per_floor[building] + 1) * 100 + k % per_floor[building] + 1).astype(np.int32)
    first_person = np.concatenate([[1], 1 + np.cumsum(size[:-1], dtype=np.int64)])
    return Housing(size, first_person, grid, building, room, buildings, b_lat, b_lon,
                   buildings.column("address").combine_chunks())


def _buildings(rng: np.random.Generator, geo: Geography, n_bld: np.ndarray
               ) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    """Building rows: numbered within their community ("3号楼"), placed inside the grid."""
    grid = np.repeat(np.arange(geo.n_grids), n_bld)
    nb = len(grid)
    lon, lat = _inside(rng, geo.grid_rect[grid])
    comm = geo.grid_community[grid]
    comm_start = np.concatenate([[0], np.flatnonzero(np.diff(comm)) + 1])
    first = np.repeat(comm_start, np.diff(np.concatenate([comm_start, [nb]])))
    number = pc.cast(pa.array(np.arange(nb) - first + 1), pa.string())
    name = pc.binary_join_element_wise(number, pa.scalar("号楼"), "")
    address = pc.binary_join_element_wise(
        pa.array(geo.district_name).take(geo.grid_district[grid]),
        pa.array(geo.community_name).take(comm), name, "")
    floors = rng.choice(FLOORS, size=nb, p=FLOORS_P)
    table = pa.table({
        "building_id": np.arange(1, nb + 1, dtype=np.int64),
        "grid_id": geo.grid_unit_id[grid], "name": name, "address": address,
        "lat": lat, "lon": lon, "floors": floors,
    })
    return table, lat, lon, floors


def homes_table(housing: Housing, geo: Geography, lo: int, hi: int) -> pa.Table:
    """The household table for households [lo, hi) (ids are row + 1)."""
    b = housing.building[lo:hi]
    room = pc.cast(pa.array(housing.room[lo:hi]), pa.string())
    return pa.table({
        "household_id": np.arange(lo + 1, hi + 1, dtype=np.int64),
        "building_id": b.astype(np.int64) + 1,
        "grid_id": geo.grid_unit_id[housing.grid[lo:hi]],
        "address": pc.binary_join_element_wise(housing.b_address.take(b), room, "室", ""),
    })
