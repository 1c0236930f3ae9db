"""Two-person rule: one user requests a change, a different user approves, then it applies.

Modules register a kind with :func:`register_kind`: a ``check`` that validates the payload and
returns the Placed target (fetched through scoping), and an ``apply`` that performs it. Both run
again at decision time, inside the approving transaction, so a stale request cannot apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.models import Approval, ApprovalStatus, Placed
from fangkong.core.rights import Right


@dataclass(frozen=True)
class ApprovalKind:
    name: str
    request_right: Right
    check: Callable[..., Placed]  # (actor=, target_id=, payload=) -> target in scope
    apply: Callable[..., dict[str, Any]]  # (actor=, target=, payload=) -> audit "after"
    # What the approver must read before deciding (e.g. a misuse alert), in words.
    warnings: Callable[[Approval], list[str]] | None = None
    # False: requests come only through the module's own action (which adds its own checks),
    # never through the generic request endpoint.
    generic_request: bool = True


_KINDS: dict[str, ApprovalKind] = {}


def register_kind(kind: ApprovalKind) -> None:
    _KINDS[kind.name] = kind


def kind_named(name: str) -> ApprovalKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise DomainError(f"unknown approval kind {name!r}", field="kind") from None


def do_request(
    *, actor: Actor, kind: str, target_id: str, payload: dict[str, Any], reason: str
) -> Approval:
    spec = kind_named(kind)
    actor.require(spec.request_right)
    if actor.user_id is None:
        raise DomainError("a request needs a signed-in user", field="requested_by")
    if not reason.strip():
        raise DomainError("a reason is required", field="reason")
    with transaction.atomic():
        target = spec.check(actor=actor, target_id=target_id, payload=payload)
        approval = Approval(
            kind=kind,
            target_id=target_id,
            payload=payload,
            reason=reason.strip(),
            requested_by_id=actor.user_id,
            requested_at=clock.now(),
        )
        approval.district_id, approval.street_id = target.district_id, target.street_id
        approval.community_id, approval.grid_id = target.community_id, target.grid_id
        approval.save()
        record(actor=actor, verb="approval.request", target=approval, after=snapshot(approval))
    return approval


def check_decide(*, actor: Actor, approval_id: int) -> Approval:
    """The decider needs the right, must see the request, and must not be its requester."""
    actor.require(Right.APPROVAL_DECIDE)
    approval = get_scoped(
        Approval.objects.select_for_update(), actor, what="approval", pk=approval_id
    )
    if approval.status != ApprovalStatus.PENDING:
        raise Conflict(f"approval is already {approval.status}")
    if approval.requested_by_id == actor.user_id:
        raise DomainError("the requester cannot approve their own request", field="decided_by")
    return approval


def do_decide(*, actor: Actor, approval_id: int, approve: bool, note: str = "") -> Approval:
    with transaction.atomic():
        approval = check_decide(actor=actor, approval_id=approval_id)
        before = snapshot(approval)
        result: dict[str, Any] = {}
        if approve:
            spec = kind_named(approval.kind)
            target = spec.check(
                actor=actor, target_id=approval.target_id, payload=approval.payload
            )
            result = spec.apply(actor=actor, target=target, payload=approval.payload)
        approval.status = ApprovalStatus.APPLIED if approve else ApprovalStatus.REJECTED
        approval.decided_by_id = actor.user_id
        approval.decided_at = clock.now()
        approval.decision_note = note
        approval.save()
        record(
            actor=actor,
            verb="approval.approve" if approve else "approval.reject",
            target=approval,
            before=before,
            after={**snapshot(approval), "result": result},
        )
    return approval


def warnings_of(approval: Approval) -> list[str]:
    """The warnings the approval's kind attaches to it (none for most kinds)."""
    spec = _KINDS.get(approval.kind)
    return spec.warnings(approval) if spec is not None and spec.warnings is not None else []


def list_approvals(*, actor: Actor, status: str | None = None) -> Any:
    qs = scope(Approval.objects.all(), actor).order_by("-requested_at")
    return qs.filter(status=status) if status else qs


def get_approval(*, actor: Actor, approval_id: int) -> Approval:
    return get_scoped(Approval.objects.all(), actor, what="approval", pk=approval_id)
