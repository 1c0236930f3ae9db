"""Risk points: drafted from a case's trajectory, reviewed by a second person, published on
the public list, withdrawn when wrong. Each write is one transaction with its audit row."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.registry.models import Venue
from fangkong.tracing import logic, movement, queries
from fangkong.tracing.models import Case, RiskPoint, RiskPointStatus, TrajectoryEntry
from fangkong.tracing.policy import contact_policy, infectious_window


def case_stays(*, actor: Actor, case: Case, now: dt.datetime) -> list[logic.Stay]:
    """The case's stays at venues inside its infectious window, merged per venue: the
    interview's entries that name a venue and its check-ins from the movement data."""
    window = infectious_window(case=case, as_of=now)
    if window[1] <= window[0]:
        return []
    minutes = contact_policy(on=case.sample_date).default_stay_minutes
    default = dt.timedelta(minutes=minutes)
    entries = scope(TrajectoryEntry.objects.filter(case=case, venue__isnull=False), actor)
    stays = [logic.Stay(e.venue_id, e.start, e.end or e.start + default)
             for e in entries if e.venue_id is not None]
    stays += [logic.Stay(v, t0, t1) for v, t0, t1 in movement.checkins_of(
        person_id=case.person_id, start=window[0], end=window[1],
        default_stay_minutes=minutes)]
    return logic.merge_stays(stays, window=window)


def do_draft_risk_points(*, actor: Actor, case_id: int) -> list[RiskPoint]:
    """Draft one point per merged stay that no point of this case already covers."""
    actor.require(Right.TRACING_INVESTIGATE)
    case = queries.get_case(actor=actor, case_id=case_id)
    now = clock.now()
    stays = case_stays(actor=actor, case=case, now=now)
    venues = Venue.objects.in_bulk({s.venue_id for s in stays})
    created = []
    with transaction.atomic():
        case = get_scoped(Case.objects.select_for_update(), actor, what="case", pk=case_id)
        existing = [(p.venue_id, (p.start, p.end)) for p in RiskPoint.objects.filter(
            case=case).exclude(status=RiskPointStatus.WITHDRAWN)]
        for stay in stays:
            venue = venues.get(stay.venue_id)
            if venue is None or any(v == stay.venue_id and logic.overlaps(span, (
                    stay.start, stay.end)) for v, span in existing):
                continue
            point = RiskPoint(case=case, venue=venue, place=venue.name[:200], start=stay.start,
                              end=stay.end, created_by_id=actor.user_id, created_at=now)
            point.district_id, point.street_id = venue.district_id, venue.street_id
            point.community_id, point.grid_id = venue.community_id, venue.grid_id
            point.save()
            record(actor=actor, verb="tracing.riskpoint.draft", target=point,
                   after=snapshot(point))
            created.append(point)
    return created


def _locked_point(actor: Actor, point_id: int) -> RiskPoint:
    """Visible (its venue's or its case's area), then locked by key: row locks cannot reach
    the outer join the visibility filter needs on PostgreSQL."""
    actor.require(Right.RISKPOINT_PUBLISH)
    visible = queries.get_risk_point(actor=actor, point_id=point_id)
    return RiskPoint.objects.select_for_update().get(pk=visible.pk)


def _move(*, actor: Actor, point_id: int, verb: str, allowed: tuple[str, ...], to: str,
          stamp: str) -> RiskPoint:
    with transaction.atomic():
        point = _locked_point(actor, point_id)
        if point.status not in allowed:
            raise Conflict(_("a %(status)s risk point cannot be %(to)s")
                           % {"status": point.status, "to": to}, field="status")
        if to == RiskPointStatus.REVIEWED and point.created_by_id == actor.user_id:
            raise DomainError(_("the person who drafted a risk point cannot review it"),
                              field="reviewed_by")
        before = snapshot(point)
        point.status = to
        setattr(point, stamp, clock.now())
        if to == RiskPointStatus.REVIEWED:
            point.reviewed_by_id = actor.user_id
        point.save()
        record(actor=actor, verb=verb, target=point, before=before, after=snapshot(point))
    return point


def do_review_risk_point(*, actor: Actor, point_id: int) -> RiskPoint:
    """The second person of the two-person rule: anyone with the right but its drafter."""
    return _move(actor=actor, point_id=point_id, verb="tracing.riskpoint.review",
                 allowed=(RiskPointStatus.DRAFT,), to=RiskPointStatus.REVIEWED,
                 stamp="reviewed_at")


def do_publish_risk_point(*, actor: Actor, point_id: int) -> RiskPoint:
    return _move(actor=actor, point_id=point_id, verb="tracing.riskpoint.publish",
                 allowed=(RiskPointStatus.REVIEWED,), to=RiskPointStatus.PUBLISHED,
                 stamp="published_at")


def do_withdraw_risk_point(*, actor: Actor, point_id: int) -> RiskPoint:
    return _move(actor=actor, point_id=point_id, verb="tracing.riskpoint.withdraw",
                 allowed=(RiskPointStatus.DRAFT, RiskPointStatus.REVIEWED,
                          RiskPointStatus.PUBLISHED),
                 to=RiskPointStatus.WITHDRAWN, stamp="withdrawn_at")
