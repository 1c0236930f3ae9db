"""Early-warning API, selfreport part: the residents' own reports of one's jurisdiction
(residents send them through their signed link's page, not through this API)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core.jurisdiction import scope
from fangkong.core.rights import Right
from fangkong.warning.models import SelfReport

router = Router()


class SelfReportRead(Schema):
    id: int
    person_id: int
    kind: str
    details: dict[str, Any]
    submitted_at: dt.datetime
    grid_id: int | None


class SelfReportFilter(Schema):
    kind: str = ""
    grid: int | None = None


@router.get("/self-reports", response=list[SelfReportRead])
@requires(Right.WARNING_VIEW)
def list_self_reports(request: HttpRequest,
                      filters: Query[SelfReportFilter]) -> list[SelfReportRead]:
    rows = scope(SelfReport.objects.all(), request_actor(request))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.grid is not None:
        rows = rows.filter(grid_id=filters.grid)
    return [SelfReportRead(id=r.pk, person_id=r.person_id, kind=r.kind, details=r.details,
                           submitted_at=r.submitted_at, grid_id=r.grid_id)
            for r in rows.order_by("-submitted_at", "-pk")[:500]]
