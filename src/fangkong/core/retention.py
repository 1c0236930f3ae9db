"""Retention purge: modules register how to purge their personal data past its age."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings

from fangkong.core import clock

# name -> purger(cutoff) returning how many rows it purged
_PURGERS: dict[str, Callable[[dt.datetime], int]] = {}


def register_purger(name: str, purger: Callable[[dt.datetime], int]) -> None:
    _PURGERS[name] = purger


def run_purge(*, retention_days: int | None = None) -> dict[str, int]:
    """Run every purger with the cutoff ``now − retention_days``; returns counts by name."""
    days = settings.RETENTION_DAYS if retention_days is None else retention_days
    if days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = clock.now() - dt.timedelta(days=days)
    return {name: purger(cutoff) for name, purger in sorted(_PURGERS.items())}
