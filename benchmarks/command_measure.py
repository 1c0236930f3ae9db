"""What bench_command.py times inside one backend's process: the read model's rebuild, the
dashboard's picture against the naive recount over the raw tables, and the incremental
refresh after one new case. The HTTP and browser cases are in ``command_http``."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.command import figures, queries, refresh
from fangkong.command.metrics import compute, root_id
from fangkong.command.metrics_defs import ALL
from fangkong.core import clock
from fangkong.core.models import AdminUnit, Level
from fangkong.registry.models import Person
from fangkong.tracing.models import Case

TREND_DAYS = figures.TREND_DAYS


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    out = work()
    return time.perf_counter() - began, out


def summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000,
            "min_ms": ordered[0] * 1000, "runs": len(ordered)}


def rebuild_case() -> dict[str, Any]:
    """Every figure of the last 14 days recomputed from the raw tables (after the bulk load,
    which fired no signal)."""
    today = clock.city_today()
    seconds, written = timed(lambda: refresh.rebuild(
        day_from=today - dt.timedelta(days=TREND_DAYS - 1), day_to=today))
    print(f"rebuild: {written:,} figures in {seconds:.1f} s", flush=True)
    return {"seconds": seconds, "figures": written, "metrics": len(ALL), "days": TREND_DAYS}


def units() -> dict[str, AdminUnit]:
    """The city, its first district, that district's street with the most residents."""
    city = AdminUnit.objects.get(level=Level.CITY)
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
    assert district is not None
    street_id = (Person.objects.filter(district_id=district.pk).values("street_id")
                 .order_by().annotate(n=_count()).order_by("-n")[0]["street_id"])
    return {"city": city, "district": district, "street": AdminUnit.objects.get(pk=street_id)}


def _count() -> Any:
    from django.db.models import Count

    return Count("pk")


def homes_of(unit: AdminUnit) -> list[int] | None:
    """The home units a unit's figures are kept at: None (all) for the city; the district
    and its streets; the street."""
    if unit.level == Level.CITY:
        return None
    if unit.level == Level.DISTRICT:
        return [unit.pk, *AdminUnit.objects.filter(parent=unit).values_list("pk", flat=True)]
    return [unit.pk]


def naive(unit: AdminUnit, day: dt.date) -> dict[str, list[int]]:
    """What a dashboard without a read model does per request: every metric of every trend
    day recounted over the raw tables for the unit's subtree (the same definitions as the
    read model, one grouped query each: every metric x 14 days; 24 since issue 11)."""
    root, homes = root_id(), homes_of(unit)
    assert root is not None
    first = day - dt.timedelta(days=TREND_DAYS - 1)
    out: dict[str, list[int]] = {}
    for metric in ALL:
        out[metric.name] = [sum(compute(metric, day=first + dt.timedelta(days=i), units=homes,
                                        root=root).values()) for i in range(TREND_DAYS)]
    return out


def picture_vs_naive(unit: AdminUnit, *, repeat: int, naive_repeat: int) -> dict[str, Any]:
    """The page's figures from the read model (``figures.picture``, the five reads) against
    the naive recount; today's figures must agree."""
    day = clock.city_today()
    ours, theirs, queries_ours = [], [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            seconds, _pic = timed(lambda: figures.picture(unit=unit, day=day))
        ours.append(seconds)
        queries_ours = len(captured.captured_queries)
    recount: dict[str, list[int]] = {}
    for _ in range(naive_repeat):
        seconds, recount = timed(lambda: naive(unit, day))
        theirs.append(seconds)
    stored = queries.snapshot(unit=unit, day=day)
    differ = {n: (stored[n], v[-1]) for n, v in recount.items() if stored[n] != v[-1]}
    return {"picture": summary(ours), "picture_queries": queries_ours,
            "naive": summary(theirs), "naive_queries": len(ALL) * TREND_DAYS,
            "today": stored, "differ_today": differ}


def incremental_case(street: AdminUnit) -> dict[str, Any]:
    """One new case in the community, saved as the tracing module saves it (its signal marks
    the cells after commit), then ``refresh_all``: the job's work for one event."""
    person = (Person.objects.filter(street_id=street.pk, inactive_since__isnull=True,
                                    cases__isnull=True).order_by("pk").first())
    assert person is not None
    before = queries.snapshot(unit=street, day=clock.city_today())["cases_in_community"]
    now = clock.now()
    case = Case(person=person, classification="confirmed", sample_date=now.date(),
                result_at=now, confirmed_at=now, found_in="community", origin="manual",
                created_at=now, district_id=person.district_id, street_id=person.street_id,
                community_id=person.community_id, grid_id=person.grid_id)
    mark_s, _ = timed(case.save)
    from fangkong.command.models import StaleFigure

    marks = StaleFigure.objects.count()
    refresh_s, cells = timed(refresh.refresh_all)
    after = queries.snapshot(unit=street, day=clock.city_today())["cases_in_community"]
    print(f"incremental: save+mark {mark_s * 1000:.0f} ms, refresh {refresh_s * 1000:.0f} ms "
          f"({cells} cells), street tile {before} → {after}", flush=True)
    return {"save_and_mark_ms": mark_s * 1000, "marks": marks, "refresh_ms": refresh_s * 1000,
            "cells": cells, "tile_before": before, "tile_after": after}


def new_case_for_page(street: AdminUnit) -> None:
    """A second new case, left marked for the next page request to refresh itself."""
    person = (Person.objects.filter(street_id=street.pk, inactive_since__isnull=True,
                                    cases__isnull=True).order_by("-pk").first())
    assert person is not None
    now = clock.now()
    Case.objects.create(person=person, classification="confirmed", sample_date=now.date(),
                        result_at=now, confirmed_at=now, found_in="community", origin="manual",
                        created_at=now, district_id=person.district_id,
                        street_id=person.street_id, community_id=person.community_id,
                        grid_id=person.grid_id)
