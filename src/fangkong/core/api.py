"""Core API: the audit log and two-person approvals."""


from django.http import HttpRequest
from ninja import Query, Router

from fangkong.api import request_actor, requires
from fangkong.core import approvals
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import scope
from fangkong.core.models import Approval, AuditLog
from fangkong.core.rights import Right
from fangkong.core.schemas import (
    ApprovalCreate,
    ApprovalDecision,
    ApprovalRead,
    AuditPage,
)

router = Router(tags=["core"])
PAGE = 100


@router.get("/audit", response=AuditPage)
@requires(Right.AUDIT_VIEW)
def list_audit(
    request: HttpRequest, verb: str = "", before_id: int | None = Query(None)
) -> dict[str, object]:
    """Newest first; page with ``before_id`` = the last id of the previous page."""
    qs = scope(AuditLog.objects.all(), request_actor(request)).order_by("-id")
    if verb:
        qs = qs.filter(verb=verb)
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    rows = list(qs[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return {"items": rows, "next_after": rows[-1].pk if more else None}


@router.get("/approvals", response=list[ApprovalRead])
@requires(Right.REGISTRY_VIEW)
def list_approvals(request: HttpRequest, status: str = "") -> list[Approval]:
    return list(approvals.list_approvals(actor=request_actor(request), status=status)[:200])


@router.post("/approvals", response={201: ApprovalRead})
@requires(Right.REGISTRY_VIEW)
def request_approval(request: HttpRequest, body: ApprovalCreate) -> tuple[int, Approval]:
    """The kind's own right (e.g. registry.correct) is checked by the action; kinds with an
    entry point of their own (health-code changes) are refused here."""
    if not approvals.kind_named(body.kind).generic_request:
        raise DomainError(f"request {body.kind} through its own page or endpoint", field="kind")
    approval = approvals.do_request(
        actor=request_actor(request),
        kind=body.kind,
        target_id=body.target_id,
        payload=body.payload,
        reason=body.reason,
    )
    return 201, approval


@router.post("/approvals/{approval_id}/decision", response=ApprovalRead)
@requires(Right.APPROVAL_DECIDE)
def decide_approval(request: HttpRequest, approval_id: int, body: ApprovalDecision) -> Approval:
    return approvals.do_decide(
        actor=request_actor(request), approval_id=approval_id, approve=body.approve,
        note=body.note,
    )
