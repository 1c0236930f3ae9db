"""The demo's dashboard figures: the other modules' demo seeds write much of their history
in bulk (no signals), so the read model is rebuilt from the raw tables over the demo's days
once they are all in. Run it last; running it again recomputes the same figures."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Max, Min
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


def outbreak_days(before: dt.date) -> tuple[dt.date, dt.date] | None:
    """The synthetic outbreak's own weeks when they lie before the recent window (the demo
    city's tracing history is dated in its generated year): from its first case, as many
    days as the cases span before ``before``, at most ``MAX_DAYS``."""
    span = Case.objects.filter(confirmed_at__date__lt=before).aggregate(
        first=Min("confirmed_at"), last=Max("confirmed_at"))
    if span["first"] is None:
        return None
    first, last = timezone.localdate(span["first"]), timezone.localdate(span["last"])
    return first, min(last + dt.timedelta(days=TREND_DAYS), before - dt.timedelta(days=1),
                      first + dt.timedelta(days=MAX_DAYS - 1))


def seed_figures(*, seed: int = 2022) -> dict[str, int]:
    """Rebuild every figure of the demo's days, and of the outbreak's weeks when they are
    older (``seed`` is unused: nothing random here; kept for the demo's common signature)."""
    started = time.monotonic()
    day_from, day_to = demo_days(clock.city_today())
    written = rebuild(day_from=day_from, day_to=day_to)
    days = (day_to - day_from).days + 1
    older = outbreak_days(day_from)
    if older is not None:
        written += rebuild(day_from=older[0], day_to=older[1])
        days += (older[1] - older[0]).days + 1
    return {"days": days, "figures": written, "seconds": round(time.monotonic() - started)}
