"""API shapes of core resources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class AuditRead(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    verb: str
    target_type: str
    target_id: str
    before: Any | None
    after: Any | None


class AuditPage(Schema):
    items: list[AuditRead]
    next_after: int | None


class ApprovalCreate(Schema):
    kind: str
    target_id: str
    payload: dict[str, Any]
    reason: str


class ApprovalDecision(Schema):
    approve: bool
    note: str = ""


class ApprovalRead(Schema):
    id: int
    kind: str
    target_id: str
    payload: dict[str, Any]
    reason: str
    status: str
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_note: str
