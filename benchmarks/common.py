"""What the benchmarks share: a fresh database of a benchmark's own for each run."""

from __future__ import annotations

from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database_url(backend: str, *, sqlite_path: Path, pg_db: str) -> str:
    """An empty SQLite file (its WAL files removed too) or a dropped and re-created
    PostgreSQL database, so no run measures what an earlier one left behind."""
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{sqlite_path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {pg_db}")
        conn.execute(f"CREATE DATABASE {pg_db}")
    return f"postgresql://postgres@127.0.0.1:5432/{pg_db}"
