"""Codes API (HEALTHCODE_VIEW): the codes in scope filtered by colour or pop-up flag, one
person's code with its reasons, and "recompute now". Names are masked unless the caller holds
PII_VIEW; the pseudonym a token carries is not exposed here."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core.rights import Right
from fangkong.healthcode import queries
from fangkong.healthcode.models import PersonCode
from fangkong.healthcode.recompute import do_recompute_for
from fangkong.healthcode.views_status import shown_name

router = Router()
MAX_LIMIT = 500


class ReasonRead(Schema):
    code: str
    colour: str | None
    popup: str | None
    since: dt.datetime
    until: dt.datetime | None
    clears: str
    detail: dict[str, Any]


class CodeRead(Schema):
    person_id: int
    name: str
    colour: str
    flags: list[str]
    reasons: list[ReasonRead]
    valid_until: dt.datetime | None
    computed_at: dt.datetime
    policy: str | None

    @staticmethod
    def of(code: PersonCode, *, full_name: bool) -> "CodeRead":
        return CodeRead(
            person_id=code.person_id, name=shown_name(code.person.name, full=full_name),
            colour=code.colour, flags=list(code.flags),
            reasons=[ReasonRead(**{**r, "detail": r.get("detail") or {}})
                     for r in code.reasons],
            valid_until=code.valid_until, computed_at=code.computed_at,
            policy=code.policy.name if code.policy_id and code.policy else None)


class CodeFilter(Schema):
    colour: str = ""
    flag: str = ""
    after: int = 0
    limit: int = 100


@router.get("/codes", response=list[CodeRead])
@requires(Right.HEALTHCODE_VIEW)
def list_codes(request: HttpRequest, filters: Query[CodeFilter]) -> list[CodeRead]:
    """Codes in the caller's subtree by person id (page with ``after`` = the last id seen);
    ``colour`` green|yellow|red and ``flag`` risk_link|pool_hold|test_missing filter them."""
    actor = request_actor(request)
    qs = queries.filtered_codes(actor, colour=filters.colour, flag=filters.flag).filter(
        person_id__gt=filters.after).select_related("policy")
    limit = max(1, min(filters.limit, MAX_LIMIT))
    full = actor.can(Right.PII_VIEW)
    return [CodeRead.of(code, full_name=full) for code in qs[:limit]]


@router.get("/persons/{person_id}/code", response=CodeRead)
@requires(Right.HEALTHCODE_VIEW)
def person_code(request: HttpRequest, person_id: int) -> CodeRead:
    """One person's code (404 when out of scope, missing, or not computed yet)."""
    actor = request_actor(request)
    return CodeRead.of(queries.code_of(actor, person_id), full_name=actor.can(Right.PII_VIEW))


@router.post("/persons/{person_id}/recompute", response=CodeRead)
@requires(Right.HEALTHCODE_VIEW)
def recompute_person(request: HttpRequest, person_id: int) -> CodeRead:
    """Recompute the person's code from the facts now (created the first time)."""
    actor = request_actor(request)
    code = do_recompute_for(actor=actor, person_id=person_id)
    return CodeRead.of(queries.code_of(actor, code.person_id),
                       full_name=actor.can(Right.PII_VIEW))
