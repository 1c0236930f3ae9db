"""Risk-area API: list, detail, designate, raise, link a case, add a gate, proposals and their
decision. Thin handlers over ``queries``, ``actions_area`` and ``lifting``."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.risk import actions_area, lifting, queries
from fangkong.risk.models import AreaEvent, Gate, LiftProposal, RiskArea

router = Router()


class AreaEventRead(Schema):
    at: dt.datetime
    kind: str
    level_from: str
    level_to: str
    note: str


class GateRead(Schema):
    id: int
    name: str
    lat: float | None
    lon: float | None
    active: bool

    @staticmethod
    def of(gate: Gate) -> "GateRead":
        return GateRead(id=gate.pk, name=gate.name, lat=gate.lat, lon=gate.lon,
                        active=gate.active)


class AreaRead(Schema):
    id: int
    code: str
    name: str
    level: str
    designated_level: str
    status: str
    unit_id: int | None
    building_id: int | None
    district_id: int | None
    started_at: dt.datetime
    level_since: dt.datetime
    lifted_at: dt.datetime | None
    reason: str

    @staticmethod
    def of(area: RiskArea) -> "AreaRead":
        return AreaRead(id=area.pk, code=area.code, name=area.name, level=area.level,
                        designated_level=area.designated_level, status=area.status,
                        unit_id=area.unit_id, building_id=area.building_id,
                        district_id=area.district_id, started_at=area.started_at,
                        level_since=area.level_since, lifted_at=area.lifted_at,
                        reason=area.reason)


class AreaDetail(AreaRead):
    case_ids: list[int]
    events: list[AreaEventRead]
    gates: list[GateRead]

    @staticmethod
    def detail(area: RiskArea) -> "AreaDetail":
        events: list[AreaEvent] = list(area.events.all())
        return AreaDetail(**AreaRead.of(area).dict(),
                          case_ids=list(area.cases.order_by("pk").values_list("pk", flat=True)),
                          events=[AreaEventRead(at=e.at, kind=e.kind, level_from=e.level_from,
                                                level_to=e.level_to, note=e.note) for e in events],
                          gates=[GateRead.of(g) for g in area.gates.order_by("pk")])


class AreaCreate(Schema):
    level: str
    unit_id: int | None = None
    building_id: int | None = None
    name: str
    reason: str
    case_ids: list[int] = []
    started_at: dt.datetime | None = None


class LevelChange(Schema):
    level: str
    note: str = ""


class CaseLink(Schema):
    case_id: int


class GateCreate(Schema):
    name: str
    lat: float | None = None
    lon: float | None = None


class ProposalRead(Schema):
    id: int
    area_id: int
    area_code: str
    to_level: str  # empty: lift
    status: str
    proposed_at: dt.datetime
    evidence: dict[str, Any]
    decided_at: dt.datetime | None
    note: str

    @staticmethod
    def of(p: LiftProposal) -> "ProposalRead":
        return ProposalRead(id=p.pk, area_id=p.area_id, area_code=p.area.code,
                            to_level=p.to_level, status=p.status, proposed_at=p.proposed_at,
                            evidence=p.evidence, decided_at=p.decided_at, note=p.note)


class LiftDecision(Schema):
    approve: bool
    note: str = ""


@router.get("/areas", response=list[AreaRead])
@requires(Right.RISK_VIEW)
def list_areas(request: HttpRequest, level: str = "", status: str = "") -> list[AreaRead]:
    """Areas in the caller's subtree, newest first, optionally of one level and status."""
    areas = queries.filtered_areas(request_actor(request), level=level, status=status)
    return [AreaRead.of(a) for a in areas[:1000]]


@router.get("/areas/{area_id}", response=AreaDetail)
@requires(Right.RISK_VIEW)
def get_area(request: HttpRequest, area_id: int) -> AreaDetail:
    return AreaDetail.detail(queries.area_for(request_actor(request), area_id))


@router.post("/areas", response={201: AreaDetail})
@requires(Right.RISK_MANAGE)
def designate_area(request: HttpRequest, body: AreaCreate) -> Status[AreaDetail]:
    values = body.dict()
    if values["started_at"] is None:
        values.pop("started_at")
    area = actions_area.do_designate(actor=request_actor(request), **values)
    return Status(201, AreaDetail.detail(area))


@router.post("/areas/{area_id}/level", response=AreaDetail)
@requires(Right.RISK_MANAGE)
def raise_area(request: HttpRequest, area_id: int, body: LevelChange) -> AreaDetail:
    """Raise an area; lowering goes through an approved proposal."""
    area = actions_area.do_change_level(actor=request_actor(request), area_id=area_id,
                                        **body.dict())
    return AreaDetail.detail(area)


@router.post("/areas/{area_id}/cases", response=AreaDetail)
@requires(Right.RISK_MANAGE)
def link_case(request: HttpRequest, area_id: int, body: CaseLink) -> AreaDetail:
    area = actions_area.do_link_case(actor=request_actor(request), area_id=area_id,
                                     case_id=body.case_id)
    return AreaDetail.detail(area)


@router.post("/areas/{area_id}/gates", response={201: GateRead})
@requires(Right.RISK_MANAGE)
def add_gate(request: HttpRequest, area_id: int, body: GateCreate) -> Status[GateRead]:
    gate = actions_area.do_add_gate(actor=request_actor(request), area_id=area_id,
                                    **body.dict())
    return Status(201, GateRead.of(gate))


@router.get("/proposals", response=list[ProposalRead])
@requires(Right.RISK_VIEW)
def list_proposals(request: HttpRequest, status: str = "pending") -> list[ProposalRead]:
    rows = queries.proposals_for(request_actor(request), status=status)
    return [ProposalRead.of(p) for p in rows[:1000]]


@router.post("/proposals/{proposal_id}/decision", response=ProposalRead)
@requires(Right.RISK_APPROVE)
def decide_proposal(request: HttpRequest, proposal_id: int, body: LiftDecision) -> ProposalRead:
    """Approve (conditions re-checked now) or reject a proposal to lower or lift."""
    proposal = lifting.do_decide_proposal(actor=request_actor(request),
                                          proposal_id=proposal_id, **body.dict())
    return ProposalRead.of(proposal)
