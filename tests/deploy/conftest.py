# ruff: noqa: S603  (the child processes are this interpreter running our own modules)
"""Deployments made for the tests: each its own data folder and database, driven through the
``fangkong`` command in child processes, as an operator would.

SQLite always; PostgreSQL on the server of ``FANGKONG_DATABASE_URL`` when the suite runs on it
(its own ``fk_deploy_*`` databases, dropped afterwards). A database migrated once per module is
the template every source deployment is cloned from (a file copy; ``CREATE DATABASE ...
TEMPLATE``), so each test pays for the migrations once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_URL = os.environ.get("FANGKONG_DATABASE_URL", "")
ON_PG = urlparse(RUN_URL).scheme in {"postgres", "postgresql"}
SECRET = "deploy-test-secret-" + "x" * 40

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.django_db,  # kept by the PostgreSQL pass (tests/conftest.py)
        pytest.mark.skipif(not ON_PG, reason="the suite does not run on PostgreSQL")]),
]


@dataclass
class Deployment:
    """A data folder and a database URL: what ``fangkong`` runs against."""

    data_dir: Path
    url: str
    extra: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FANGKONG_")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(FANGKONG_DATA_DIR=str(self.data_dir), FANGKONG_DATABASE_URL=self.url,
                   FANGKONG_SECRET_KEY=SECRET, FANGKONG_JOBS_IMMEDIATE="1", **self.extra)
        return env

    def fangkong(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "fangkong.cli", *args], cwd=ROOT,
                              env=self.env(), capture_output=True, text=True, timeout=600,
                              check=False)

    def probe(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tests.deploy.probe", *args], cwd=ROOT,
                              env=self.env(), capture_output=True, text=True, timeout=600,
                              check=True)

    def answers(self) -> dict[str, Any]:
        return dict(json.loads(self.probe("answers").stdout.strip().splitlines()[-1]))

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "tests.deploy.probe", *args], cwd=ROOT,
                                env=self.env(), stdout=subprocess.PIPE, text=True)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(RUN_URL, autocommit=True) as con:
        con.execute(sql)


class Databases:
    """Makes empty databases and clones of a migrated template for one backend."""

    def __init__(self, *, backend: str, root: Path) -> None:
        self.backend, self.root, self.made = backend, root, []  # type: ignore[var-annotated]
        self.template = self.new()
        done = self.template.fangkong("migrate")
        assert done.returncode == 0, done.stderr

    def new(self, *, template: Deployment | None = None) -> Deployment:
        """An empty database (or a copy of ``template``'s) with its own data folder."""
        name = f"fk_deploy_{uuid.uuid4().hex[:12]}"
        folder = self.root / name
        folder.mkdir()
        if self.backend == "sqlite":
            if template is not None:
                shutil.copy(template.data_dir / "db.sqlite3", folder / "db.sqlite3")
            deployment = Deployment(data_dir=folder, url=f"sqlite:///{folder / 'db.sqlite3'}")
        else:
            _admin(f"CREATE DATABASE {name}"
                   + (f" TEMPLATE {urlparse(template.url).path[1:]}" if template else ""))
            self.made.append(name)
            deployment = Deployment(data_dir=folder, url=urlparse(RUN_URL)._replace(
                path=f"/{name}").geturl())
        return deployment

    def migrated(self) -> Deployment:
        return self.new(template=self.template)

    def drop(self) -> None:
        for name in self.made:
            _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Databases]:
    made = Databases(backend=request.param, root=tmp_path_factory.mktemp("deploy"))
    yield made
    made.drop()
