"""Health-code API, the resident's side as staff see it: appeals (list and answer), a
resident's personal link, a venue's signed code. Residents themselves use the signed-link
pages (``views_resident``), not this session-authenticated API."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fangkong.api import request_actor, requires
from fangkong.core.jurisdiction import get_scoped
from fangkong.core.rights import Right
from fangkong.healthcode import appeals, checkins, resident
from fangkong.healthcode.models import Appeal
from fangkong.registry.models import Venue

router = Router()


class AppealRead(Schema):
    id: int
    person_id: int
    colour: str
    reasons: list[str]
    message: str
    status: str
    created_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None

    @staticmethod
    def of(appeal: Appeal) -> "AppealRead":
        return AppealRead(
            id=appeal.pk, person_id=appeal.person_id, colour=appeal.colour,
            reasons=[str(r.get("code", "")) for r in appeal.reasons if isinstance(r, dict)],
            message=appeal.message, status=appeal.status, created_at=appeal.created_at,
            answer=appeal.answer, answered_at=appeal.answered_at)


class AppealFilter(Schema):
    status: str = ""


class Answer(Schema):
    answer: str


class Link(Schema):
    url: str


class VenueCode(Schema):
    venue_id: int
    token: str
    url: str


@router.get("/appeals", response=list[AppealRead])
@requires(Right.HEALTHCODE_VIEW)
def list_appeals(request: HttpRequest, filters: Query[AppealFilter]) -> list[AppealRead]:
    """Appeals of residents in the caller's jurisdiction, open ones first (at most 500)."""
    rows = appeals.appeals_for(request_actor(request), status=filters.status)
    return [AppealRead.of(a) for a in rows[:500]]


@router.post("/appeals/{appeal_id}/answer", response=AppealRead)
@requires(Right.HEALTHCODE_CHANGE)
def answer_appeal(request: HttpRequest, appeal_id: int, body: Answer) -> AppealRead:
    """Answer an open appeal (409 if already answered); the colour is not changed here."""
    return AppealRead.of(appeals.do_answer_appeal(actor=request_actor(request),
                                                  appeal_id=appeal_id, answer=body.answer))


@router.post("/persons/{person_id}/resident-link", response=Link)
@requires(Right.HEALTHCODE_VIEW)
def make_resident_link(request: HttpRequest, person_id: int) -> Link:
    """The resident's personal code page, to send them (audited: the link is a credential)."""
    path = resident.do_make_resident_link(actor=request_actor(request), person_id=person_id)
    return Link(url=request.build_absolute_uri(path))


@router.get("/venues/{venue_id}/code", response=VenueCode)
@requires(Right.REGISTRY_VIEW)
def venue_code(request: HttpRequest, venue_id: int) -> VenueCode:
    """A venue's signed code: the token and the URL its poster encodes."""
    venue = get_scoped(Venue.objects.all(), request_actor(request), what="venue", pk=venue_id)
    return VenueCode(venue_id=venue.pk, token=checkins.venue_token(venue),
                     url=request.build_absolute_uri(checkins.venue_code_url(venue)))
