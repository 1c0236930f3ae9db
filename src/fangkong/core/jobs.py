"""The job queue: its embedded backend, and redelivery of the jobs a dead worker held.

The embedded backend is SQLite in the data folder, which it creates itself, so nothing has to
run before Django starts (tools such as mypy's Django plugin start it too).

Huey takes a task off the queue before it runs it, so a worker killed mid-task (``kill -9``,
the OOM killer, a power cut) loses the task: measured in docs/reliability.md, every situation
report whose worker was killed stayed "being generated" for ever. Here a worker first records
each task it takes under a key naming itself (host and process id) and deletes the record
once the task has run (or failed, or was rescheduled); a consumer that starts puts back in the
queue the tasks recorded by dead processes of its own host. A job is thus run at least once,
and may run twice when its worker died after its effect but before its record was deleted:
jobs must be idempotent (a report is generated only while it is pending, a scenario claimed
only while it is queued, or while it is running when :func:`is_redelivery` says its worker
died). The short step between taking a task and recording it is still
unprotected, and so is a lock whose holder died without holding a recorded task.
"""

from __future__ import annotations

import logging
import os
import socket
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Task

log = logging.getLogger(__name__)
TAKEN = "fangkong.taken."  # + task id: b"host\0pid\0" + the task's message
REDELIVERED = "fangkong.redelivered."  # + task id: queued again after its worker died
_redelivery: ContextVar[bool] = ContextVar("fangkong_redelivery", default=False)


def is_redelivery() -> bool:
    """Whether the task running now was queued again because its worker died: a job whose
    first delivery marked its row "running" may take that row over."""
    return _redelivery.get()


def _owner() -> bytes:
    return f"{socket.gethostname()}\0{os.getpid()}\0".encode()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


class RedeliveringMixin:
    """At-least-once delivery for a Huey backend (see the module's docstring)."""

    storage: Any

    def dequeue(self) -> Task | None:
        data = self.storage.dequeue()
        if data is None:
            return None
        task: Task = self.deserialize_task(data)  # type: ignore[attr-defined]
        self.storage.put_data(TAKEN + task.id, _owner() + data)
        return task

    def execute(self, task: Task, timestamp: Any = None) -> Any:
        token = _redelivery.set(bool(self.storage.delete_data(REDELIVERED + task.id)))
        try:
            return super().execute(task, timestamp)  # type: ignore[misc]
        finally:
            _redelivery.reset(token)
            self.storage.delete_data(TAKEN + task.id)

    def create_consumer(self, **options: Any) -> Any:
        """A consumer, after the tasks of dead workers on this host are queued again. Their
        locks (``lock_task``: the periodic sweeps) died with them but stay set, and would
        refuse every later run of those jobs: when a dead worker is found, the consumer
        starts by clearing the locks."""
        redelivered = self.redeliver_orphans()
        if redelivered:
            log.warning("job queue: %d task(s) of a dead worker queued again; locks cleared",
                        redelivered)
            options["flush_locks"] = True
        return super().create_consumer(**options)  # type: ignore[misc]

    def redeliver_orphans(self) -> int:
        """Queue again the tasks taken by processes of this host that no longer run."""
        host = socket.gethostname()
        count = 0
        for key, value in self.storage.result_items().items():
            name = key.decode() if isinstance(key, bytes) else str(key)
            if not name.startswith(TAKEN):
                continue
            owner_host, pid, data = bytes(value).split(b"\0", 2)
            if owner_host.decode() != host or _alive(int(pid)):
                continue
            if self.storage.delete_data(name):  # one starting consumer wins each task
                self.storage.put_data(REDELIVERED + name[len(TAKEN):], b"1")
                self.storage.enqueue(data)
                count += 1
        return count


class DataDirSqliteHuey(RedeliveringMixin, SqliteHuey):
    def __init__(self, name: str = "huey", *, filename: str, **kwargs: Any) -> None:
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(name, filename=filename, **kwargs)


class RedeliveringRedisHuey(RedeliveringMixin, RedisHuey):
    """The production backend (``FANGKONG_REDIS_URL``), with redelivery."""
