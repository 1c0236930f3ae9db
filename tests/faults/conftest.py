"""The fault tests' places: a database of their own that the real processes they start share
(an SQLite file in the test's folder, or a PostgreSQL database named after the suite's, when
``FANGKONG_DATABASE_URL`` names PostgreSQL), never pytest-django's test database.

Each test is marked ``django_db`` only so that the PostgreSQL pass (``FANGKONG_TEST_DB_ONLY``)
keeps it: it never opens that database itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from benchmarks.faults_procs import Place, admin_url, make_place


def fault_backend() -> str:
    url = os.environ.get("FANGKONG_DATABASE_URL", "")
    return "postgresql" if urlparse(url).scheme in {"postgres", "postgresql"} else "sqlite"


@pytest.fixture
def place(tmp_path: Path, worker_id: str) -> Iterator[Place]:
    backend = fault_backend()
    pg_url = ""
    if backend == "postgresql":
        suite = urlparse(os.environ["FANGKONG_DATABASE_URL"])
        name = f"{suite.path.lstrip('/')}_faults_{worker_id}"
        pg_url = suite._replace(path=f"/{name}").geturl()
    yield make_place(backend=backend, folder=tmp_path, pg_url=pg_url)
    if pg_url:
        import psycopg

        with psycopg.connect(admin_url(pg_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(pg_url).path.lstrip("/")}" '
                         "WITH (FORCE)")
