"""Command-centre API, dashboard part: the same figures as the page (``figures.picture``)."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from fangkong.api import request_actor, requires
from fangkong.command import dashboard_sim, figures, queries, refresh
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


class DashboardScenarioRead(Schema):
    id: int
    name: str
    model: str
    measure: str  # the headline's summary key: "controlled" or "attack_rate"
    headline: str  # the figure with its 95 % interval, as the page shows it


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
    scenarios: list[DashboardScenarioRead] | None  # latest finished; None without simulation.view
    children: list[ChildRead]


def _ref(unit: object) -> UnitRef:
    return UnitRef(id=unit.pk, code=unit.code, name=unit.name,  # type: ignore[attr-defined]
                   name_en=unit.name_en, level=unit.level)  # type: ignore[attr-defined]


@router.get("/dashboard", response=DashboardRead)
@requires(Right.COMMAND_VIEW)
def get_dashboard(request: HttpRequest, unit: int | None = None,
                  day: dt.date | None = None) -> DashboardRead:
    """Every figure of a unit in the caller's subtree (default: the caller's own) on a day
    (default: today), with the day before, 14 days of trend and one row per child unit, and
    the caller's latest finished simulated scenarios (null without ``simulation.view``)."""
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
    lines = dashboard_sim.latest_scenarios(actor)
    return DashboardRead(
        unit=_ref(chosen), day=pic.day, current=current, metrics=metrics,
        scenarios=None if lines is None else [
            DashboardScenarioRead(id=s.id, name=s.name, model=s.model, measure=s.measure,
                                  headline=s.headline) for s in lines],
        children=[ChildRead(unit=_ref(u), values=v) for u, v in pic.rows])
