"""One place that reads the time, so tests can move it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def city_today() -> dt.date:
    """Today in the city's zone, following :func:`now` (so a test that moves one moves both)."""
    return timezone.localdate(now())
