"""DuckDB sessions for the engines and the input checks: no extensions, bounded memory.

One in-memory database per process (opening one costs tens of milliseconds); each session
is a cursor on it, with its own temporary tables. Settings are the database's: every core,
a memory limit past which DuckDB spills to a private temporary folder, and never installing
or loading an extension (no network).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

MEMORY_ENV = "FANGKONG_DUCKDB_MEMORY"  # e.g. "8GB"; default: 60 % of physical memory
_lock = threading.Lock()
_db: dict[int, duckdb.DuckDBPyConnection] = {}  # pid → database (a fork opens its own)


def memory_limit() -> str:
    """DuckDB spills to disk past this, so ~30 M check-ins fit a 24 GB machine."""
    if os.environ.get(MEMORY_ENV):
        return os.environ[MEMORY_ENV]
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4GB"
    return f"{max(total * 6 // 10 // 2**20, 512)}MB"


def database() -> duckdb.DuckDBPyConnection:
    """This process's database (functions registered on it serve every session)."""
    with _lock:
        db = _db.get(os.getpid())
        if db is None:
            spill = tempfile.mkdtemp(prefix="fangkong-duckdb-")
            db = duckdb.connect(config={"autoinstall_known_extensions": False,
                                        "autoload_known_extensions": False})
            db.execute(f"SET threads = {os.cpu_count() or 1}")
            db.execute(f"SET memory_limit = '{memory_limit()}'")
            db.execute(f"SET temp_directory = {sql_string(spill)}")
            _db[os.getpid()] = db
            atexit.register(_close, os.getpid(), spill)
        return db


def _close(pid: int, spill: str) -> None:
    db = _db.pop(pid, None)
    if db is not None and pid == os.getpid():
        db.close()
        shutil.rmtree(spill, ignore_errors=True)


@contextmanager
def session() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection of its own (temporary tables and views vanish with it)."""
    con = database().cursor()
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
