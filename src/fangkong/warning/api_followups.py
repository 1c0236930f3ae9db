"""Early-warning API, follow-ups part: the grid's list (scoped) and closing one."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core import clock
from fangkong.core.rights import Right
from fangkong.warning import followup_actions, queries_followups
from fangkong.warning.queries_followups import Filters

router = Router()


class FollowUpRead(Schema):
    id: int
    kind: str
    status: str
    summary: str
    person_id: int | None
    name: str
    phone: str
    grid_id: int | None
    created_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    done_at: dt.datetime | None
    outcome: str


class FollowUpFilter(Schema):
    status: str = "open"
    kind: str = ""
    overdue: bool = False
    grid_id: int | None = None
    limit: int = 200


class Close(Schema):
    outcome: str


@router.get("/followups", response=list[FollowUpRead])
@requires(Right.WARNING_VIEW)
def list_follow_ups(request: HttpRequest, filters: Query[FollowUpFilter]) -> list[FollowUpRead]:
    """Follow-ups of the caller's scope, overdue first; phones masked without ``pii.view``."""
    actor, now = request_actor(request), clock.now()
    rows = queries_followups.follow_ups(actor, Filters(
        status=filters.status, kind=filters.kind, overdue=filters.overdue,
        grid_id=filters.grid_id), now=now)[:max(1, min(filters.limit,
                                                       queries_followups.LIST_LIMIT))]
    return [FollowUpRead(**queries_followups.row_of(r, actor=actor, now=now)) for r in rows]


@router.get("/followups/{follow_up_id}", response=FollowUpRead)
@requires(Right.WARNING_VIEW)
def get_follow_up(request: HttpRequest, follow_up_id: int) -> FollowUpRead:
    actor = request_actor(request)
    row = queries_followups.get_follow_up(actor, follow_up_id)
    return FollowUpRead(**queries_followups.row_of(row, actor=actor, now=clock.now()))


@router.post("/followups/{follow_up_id}/close", response=FollowUpRead)
@requires(Right.WARNING_FOLLOW)
def close_follow_up(request: HttpRequest, follow_up_id: int, body: Close) -> FollowUpRead:
    """Close with what came of it (audited); 404 outside the caller's scope, 409 if closed."""
    actor = request_actor(request)
    row = followup_actions.do_close_follow_up(actor=actor, follow_up_id=follow_up_id,
                                              outcome=body.outcome)
    return FollowUpRead(**queries_followups.row_of(row, actor=actor, now=clock.now()))
