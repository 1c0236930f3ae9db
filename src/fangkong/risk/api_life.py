"""Risk API, life inside an area: requests, the special-groups roster, exit passes and the
gate check. Thin handlers over ``requests``, ``roster`` and ``passes``."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.risk import passes, requests, roster
from fangkong.risk.models import CareCheck, ExitPass, PassCheck, SupplyRequest
from fangkong.risk.queries import area_for

router = Router()


class RequestRead(Schema):
    id: int
    household_id: int
    area_id: int | None
    person_id: int | None
    kind: str
    priority: int
    status: str
    channel: str
    details: str
    deadline: dt.datetime
    overdue: bool
    assignee_id: int | None
    outcome: str

    @staticmethod
    def of(req: SupplyRequest) -> "RequestRead":
        return RequestRead(
            id=req.pk, household_id=req.household_id, area_id=req.area_id,
            person_id=req.person_id, kind=req.kind, priority=req.priority, status=req.status,
            channel=req.channel, details=req.details, deadline=req.deadline,
            overdue=requests.is_overdue(req), assignee_id=req.assignee_id, outcome=req.outcome)


class RequestCreate(Schema):
    household_id: int
    kind: str
    details: str = ""
    person_id: int | None = None
    priority: int | None = None
    channel: str = "staff"
    client_key: str = ""


class RequestFilter(Schema):
    area_id: int | None = None
    status: str = ""
    kind: str = ""
    overdue: bool = False
    mine: bool = False


class Assign(Schema):
    assignee_id: int


class Outcome(Schema):
    outcome: str


class Reason(Schema):
    reason: str


@router.get("/requests", response=list[RequestRead])
@requires(Right.RISK_VIEW)
def list_requests(request: HttpRequest, filters: Query[RequestFilter]) -> list[RequestRead]:
    """The caller's board: most urgent first, then the nearest deadline (at most 500)."""
    board = requests.board(request_actor(request), requests.BoardFilter(**filters.dict()))
    return [RequestRead.of(r) for r in board[:500]]


@router.post("/requests", response={201: RequestRead})
@requires(Right.RISK_SUPPORT)
def create_request(request: HttpRequest, body: RequestCreate) -> Status[RequestRead]:
    """File a request; the same ``client_key`` for the household returns the first one."""
    req = requests.do_create_request(actor=request_actor(request), **body.dict())
    return Status(201, RequestRead.of(req))


@router.post("/requests/{request_id}/assign", response=RequestRead)
@requires(Right.RISK_SUPPORT)
def assign_request(request: HttpRequest, request_id: int, body: Assign) -> RequestRead:
    return RequestRead.of(requests.do_assign_request(
        actor=request_actor(request), request_id=request_id, assignee_id=body.assignee_id))


@router.post("/requests/{request_id}/complete", response=RequestRead)
@requires(Right.RISK_SUPPORT)
def complete_request(request: HttpRequest, request_id: int, body: Outcome) -> RequestRead:
    return RequestRead.of(requests.do_complete_request(
        actor=request_actor(request), request_id=request_id, outcome=body.outcome))


@router.post("/requests/{request_id}/cancel", response=RequestRead)
@requires(Right.RISK_SUPPORT)
def cancel_request(request: HttpRequest, request_id: int, body: Reason) -> RequestRead:
    return RequestRead.of(requests.do_cancel_request(
        actor=request_actor(request), request_id=request_id, reason=body.reason))


class CareIn(Schema):
    person_id: int
    status: str
    note: str = ""
    day: dt.date | None = None
    request_kind: str | None = None


class CareRead(Schema):
    id: int
    person_id: int
    day: dt.date
    status: str
    note: str

    @staticmethod
    def of(check: CareCheck) -> "CareRead":
        return CareRead(id=check.pk, person_id=check.person_id, day=check.day,
                        status=check.status, note=check.note)


class RosterRead(Schema):
    person_id: int
    name: str
    groups: list[str]
    check: CareRead | None


@router.get("/areas/{area_id}/roster", response=list[RosterRead])
@requires(Right.RISK_VIEW)
def area_roster(request: HttpRequest, area_id: int) -> list[RosterRead]:
    """Today's special-groups roster of an area, unchecked people first."""
    actor = request_actor(request)
    rows = roster.roster(actor, area_for(actor, area_id))
    return [RosterRead(person_id=r.person.pk, name=r.person.name, groups=list(r.groups),
                       check=CareRead.of(r.check) if r.check else None) for r in rows]


@router.post("/areas/{area_id}/care-checks", response=CareRead)
@requires(Right.RISK_SUPPORT)
def record_care_check(request: HttpRequest, area_id: int, body: CareIn) -> CareRead:
    """Record or correct a person's check of the day (one per person and day)."""
    return CareRead.of(roster.do_record_care_check(actor=request_actor(request),
                                                   area_id=area_id, **body.dict()))


class PassIn(Schema):
    area_id: int
    household_id: int
    purpose: str
    holder_id: int | None = None
    valid_from: dt.datetime | None = None


class PassRead(Schema):
    id: int
    serial: str
    area_id: int
    household_id: int
    purpose: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    revoked: bool
    token: str

    @staticmethod
    def of(exit_pass: ExitPass) -> "PassRead":
        return PassRead(id=exit_pass.pk, serial=exit_pass.serial, area_id=exit_pass.area_id,
                        household_id=exit_pass.household_id, purpose=exit_pass.purpose,
                        valid_from=exit_pass.valid_from, valid_until=exit_pass.valid_until,
                        revoked=exit_pass.revoked_at is not None,
                        token=passes.pass_token(exit_pass))


@router.post("/passes", response={201: PassRead})
@requires(Right.RISK_SUPPORT)
def issue_pass(request: HttpRequest, body: PassIn) -> Status[PassRead]:
    """Issue an exit pass within the household limit of the version in force."""
    return Status(201, PassRead.of(passes.do_issue_pass(actor=request_actor(request),
                                                        **body.dict())))


@router.post("/passes/{pass_id}/revoke", response=PassRead)
@requires(Right.RISK_SUPPORT)
def revoke_pass(request: HttpRequest, pass_id: int) -> PassRead:
    return PassRead.of(passes.do_revoke_pass(actor=request_actor(request), pass_id=pass_id))


class GateScan(Schema):
    token: str


class GateAnswer(Schema):
    result: str
    passed: bool
    at: dt.datetime
    pass_serial: str | None
    valid_until: dt.datetime | None

    @staticmethod
    def of(check: PassCheck) -> "GateAnswer":
        exit_pass = check.exit_pass
        return GateAnswer(result=check.result, passed=check.result == "pass", at=check.at,
                          pass_serial=exit_pass.serial if exit_pass else None,
                          valid_until=exit_pass.valid_until if exit_pass else None)


@router.post("/gates/{gate_id}/check", response=GateAnswer)
@requires(Right.GATE_CHECK)
def check_at_gate(request: HttpRequest, gate_id: int, body: GateScan) -> GateAnswer:
    """Check a scanned pass at a gate; every scan is stored with its answer."""
    return GateAnswer.of(passes.check_pass_at_gate(actor=request_actor(request),
                                                   gate_id=gate_id, token=body.token))
