"""``fangkong backup`` / ``restore`` on SQLite and PostgreSQL: a populated database is backed up,
restored into an empty one, and the app runs there (login, a page, an API call, nothing to
migrate, every table's rows); damaged backups and non-empty targets are refused; a backup
taken while another process writes holds whole transactions only."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import BACKENDS, Databases, Deployment
from tests.deploy.probe import BATCH

pytestmark = pytest.mark.parametrize("databases", BACKENDS, indirect=True)


def backup(source: Deployment, *, to: Path) -> tuple[Path, dict[str, Any]]:
    done = source.fangkong("backup", "--to", str(to))
    assert done.returncode == 0, done.stderr
    (folder,) = to.iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700  # personal data: the owner only
    return folder, json.loads((folder / "manifest.json").read_text())


def test_restore_into_an_empty_database_then_the_app_runs(databases: Databases,
                                                          tmp_path: Path) -> None:
    source = databases.migrated()
    source.probe("populate")
    (source.data_dir / "movement" / "checkins").mkdir(parents=True)
    (source.data_dir / "movement" / "checkins" / "day=2022-05-01.parquet").write_bytes(b"PAR1")
    before = source.answers()
    folder, manifest = backup(source, to=tmp_path / "backups")
    assert manifest["row_counts"] == before["counts"]
    assert "movement/checkins/day=2022-05-01.parquet" in manifest["files"]
    assert "core.0001_initial" in manifest["migrations"]

    target = databases.new()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for f in folder.iterdir():
        if f.is_file():
            (damaged / f.name).write_bytes(f.read_bytes())
    db_file = damaged / manifest["database"]["file"]
    raw = bytearray(db_file.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    db_file.write_bytes(bytes(raw))
    refused = target.fangkong("restore", "--from", str(damaged))
    assert refused.returncode == 1 and "damaged" in refused.stderr

    done = target.fangkong("restore", "--from", str(folder))
    assert done.returncode == 0, done.stderr
    after = target.answers()
    assert (after["login"], after["page"], after["api"]) == (302, 200, 200), after
    assert after["pending_migrations"] == 0
    logged_in = {**before["counts"], "django_session": before["counts"]["django_session"] + 1}
    assert after["counts"] == logged_in  # every table's rows, and the probe's new session
    restored = target.data_dir / "movement" / "checkins" / "day=2022-05-01.parquet"
    assert restored.read_bytes() == b"PAR1"

    again = target.fangkong("restore", "--from", str(folder))
    assert again.returncode == 1 and "--force" in again.stderr
    forced = target.fangkong("restore", "--from", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.answers()["counts"] == logged_in


def test_backup_while_another_process_writes_is_consistent(databases: Databases,
                                                           tmp_path: Path) -> None:
    source = databases.migrated()
    stop = tmp_path / "stop"
    writer = source.start("write", str(stop))
    deadline = time.monotonic() + 120
    while not stop.with_suffix(".started").exists():
        assert writer.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    try:
        folder, manifest = backup(source, to=tmp_path / "backups")
        time.sleep(0.3)
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=60)
    written = int(out.strip())
    in_backup = manifest["row_counts"]["auth_user"]
    assert in_backup % BATCH == 0 and 0 < in_backup < written * BATCH  # writes went on

    target = databases.new()
    done = target.fangkong("restore", "--from", str(folder))
    assert done.returncode == 0, done.stderr
    after = target.answers()
    assert after["counts"]["auth_user"] == in_backup
    assert after["batch_sizes"] == [BATCH]
