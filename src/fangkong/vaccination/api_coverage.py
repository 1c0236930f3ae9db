"""Vaccination API, coverage part (``vaccination.view``): a unit's coverage by age band and
its children's, the door-to-door list of the elderly not fully vaccinated (phones masked),
and a visit's outcome."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core import clock
from fangkong.core.privacy import mask_phone
from fangkong.core.rights import Right
from fangkong.vaccination import coverage, doorlist, logic
from fangkong.vaccination.policy import vaccination_rules

router = Router()


class TallyOut(Schema):
    band: str  # an age band ("60-69", "80+"), "all" or "elderly"
    residents: int
    vaccinated: int  # at least one dose
    complete: int  # primary series complete (boosted included)
    boosted: int
    percent_vaccinated: float | None
    percent_complete: float | None
    percent_boosted: float | None


class UnitOut(Schema):
    unit_id: int
    name: str
    level: int
    bands: list[TallyOut]


class CoverageOut(Schema):
    on: dt.date
    policy_bands: list[str]
    unit: UnitOut
    children: list[UnitOut]


class UnitQuery(Schema):
    unit: int | None = None


class PageQuery(Schema):
    unit: int | None = None
    after: int | None = None


class ElderlyOut(Schema):
    person_id: int
    name: str
    age: int
    phone: str  # masked
    grid_id: int | None
    status: str  # none or partial
    last_visit: str
    last_visited_at: dt.datetime | None


class ElderlyPage(Schema):
    rows: list[ElderlyOut]
    next_after: int | None


class CoverageVisitIn(Schema):
    person_id: int
    outcome: str  # will_book, refuses, contraindicated, away
    note: str = ""


class VisitOut(Schema):
    id: int
    person_id: int
    outcome: str
    visited_at: dt.datetime


def _bands(tallies: dict[str, coverage.Tally], keys: list[str]) -> list[TallyOut]:
    out = []
    for key in keys:
        t = tallies.get(key, coverage.Tally())
        out.append(TallyOut(band=key, residents=t.residents, vaccinated=t.vaccinated,
                            complete=t.complete, boosted=t.boosted,
                            percent_vaccinated=t.percent_vaccinated,
                            percent_complete=t.percent_complete,
                            percent_boosted=t.percent_boosted))
    return out


@router.get("/coverage", response=CoverageOut)
@requires(Right.VACCINATION_VIEW)
def get_coverage(request: HttpRequest, query: Query[UnitQuery]) -> CoverageOut:
    actor, today = request_actor(request), clock.city_today()
    rules = vaccination_rules(on=today)
    node = coverage.coverage_node(actor, query.unit)
    keys = [b.key for b in rules.bands] + [coverage.ALL, coverage.ELDERLY]
    totals = coverage.totals(actor=actor, node=node, rules=rules, on=today)
    children = coverage.child_rows(actor=actor, node=node, rules=rules, on=today)
    return CoverageOut(
        on=today, policy_bands=[b.key for b in rules.bands],
        unit=UnitOut(unit_id=node.pk, name=node.name, level=node.level,
                     bands=_bands(totals, keys)),
        children=[UnitOut(unit_id=r.unit.pk, name=r.unit.name, level=r.unit.level,
                          bands=_bands(r.tallies, keys)) for r in children])


@router.get("/elderly", response=ElderlyPage)
@requires(Right.VACCINATION_VIEW)
def list_elderly(request: HttpRequest, query: Query[PageQuery]) -> ElderlyPage:
    """The elderly not fully vaccinated, by person id (``after``: the last id of a page)."""
    actor, today = request_actor(request), clock.city_today()
    node = coverage.coverage_node(actor, query.unit)
    rows, next_after = coverage.elderly_page(actor=actor, node=node,
                                             rules=vaccination_rules(on=today), on=today,
                                             after=query.after)
    return ElderlyPage(next_after=next_after, rows=[ElderlyOut(
        person_id=r.person.pk, name=r.person.name, age=r.age,
        phone=mask_phone(r.person.phone) if r.person.phone else "",
        grid_id=r.person.grid_id, status=logic.STATUS_KEYS[r.status], last_visit=r.outcome,
        last_visited_at=r.visited_at) for r in rows])


@router.post("/visits", response={201: VisitOut})
@requires(Right.VACCINATION_VISIT)
def record_visit(request: HttpRequest, body: CoverageVisitIn) -> Status[VisitOut]:
    today = clock.city_today()
    visit = doorlist.do_record_visit(actor=request_actor(request), person_id=body.person_id,
                                     outcome=body.outcome, note=body.note,
                                     rules=vaccination_rules(on=today), on=today)
    return Status(201, VisitOut(id=visit.pk, person_id=visit.person_id, outcome=visit.outcome,
                                visited_at=visit.visited_at))
