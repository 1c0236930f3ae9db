"""Faults during a large registry import (``fangkong import persons FILE``): the importing
process is killed (``kill -9``) at a random moment, or, on PostgreSQL, its connection is
terminated (``pg_terminate_backend``) while it inserts.

Each round imports a file of its own new residents. After the fault the round's residents are
counted: an import is all or nothing, so 0 or all of them, never some. The file is then sent
again as an operator would (``--partial``: rows already there are named and skipped, the rest
stored) and must end with every resident stored exactly once.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from benchmarks.faults_procs import Place, fangkong, strike, world
from benchmarks.faults_world import ADMIN_USER
from fangkong.synth.idcard import check_char

AREA = "610104"  # neither the small city's area nor the recompute's


def write_persons(path: Path, *, round_no: int, count: int, grids: list[str]) -> str:
    """``count`` new residents named ``r<round>-…`` (the prefix returned), ID numbers unique
    over all rounds."""
    prefix = f"r{round_no}-"
    start = dt.date(1940, 1, 1) + dt.timedelta(days=round_no * (count // 900 + 1))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "id_number", "phone", "sex", "birth_date", "grid_code"])
        for n in range(count):
            birth = start + dt.timedelta(days=n // 900)
            body = f"{AREA}{birth:%Y%m%d}{n % 900 + 100:03d}"
            writer.writerow([f"{prefix}{n}", body + check_char(body), f"138{n:08d}",
                             "M" if n % 2 else "F", birth.isoformat(), grids[n % len(grids)]])
    return prefix


def query(place: Place, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...]:
    """One row of a read on the place's database, without Django (``%s`` placeholders)."""
    if place.backend == "sqlite":
        path = urlparse(place.database_url).path
        with sqlite3.connect(path, timeout=60) as conn:
            return tuple(conn.execute(sql.replace("%s", "?"), params).fetchone())
    import psycopg

    with psycopg.connect(place.database_url) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return tuple(row)


def stored(place: Place, prefix: str) -> tuple[int, int]:
    """(rows, distinct ID numbers) of a round's residents."""
    rows, distinct = query(place, "SELECT count(*), count(DISTINCT id_number) FROM "
                           "registry_person WHERE name LIKE %s", (f"{prefix}%",))
    return int(rows), int(distinct)


def import_file(place: Place, path: Path) -> subprocess.Popen[bytes]:
    return fangkong(place, "import", "persons", str(path), "--as", ADMIN_USER, "--partial",
                    log=place.folder / "import.log")


def run_import(*, place: Place, fault: str, kills: int, rows: int, seed: int = 0,
               fixture: dict[str, Any] | None = None) -> dict[str, Any]:
    """``kills`` rounds; the counts of the table (``partial``, ``lost`` and ``duplicated``
    must be 0)."""
    fixture = fixture or world(place, "setup")
    rng = random.Random(seed)
    out: dict[str, Any] = {"kind": "import", "fault": fault, "backend": place.backend,
                           "kills": kills, "hits": 0, "records_sent": 0, "acknowledged": 0,
                           "stored": 0, "lost": 0, "duplicated": 0, "partial": 0,
                           "none_after_fault": 0, "all_after_fault": 0}
    started = time.monotonic()
    for round_no in range(kills):
        path = place.folder / f"persons-{round_no}.csv"
        prefix = write_persons(path, round_no=round_no, count=rows, grids=fixture["grids"])
        process = import_file(place, path)
        out["hits"] += strike(place, process, fault=fault, delay=rng.uniform(0.0, 0.5))
        out["records_sent"] += rows
        found, _distinct = stored(place, prefix)
        out["partial"] += 0 < found < rows
        out["none_after_fault"] += found == 0
        out["all_after_fault"] += found == rows
        if import_file(place, path).wait(timeout=600) != 0:
            raise RuntimeError(f"the resend of round {round_no} failed; see import.log")
        out["records_sent"] += rows
        out["acknowledged"] += rows
        found, distinct = stored(place, prefix)
        out["stored"] += distinct
        out["lost"] += rows - distinct
        out["duplicated"] += found - distinct
    out["seconds"] = round(time.monotonic() - started, 1)
    return out
