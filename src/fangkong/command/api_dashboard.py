"""Command-centre API, dashboard part: the same figures as the page (``figures.picture``)."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from fangkong.api import request_actor, requires
from fangkong.command import figures, queries, refresh
from fangkong.core import clock
from fangkong.core.errors import DomainError
from fangkong.core.rights import Right

router = Router()


class MetricRead(Schema):
    name: str
    label: str
    group: str
    measure: str
    value: int
    day_before: int
    trend: list[int]  # the last 14 days, oldest first, ending on ``day``


class AbsentRead(Schema):
    key: str
    label: str
    issue: str


class UnitRef(Schema):
    id: int
    code: str
    name: str
    name_en: str
    level: int


class ChildRead(Schema):
    unit: UnitRef
    values: dict[str, int]


class DashboardRead(Schema):
    unit: UnitRef
    day: dt.date
    current: bool  # False: more changes are waiting for the background job than a request does
    metrics: list[MetricRead]
    absent: list[AbsentRead]
    children: list[ChildRead]


def _ref(unit: object) -> UnitRef:
    return UnitRef(id=unit.pk, code=unit.code, name=unit.name,  # type: ignore[attr-defined]
                   name_en=unit.name_en, level=unit.level)  # type: ignore[attr-defined]


@router.get("/dashboard", response=DashboardRead)
@requires(Right.COMMAND_VIEW)
def get_dashboard(request: HttpRequest, unit: int | None = None,
                  day: dt.date | None = None) -> DashboardRead:
    """Every figure of a unit in the caller's subtree (default: the caller's own) on a day
    (default: today), with the day before, 14 days of trend and one row per child unit."""
    actor = request_actor(request)
    chosen = queries.unit_for(actor, unit)
    today = clock.city_today()
    if day is not None and day > today:
        raise DomainError(_("the day is in the future"), field="day")
    current = refresh.refresh_scope(chosen)
    pic = figures.picture(unit=chosen, day=day or today)
    metrics = [MetricRead(name=name, label=str(info.label), group=info.group,
                          measure=str(info.measure), value=pic.today[name],
                          day_before=pic.before[name], trend=pic.trends[name])
               for name, info in queries.METRICS.items()]
    return DashboardRead(
        unit=_ref(chosen), day=pic.day, current=current, metrics=metrics,
        absent=[AbsentRead(key=k, label=str(label), issue=issue)
                for k, (label, issue) in queries.ABSENT.items()],
        children=[ChildRead(unit=_ref(u), values=v) for u, v in pic.rows])
