"""The PostgreSQL client tools are checked before anything is written: a missing ``pg_dump``
or one older than the server is a clear error naming the package, and no half backup stays."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from fangkong.cli.backup import write_backup
from fangkong.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL client tools")


def test_missing_pg_dump_is_named_and_leaves_nothing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(DomainError, match=r"pg_dump is not installed.*postgresql-client-"):
        write_backup(parent=tmp_path / "backups", movement=False)
    assert list((tmp_path / "backups").iterdir()) == []


def test_pg_dump_older_than_the_server_is_refused(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(DomainError, match="pg_dump 9 cannot dump a PostgreSQL 1"):
        write_backup(parent=tmp_path / "backups", movement=False)
    assert list((tmp_path / "backups").iterdir()) == []
