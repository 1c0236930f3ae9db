"""The job queue's embedded backend: SQLite in the data folder, which it creates itself, so
nothing has to run before Django starts (tools such as mypy's Django plugin start it too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import SqliteHuey


class DataDirSqliteHuey(SqliteHuey):
    def __init__(self, name: str = "huey", *, filename: str, **kwargs: Any) -> None:
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(name, filename=filename, **kwargs)
