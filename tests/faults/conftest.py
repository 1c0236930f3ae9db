"""The fault tests' places: a database of their own that the real processes they start share
(an SQLite file in the test's folder, or a PostgreSQL database named after the suite's, when
``FANGKONG_DATABASE_URL`` names PostgreSQL), never pytest-django's test database. One place
per test session (per xdist worker) is migrated and set up; each test gets a copy of it.

Each test is marked ``django_db`` only so that the PostgreSQL pass (``FANGKONG_TEST_DB_ONLY``)
keeps it: it never opens that database itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from benchmarks.faults_procs import Place, admin_url, clone_place, make_place, world


def fault_backend() -> str:
    url = os.environ.get("FANGKONG_DATABASE_URL", "")
    return "postgresql" if urlparse(url).scheme in {"postgres", "postgresql"} else "sqlite"


def pg_url(worker_id: str, suffix: str) -> str:
    suite = urlparse(os.environ["FANGKONG_DATABASE_URL"])
    return suite._replace(path=f"/{suite.path.lstrip('/')}_faults_{worker_id}{suffix}").geturl()


def drop(url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(url).path.lstrip("/")}" WITH (FORCE)')


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory,
             worker_id: str) -> Iterator[tuple[Place, dict[str, Any]]]:
    """The set-up place the tests copy, and the set-up's answer (sessions, venues, grids)."""
    backend = fault_backend()
    url = pg_url(worker_id, "_t") if backend == "postgresql" else ""
    place = make_place(backend=backend, folder=tmp_path_factory.mktemp("faults"), pg_url=url)
    yield place, world(place, "setup")
    if url:
        drop(url)


@pytest.fixture
def place(template: tuple[Place, dict[str, Any]], tmp_path: Path,
          worker_id: str) -> Iterator[Place]:
    url = pg_url(worker_id, "") if template[0].backend == "postgresql" else ""
    yield clone_place(template[0], folder=tmp_path, pg_url=url)
    if url:
        drop(url)


@pytest.fixture
def setup(template: tuple[Place, dict[str, Any]]) -> dict[str, Any]:
    return template[1]
