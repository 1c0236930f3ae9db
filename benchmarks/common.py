"""What the benchmarks share: the options of a benchmark run on both backends, a fresh
database of a benchmark's own for each run, and one process per backend."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def add_backend_options(parser: argparse.ArgumentParser, *, cache: str) -> None:
    """``--backends``, ``--seed``, ``--cache`` (default ``<tmp>/<cache>``) and the hidden
    ``--one BACKEND`` with which ``each_backend`` runs a child process for one backend."""
    parser.add_argument("--backends", nargs="*", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / cache)
    parser.add_argument("--one", help=argparse.SUPPRESS)


def child_argv(args: argparse.Namespace, *names: str) -> list[str]:
    """The options ``names`` (as ``args`` names them: ``file_rows``) of ``args``, with
    ``--seed`` and ``--cache``, as the command line of a ``--one`` child, which must see the
    run as the parent parsed it."""
    argv = []
    for name in (*names, "seed", "cache"):
        argv += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    return argv


def run_on_backends(args: argparse.Namespace, *, module: str, name: str, forward: tuple[str, ...],
                    run_backend: Callable[[argparse.Namespace], None],
                    report: Callable[[argparse.Namespace, list[dict[str, Any]]], None]) -> None:
    """A benchmark's ``main``: in a ``--one`` child, ``run_backend``; in the parent, a child
    per backend (``each_backend``, seeing the options ``forward``, the seed and the cache) and
    ``report`` of their results."""
    if args.one:
        run_backend(args)
        return
    report(args, each_backend(module=module, backends=args.backends, cache=args.cache,
                              name=name, argv=child_argv(args, *forward)))


def machine() -> str:
    """The host a result was measured on, for the report's first line."""
    return f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"


def write_results(folder: Path, stem: str, *, meta: dict[str, Any],
                  results: list[dict[str, Any]], lines: list[str]) -> None:
    """``<stem>.json`` (``meta`` and the backends' ``results``) and ``<stem>.md`` (the
    report's ``lines``) in ``folder``; the report printed too."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.json").write_text(json.dumps({**meta, "results": results}, indent=2))
    (folder / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


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


def each_backend(*, module: str, backends: list[str], cache: Path, name: str,
                 argv: list[str]) -> list[dict[str, Any]]:
    """``python -m MODULE --one BACKEND ARGV`` in a process of its own per backend (Django's
    database is fixed at set-up), each writing its results as JSON to ``FANGKONG_BENCH_OUT``;
    their results in order."""
    cache.mkdir(parents=True, exist_ok=True)
    results = []
    for backend in backends:
        print(f"== {backend}", flush=True)
        out = cache / f"{name}-{backend}.json"
        subprocess.run([sys.executable, "-m", module, "--one", backend, *argv], check=True,
                       cwd=ROOT, env={**os.environ, "FANGKONG_BENCH_OUT": str(out)})
        results.append(json.loads(out.read_text()))
    return results


def setup_backend(backend: str, *, cache: Path, sqlite_name: str, pg_db: str) -> None:
    """Inside a ``--one`` process: a fresh database of ``backend``, the data folder in the
    cache, Django set up and migrated."""
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["FANGKONG_DATABASE_URL"] = fresh_database_url(
        backend, sqlite_path=cache / sqlite_name, pg_db=pg_db)
    os.environ["FANGKONG_DATA_DIR"] = str(cache / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    from fangkong.cli.commands import migrate, setup_django

    setup_django()
    migrate()
