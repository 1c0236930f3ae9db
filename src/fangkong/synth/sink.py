"""Streaming Parquet output: one writer per file, one row group per chunk, row counts kept
for meta.json. Nothing is held after a chunk is written."""

from __future__ import annotations

import csv
import datetime
import itertools
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"


class Sink:
    """Open writers by relative path; `write` appends a chunk, `close` finishes them all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def write(self, rel: str, table: pa.Table) -> None:
        if rel not in self.writers:
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[rel] = pq.ParquetWriter(path, table.schema, compression=COMPRESSION)
            self.rows[rel] = 0
        self.writers[rel].write_table(table)
        self.rows[rel] += table.num_rows

    def close(self, rel: str | None = None) -> None:
        for key in [rel] if rel else list(self.writers):
            self.writers.pop(key).close()


def _iso_local(values: pa.ChunkedArray, offset_h: int) -> list[str]:
    """UTC timestamps → ISO 8601 strings in the city's fixed offset ('…+08:00')."""
    tz = datetime.timezone(datetime.timedelta(hours=offset_h))
    return ["" if v is None else v.astimezone(tz).isoformat() for v in values.to_pylist()]


def write_cases_csv(path: Path, cases: pa.Table, *, offset_h: int = 8) -> None:
    """cases.csv per the contract: header, UTF-8, dates as YYYY-MM-DD, onset empty when
    asymptomatic, isolated_at ISO 8601 with the city's offset."""
    cols = {name: cases.column(name).to_pylist() for name in cases.column_names}
    cols["isolated_at"] = _iso_local(cases.column("isolated_at"), offset_h)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(cases.column_names)
        for i in range(cases.num_rows):
            out.writerow(["" if cols[c][i] is None else str(cols[c][i])
                          for c in cases.column_names])


def chunk_bounds(total: int, size: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges of at most `size` covering 0..total."""
    return list(itertools.pairwise([*range(0, total, size), total]))
