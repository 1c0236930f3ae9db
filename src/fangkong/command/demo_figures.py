"""The demo's dashboard figures: the other modules' demo seeds write much of their history
in bulk (no signals), so the read model is rebuilt from the raw tables over the demo's days
once they are all in. Run it last; running it again recomputes the same figures."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Min
from django.utils import timezone

from fangkong.command.refresh import rebuild
from fangkong.core import clock
from fangkong.tracing.models import Case

TREND_DAYS = 14
MAX_DAYS = 90  # a longer history is rebuilt by hand (``refresh.rebuild``)


def demo_days(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the first case (at least the trend's 14 days, at most 90) to today."""
    first = Case.objects.aggregate(first=Min("confirmed_at"))["first"]
    start = today - dt.timedelta(days=TREND_DAYS - 1)
    if first is not None:
        start = min(start, timezone.localdate(first))
    return max(start, today - dt.timedelta(days=MAX_DAYS - 1)), today


def seed_figures(*, seed: int = 2022) -> dict[str, int]:
    """Rebuild every figure of the demo's days (``seed`` is unused: nothing random here; kept
    for the demo's common signature)."""
    started = time.monotonic()
    day_from, day_to = demo_days(clock.city_today())
    written = rebuild(day_from=day_from, day_to=day_to)
    return {"days": (day_to - day_from).days + 1, "figures": written,
            "seconds": round(time.monotonic() - started)}
