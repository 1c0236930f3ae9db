"""The processes of a fault run: a database and data folder of the run's own, and the project's
real commands (``fangkong serve``, ``fangkong import``, ``fangkong worker`` …) started on them
as separate processes, so a ``kill -9`` kills what production would run.

The test and benchmark processes never open the fault database through Django (theirs is fixed
at set-up); they read it through ``python -m benchmarks.faults_world`` in a process of its own.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
SECRET = secrets.token_urlsafe(48)  # one per harness process: its servers share sessions


@dataclass(frozen=True, kw_only=True)
class Place:
    """Where one fault run's processes keep their data: a database (SQLite file or a
    PostgreSQL database of its own) and a data folder; ``redis`` for the job worker."""

    backend: str  # sqlite | postgresql
    database_url: str
    folder: Path
    redis_url: str = ""
    code: Path | None = None  # another tree's src/ to run (a baseline before a fix)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a fault process: this place's settings and nothing of the
        caller's (a test runs with inline jobs and its own settings module)."""
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("FANGKONG_", "DJANGO_"))}
        env = {**clean, "DJANGO_SETTINGS_MODULE": "fangkong.settings",
               "FANGKONG_DATABASE_URL": self.database_url,
               "FANGKONG_DATA_DIR": str(self.folder / "data"),
               "FANGKONG_SECRET_KEY": SECRET, "FANGKONG_LANGUAGE": "en",
               "PYTHONPATH": f"{self.code}:{ROOT}" if self.code else str(ROOT)}
        if self.redis_url:
            env["FANGKONG_REDIS_URL"] = self.redis_url
        return {**env, **extra}


def make_place(*, backend: str, folder: Path, pg_url: str = "", redis_url: str = "",
               code: Path | None = None) -> Place:
    """A fresh place: an empty SQLite file in ``folder``, or ``pg_url``'s database dropped
    and created again (it must be a database of the run's own)."""
    folder.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        db = folder / "faults.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return Place(backend=backend, database_url=f"sqlite:///{db}", folder=folder,
                     redis_url=redis_url, code=code)
    recreate_pg(pg_url)
    return Place(backend=backend, database_url=pg_url, folder=folder, redis_url=redis_url,
                 code=code)


def clone_place(template: Place, *, folder: Path, pg_url: str = "") -> Place:
    """A fresh place holding a copy of ``template``'s database (already migrated and set
    up), so a run skips the minute a migration takes on a loaded machine."""
    folder.mkdir(parents=True, exist_ok=True)
    if template.backend == "sqlite":
        db = folder / "faults.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(urlparse(template.database_url).path) as src, \
                sqlite3.connect(db) as dst:
            src.backup(dst)
        return replace(template, database_url=f"sqlite:///{db}", folder=folder)
    recreate_pg(pg_url, template=urlparse(template.database_url).path.lstrip("/"))
    return replace(template, database_url=pg_url, folder=folder)


def recreate_pg(url: str, *, template: str = "") -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    like = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"{like}')


def admin_url(url: str) -> str:
    """The same server's ``postgres`` database, to drop, create and terminate from."""
    return urlparse(url)._replace(path="/postgres").geturl()


def terminate_backends(url: str) -> int:
    """``pg_terminate_backend`` of every connection to ``url``'s database but this one; the
    number terminated."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()", (name,)).fetchall()
    return sum(1 for (done,) in rows if done)


def in_write_transaction(place: Place) -> bool:
    """Whether another connection holds a write transaction open on the place's database:
    on SQLite the write lock (Django's transactions there begin IMMEDIATE, so the lock is the
    transaction), on PostgreSQL a backend with a transaction id (one that has written)."""
    if place.backend == "sqlite":
        conn = sqlite3.connect(urlparse(place.database_url).path, timeout=0,
                               isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    import psycopg

    name = urlparse(place.database_url).path.lstrip("/")
    with psycopg.connect(admin_url(place.database_url), autocommit=True) as pg:
        row = pg.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND "
                         "pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
                         (name,)).fetchone()
    return bool(row and row[0])


def strike(place: Place, process: subprocess.Popen[bytes], *, fault: str, delay: float,
           seconds: float = 600) -> bool:
    """Wait until ``process`` is inside a write transaction, ``delay`` more seconds, then
    ``kill -9`` it (``kill9``) or terminate its database connection (``pgterm``); whether
    the fault hit it (a process that ended first is not hit). Then wait for it to end."""
    deadline = time.monotonic() + seconds
    hit = False
    while process.poll() is None and time.monotonic() < deadline:
        if in_write_transaction(place):
            time.sleep(delay)
            hit = (kill9(process) if fault == "kill9"
                   else terminate_backends(place.database_url) > 0)
            break
        time.sleep(0.01)
    process.wait(timeout=seconds)
    return hit


def world(place: Place, *args: str, timeout: float = 300) -> Any:
    """``python -m benchmarks.faults_world ARGS`` on the place; its JSON answer."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.faults_world", *args], cwd=ROOT,
                          env=place.env(), capture_output=True, text=True, timeout=timeout,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"faults_world {args[0]} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fangkong(place: Place, *args: str, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """``fangkong ARGS`` as a process of its own (its own session, so a kill reaches only
    it), its output appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "fangkong.cli", *args], cwd=ROOT,
                                env=place.env(**env), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill9(process: subprocess.Popen[bytes]) -> bool:
    """``kill -9``; whether it was still running (a process that had ended is not killed)."""
    if process.poll() is not None:
        return False
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Until the server answers a page (any status); fails if it died meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not answer in {seconds} s")


class Server:
    """``fangkong serve`` on a fixed port, killed and started again on demand."""

    def __init__(self, place: Place, *, threads: int = 4) -> None:
        self.place, self.threads, self.port = place, threads, free_port()
        self.log = place.folder / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.process = fangkong(self.place, "serve", "--port", str(self.port),
                                "--threads", str(self.threads), log=self.log)
        wait_for_port(self.port, process=self.process)
        self.starts += 1

    def kill(self) -> bool:
        return self.process is not None and kill9(self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
