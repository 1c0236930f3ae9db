"""h3 cells for DuckDB without its h3 extension (no installs, no network).

Cells come from the ``h3`` package through a vectorised Arrow UDF, and only for the pings that
can matter: the cases' own pings, then others' pings in the same bucket inside a lat/lon box
around the case's cell. The box is the cell's vertex box widened by a margin, so no point of
the cell falls outside it; the exact cell test follows.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import h3
import pyarrow as pa
from duckdb.func import PythonUDFType

from fangkong.tracing.engine.connection import database

_lock = threading.Lock()
_done: set[tuple[int, int]] = set()  # (database, resolution) registered
MARGIN = 0.05  # of the box's size, for the slight bulge of geodesic edges


def cell_of(resolution: int) -> Callable[[pa.Array, pa.Array], pa.Array]:
    """The UDF body: (lat, lon) arrays → h3 hex strings at ``resolution``."""

    def cells(lat: pa.Array, lon: pa.Array) -> pa.Array:
        return pa.array([h3.latlng_to_cell(a, b, resolution)
                         for a, b in zip(lat.to_pylist(), lon.to_pylist(), strict=True)],
                        type=pa.string())

    return cells


def udf(resolution: int) -> str:
    """The SQL name of the cell function at ``resolution``."""
    return f"h3cell_{resolution}"


def register(resolution: int) -> str:
    """Make ``udf(resolution)`` callable in every session: functions belong to the database,
    so each is registered once, on the database itself. Returns its name."""
    name = udf(resolution)
    db = database()
    with _lock:
        if (id(db), resolution) not in _done:
            db.create_function(name, cell_of(resolution), ["double", "double"], "varchar",
                               type=PythonUDFType.ARROW)
            _done.add((id(db), resolution))
    return name


def squares(boxes: pa.Table) -> tuple[float, pa.Table]:
    """A grid at least as wide as every box (a power of two degrees, so ``floor(x / size)``
    is exact everywhere) and (cell, i, j): the one to four squares each box touches. Joining
    pings on (bucket, square) instead of bucket alone keeps the candidates local."""
    extent = max([*(h - lo for lo, h in zip(boxes.column("lat0").to_pylist(),
                                             boxes.column("lat1").to_pylist(), strict=True)),
                  *(h - lo for lo, h in zip(boxes.column("lon0").to_pylist(),
                                             boxes.column("lon1").to_pylist(), strict=True)),
                  2.0**-20])
    size = 2.0 ** math.ceil(math.log2(extent))
    rows = [{"cell": b["cell"], "i": i, "j": j} for b in boxes.to_pylist()
            for i in range(math.floor(b["lat0"] / size), math.floor(b["lat1"] / size) + 1)
            for j in range(math.floor(b["lon0"] / size), math.floor(b["lon1"] / size) + 1)]
    schema = pa.schema([("cell", pa.string()), ("i", pa.int64()), ("j", pa.int64())])
    return size, pa.Table.from_pylist(rows, schema=schema)


def boxes(cells: list[str]) -> pa.Table:
    """(cell, lat0, lat1, lon0, lon1): a box holding every point of each cell. A cell across
    the antimeridian or around a pole gets every longitude (and the pole's latitudes)."""
    rows = []
    for cell in cells:
        lats, lons = zip(*h3.cell_to_boundary(cell), strict=True)
        lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
        pad = MARGIN * max(lat1 - lat0, 1e-6)
        lat0, lat1 = lat0 - pad, lat1 + pad
        if lon1 - lon0 > 180:
            lon0, lon1 = -180.0, 180.0
            lat0, lat1 = (lat0, 90.0) if lat0 + lat1 > 0 else (-90.0, lat1)
        else:
            wide = MARGIN * max(lon1 - lon0, 1e-6)
            lon0, lon1 = lon0 - wide, lon1 + wide
        rows.append({"cell": cell, "lat0": lat0, "lat1": lat1, "lon0": lon0, "lon1": lon1})
    schema = pa.schema([("cell", pa.string()), ("lat0", pa.float64()), ("lat1", pa.float64()),
                        ("lon0", pa.float64()), ("lon1", pa.float64())])
    return pa.Table.from_pylist(rows, schema=schema)
