"""The demo's situation reports: yesterday's reports of the city and of each district, made
as the daily job makes them, so the history page is not empty and officer1 finds their
district's. Run it after ``demo_figures.seed_figures`` (the reports read the read model).

The demo runs no worker: the generation is called here directly after the request. Where a
worker or inline jobs run it too, the second run finds the report done and changes nothing.
Seeded once: a unit whose scheduled report of yesterday exists is skipped."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings

from fangkong.command import reports
from fangkong.command.models import ReportStatus, SituationReport
from fangkong.core import clock
from fangkong.core.models import AdminUnit, Level


def seed_reports(*, seed: int = 2022) -> dict[str, int]:
    """Yesterday's city and district reports (``seed`` is unused: nothing random here)."""
    started = time.monotonic()
    actor = reports.system_actor()
    if actor.unit is None:
        return {"situation_reports": 0, "ready": 0, "seconds": 0}
    day = clock.city_today() - dt.timedelta(days=1)
    units = [actor.unit, *AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")]
    done = set(SituationReport.objects.filter(day=day, scheduled=True)
               .values_list("unit_id", flat=True))
    made = []
    for unit in units:
        if unit.pk in done:
            continue
        report = reports.do_request_report(actor=actor, unit_id=unit.pk, day=day,
                                           language=settings.LANGUAGE_CODE, scheduled=True)
        made.append(reports.do_generate_report(report_id=report.pk))
    return {"situation_reports": len(made),
            "ready": sum(1 for r in made if r is not None and r.status == ReportStatus.READY),
            "seconds": round(time.monotonic() - started)}
