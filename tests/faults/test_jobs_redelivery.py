"""Redelivery of the jobs a dead worker held (core/jobs.py), on the embedded backend: the
record a worker keeps of the task in hand, and what a starting consumer does with the records
of dead processes. The kill -9 of a real worker is in test_jobs.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fangkong.core import jobs
from fangkong.core.jobs import TAKEN, DataDirSqliteHuey


def dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)
    return int(process.stdout)


@pytest.fixture
def huey(tmp_path: Path) -> DataDirSqliteHuey:
    return DataDirSqliteHuey("faults", filename=str(tmp_path / "q" / "jobs.sqlite3"))


def taken(huey: DataDirSqliteHuey) -> list[str]:
    return [k for k in huey.storage.result_items() if str(k).startswith(TAKEN)]


def test_a_task_run_to_its_end_leaves_no_record(huey: DataDirSqliteHuey) -> None:
    done: list[int] = []

    @huey.task()
    def job(n: int) -> None:
        done.append(n)

    job(1)
    task = huey.dequeue()
    assert task is not None and taken(huey) == [TAKEN + task.id]
    huey.execute(task)
    assert done == [1]
    assert taken(huey) == []


def test_a_failing_task_leaves_no_record(huey: DataDirSqliteHuey) -> None:
    @huey.task()
    def job() -> None:
        raise ValueError("boom")

    job()
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    assert taken(huey) == []


def test_the_task_of_a_dead_worker_is_queued_again_once(huey: DataDirSqliteHuey,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    done: list[int] = []

    @huey.task()
    def job(n: int) -> None:
        done.append(n)

    job(7)
    pid = dead_pid()
    with monkeypatch.context() as m:
        m.setattr(jobs.os, "getpid", lambda: pid)
        task = huey.dequeue()  # taken by a process that then died
    assert task is not None and huey.dequeue() is None
    huey.create_consumer(workers=1)
    assert taken(huey) == []
    again = huey.dequeue()
    assert again is not None and again.id == task.id
    huey.execute(again)
    assert done == [7]
    huey.create_consumer(workers=1)  # a second start finds nothing more
    assert huey.dequeue() is None


def test_the_task_of_a_live_worker_is_left_alone(huey: DataDirSqliteHuey) -> None:
    @huey.task()
    def job() -> None:
        pass

    job()
    assert huey.dequeue() is not None  # held by this process, alive
    assert huey.redeliver_orphans() == 0
    assert huey.dequeue() is None
    assert len(taken(huey)) == 1


def test_a_dead_workers_lock_is_cleared_when_its_task_comes_back(
        huey: DataDirSqliteHuey, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    @huey.task()
    @huey.lock_task("sweep")
    def sweep() -> None:
        ran.append("sweep")

    sweep()
    huey.lock_task("sweep").acquire()  # the dead worker was inside the sweep
    pid = dead_pid()
    with monkeypatch.context() as m:
        m.setattr(jobs.os, "getpid", lambda: pid)
        assert huey.dequeue() is not None
    huey.create_consumer(workers=1)
    assert not huey.is_locked("sweep")
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    assert ran == ["sweep"]


def test_a_redelivered_task_knows_it_and_a_first_delivery_does_not(
        huey: DataDirSqliteHuey, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job that marked its row "running" and died must be able to take that row over when
    it comes back, and only then (a second copy of a live job must not)."""
    seen: list[bool] = []

    @huey.task()
    def job() -> None:
        seen.append(jobs.is_redelivery())

    job()
    pid = dead_pid()
    with monkeypatch.context() as m:
        m.setattr(jobs.os, "getpid", lambda: pid)
        assert huey.dequeue() is not None  # taken by a process that then died
    huey.create_consumer(workers=1)
    again = huey.dequeue()
    assert again is not None
    huey.execute(again)
    job()
    fresh = huey.dequeue()
    assert fresh is not None
    huey.execute(fresh)
    assert seen == [True, False]
    assert jobs.is_redelivery() is False
