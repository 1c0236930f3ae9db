"""The database half of ``fangkong backup`` / ``restore``: one consistent copy per vendor.

PostgreSQL: ``pg_dump`` in custom format under a snapshot this process exports, so the row
counts and migration state written to the manifest are those of the very rows dumped, however
busy the server; ``pg_restore`` in one transaction (all or nothing). SQLite: the online backup
API in one step, which copies a single read snapshot (WAL lets writers go on meanwhile).
The client tools must be at least the server's major version (``pg_dump`` refuses a newer
server, ``pg_restore`` a newer archive): checked first, with the package to install named.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from fangkong.core.errors import DomainError

DUMP_NAME = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


@dataclass(frozen=True)
class Snapshot:
    """What a copy holds, read inside the copy's own snapshot."""

    counts: dict[str, int]
    migrations: list[str]  # app.name
    server: str
    tool: str


def vendor() -> str:
    if connection.vendor not in DUMP_NAME:
        raise DomainError(f"backup supports PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def read_facts(cursor: Any, *, tables: list[str]) -> tuple[dict[str, int], list[str]]:
    """Row counts of ``tables`` and the applied migrations, through any DB-API cursor."""
    counts = {}
    for table in sorted(tables):  # names read from the catalogue, quoted
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    migrations: list[str] = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    return counts, migrations


def current_tables() -> list[str]:
    """The tables of the configured database (empty: nothing to overwrite)."""
    with connection.cursor() as cursor:
        return _tables(cursor)


def _tables(cursor: Any) -> list[str]:
    """Tables, not views nor SQLite's own (``sqlite_stat1`` and the like)."""
    return [t.name for t in connection.introspection.get_table_list(cursor)
            if t.type == "t" and not t.name.startswith("sqlite_")]


def current_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return read_facts(cursor, tables=current_tables())[0]


# --- PostgreSQL -------------------------------------------------------------------------------

def _pg_tool(name: str) -> tuple[str, int]:
    """The path and major version of ``pg_dump`` / ``pg_restore``; a clear error if missing."""
    path = shutil.which(name)
    if path is None:
        raise DomainError(f"{name} is not installed (not on PATH): install the PostgreSQL "
                          f"client of the server's major version (Debian: postgresql-client-"
                          f"{_server_major()})")
    done = subprocess.run([path, "--version"], capture_output=True,  # noqa: S603
                          text=True, check=True)  # the tool found on PATH
    text = str(done.stdout).strip()
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    if match is None:
        raise DomainError(f"cannot read the version of {path}: {text!r}")
    return path, int(match.group(1))


def _server_major() -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    """Connection options for the client tools; the password travels in the environment."""
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = [f"--dbname={s['NAME']}"]
    args += [f"--host={s['HOST']}"] if s.get("HOST") else []
    args += [f"--port={s['PORT']}"] if s.get("PORT") else []
    args += [f"--username={s['USER']}"] if s.get("USER") else []
    return env, args


def _run(command: list[str], *, env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                          check=False)  # arguments are the settings' and our own paths
    if done.returncode != 0:
        raise DomainError(f"{Path(command[0]).name} failed ({done.returncode}): "
                          f"{done.stderr.strip()[-2000:]}")


def dump_postgresql(*, target: Path) -> Snapshot:
    """``pg_dump -Fc`` of the snapshot in which the counts are read (REPEATABLE READ, kept open
    until the dump has started from it)."""
    tool, major = _pg_tool("pg_dump")
    server = _server_major()
    if major < server:
        raise DomainError(f"pg_dump {major} cannot dump a PostgreSQL {server} server: install "
                          f"postgresql-client-{server} and put its pg_dump first on PATH")
    env, args = _pg_env_args()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        counts, migrations = read_facts(cursor, tables=_tables(cursor))
        _run([tool, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}",
              *args], env=env)
    return Snapshot(counts=counts, migrations=migrations, server=f"PostgreSQL {server}",
                    tool=f"pg_dump {major}")


def restore_postgresql(*, source: Path, made_by_major: int, force: bool) -> None:
    """``pg_restore`` in one transaction; with ``force`` the dumped objects are dropped first.
    Ownership and grants are not restored: the objects belong to the role that restores."""
    tool, major = _pg_tool("pg_restore")
    if major < made_by_major:
        raise DomainError(f"pg_restore {major} cannot read an archive made by pg_dump "
                          f"{made_by_major}: install postgresql-client-{made_by_major}")
    env, args = _pg_env_args()
    clean = ["--clean", "--if-exists"] if force else []
    connection.close()
    _run([tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
          *clean, *args, str(source)], env=env)


# --- SQLite -----------------------------------------------------------------------------------

def _sqlite_tables(con: sqlite3.Connection) -> list[str]:
    rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite_%'").fetchall()
    return [str(name) for (name,) in rows]


def dump_sqlite(*, target: Path) -> Snapshot:
    """The online backup API in one step (``pages=-1``): one read transaction, so the copy is
    the database as of one instant while other processes keep writing."""
    name = str(connection.settings_dict["NAME"])
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        counts, migrations = read_facts(copy.cursor(), tables=_sqlite_tables(copy))
    finally:
        copy.close()
        source.close()
    return Snapshot(counts=counts, migrations=migrations,
                    server=f"SQLite {sqlite3.sqlite_version}", tool="sqlite3 backup API")


def restore_sqlite(*, source: Path) -> None:
    """Copy the backup into the configured database file page by page (the backup API again,
    so a database left in WAL mode stays consistent), then switch it back to WAL."""
    name = str(connection.settings_dict["NAME"])
    connection.close()
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(name, timeout=60)
    try:
        backup.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        backup.close()
