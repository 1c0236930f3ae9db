"""Supply and care requests of households in a risk area (上门服务): who needs what, by when.

A request is Placed at its household, so the grid's workers and volunteers see exactly their
grid's requests. Its deadline comes from the policy version in force (``request_deadline_hours``
per kind); its priority defaults from the kind (emergency and dialysis are urgent). A resident
files through a signed household link (salt ``risk.household``); a client key makes a resent
form or API call store one request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for, get_scoped, scope, within
from fangkong.core.models import Placed
from fangkong.core.rights import Right
from fangkong.registry.models import Household, Person
from fangkong.risk.models import (
    AreaStatus,
    Priority,
    RequestChannel,
    RequestKind,
    RequestStatus,
    RiskArea,
    SupplyRequest,
)
from fangkong.risk.policy import risk_rules

LINK_SALT = "risk.household"
DEFAULT_PRIORITY = {
    RequestKind.EMERGENCY: Priority.URGENT, RequestKind.DIALYSIS: Priority.URGENT,
    RequestKind.PREGNANCY: Priority.HIGH, RequestKind.MEDICINE: Priority.HIGH,
}
LEVEL_ORDER = {"sealed": 0, "controlled": 1, "precaution": 2}
OPEN_STATES = (RequestStatus.OPEN, RequestStatus.ASSIGNED)
TEXT_MAX = 1000
KEY_MAX = 64


# ---------------------------------------------------------------- areas of a household


def covers(area: RiskArea, household: Household) -> bool:
    """Whether ``area`` (a node of the tree or one building) covers the household."""
    if area.building_id is not None:
        return area.building_id == household.building_id
    places = {household.district_id, household.street_id, household.community_id,
              household.grid_id}
    return area.unit_id in places


def active_area_of(household: Household) -> RiskArea | None:
    """The strictest active area covering the household (sealed before controlled)."""
    places = [p for p in (household.district_id, household.street_id,
                          household.community_id, household.grid_id) if p is not None]
    found = list(RiskArea.objects.filter(status=AreaStatus.ACTIVE).filter(
        Q(building_id=household.building_id) | Q(unit_id__in=places)))
    found.sort(key=lambda a: (LEVEL_ORDER.get(a.level, 9), -a.started_at.timestamp()))
    return found[0] if found else None


def area_households(area: RiskArea) -> QuerySet[Household]:
    """The households an area covers (its building's, or all under its node)."""
    if area.building_id is not None:
        return Household.objects.filter(building_id=area.building_id)
    assert area.unit is not None
    return within(Household.objects.all(), area.unit)


def households_in_areas(actor: Actor, *, area: RiskArea | None = None) -> QuerySet[Household]:
    """Households in the actor's scope inside an active area (or inside ``area``)."""
    areas = [area] if area is not None else list(
        RiskArea.objects.filter(status=AreaStatus.ACTIVE).select_related("unit"))
    found = Household.objects.none()
    for each in areas:
        found = found | area_households(each)
    return scope(found, actor).order_by("address", "id")


# ---------------------------------------------------------------- creating


def place_at(row: Placed, household: Household) -> None:
    """Place a row where its household is (its grid's workers then see it)."""
    row.district_id, row.street_id = household.district_id, household.street_id
    row.community_id, row.grid_id = household.community_id, household.grid_id


def default_priority(kind: str) -> int:
    return int(DEFAULT_PRIORITY.get(RequestKind(kind), Priority.NORMAL))


def _check_fields(*, kind: str, details: str, priority: int | None, client_key: str) -> None:
    if kind not in RequestKind.values:
        raise DomainError(_("choose a kind of request"), field="kind")
    if len(details) > TEXT_MAX:
        raise DomainError(_("the details have at most %(n)d characters") % {"n": TEXT_MAX},
                          field="details")
    if priority is not None and priority not in Priority.values:
        raise DomainError(_("choose a priority"), field="priority")
    if len(client_key) > KEY_MAX:
        raise DomainError(_("the client key has at most %(n)d characters") % {"n": KEY_MAX},
                          field="client_key")


def _person_of(household: Household, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id, household=household,
                                   inactive_since__isnull=True).first()
    if person is None:
        raise DomainError(_("this person does not live in the household"), field="person_id")
    return person


def _create(*, actor: Actor, household: Household, kind: str, details: str,
            person: Person | None, priority: int | None, channel: str,
            client_key: str) -> SupplyRequest:
    """Inside the caller's transaction: store one request, or return the one already stored
    under the same client key."""
    if client_key:
        existing = SupplyRequest.objects.filter(household=household, client_key=client_key)
        if (found := existing.first()) is not None:
            return found
    now = clock.now()
    hours = risk_rules(on=clock.city_today()).request_deadline_hours[kind]
    req = SupplyRequest(
        area=active_area_of(household), household=household, person=person, kind=kind,
        priority=default_priority(kind) if priority is None else priority,
        details=details, deadline=now + dt.timedelta(hours=hours), channel=channel,
        client_key=client_key, created_at=now, created_by_id=actor.user_id)
    place_at(req, household)
    try:
        with transaction.atomic():
            req.save(force_insert=True)
    except IntegrityError:  # the same key stored a moment earlier by a concurrent resend
        return SupplyRequest.objects.get(household=household, client_key=client_key)
    record(actor=actor, verb="risk.request.create", target=req, after=snapshot(req))
    return req


def do_create_request(*, actor: Actor, household_id: int, kind: str, details: str = "",
                      person_id: int | None = None, priority: int | None = None,
                      channel: str = RequestChannel.STAFF, client_key: str = "") -> SupplyRequest:
    """File a request for a household in the actor's jurisdiction (audited)."""
    actor.require(Right.RISK_SUPPORT)
    details, client_key = details.strip(), client_key.strip()
    _check_fields(kind=kind, details=details, priority=priority, client_key=client_key)
    if channel not in (RequestChannel.STAFF, RequestChannel.HOTLINE):
        raise DomainError(_("staff enter requests themselves or from the hotline"),
                          field="channel")
    with transaction.atomic():
        household = get_scoped(Household.objects.select_related("grid", "community"), actor,
                               what="household", pk=household_id)
        return _create(actor=actor, household=household, kind=kind, details=details,
                       person=_person_of(household, person_id), priority=priority,
                       channel=channel, client_key=client_key)


# ---------------------------------------------------------------- the resident's link


@dataclass(frozen=True)
class HouseholdLink:
    household: Household
    area: RiskArea


def household_token(household: Household, area: RiskArea) -> str:
    return signing.dumps({"h": household.pk, "a": area.pk}, salt=LINK_SALT)


def read_household_token(token: str) -> HouseholdLink:
    """The household and area of a link. A bad signature or unknown household raises
    NotFound; a link whose area is lifted raises Conflict (the link has expired)."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
        household_id, area_id = int(data["h"]), int(data["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("household link") from None
    household = Household.objects.filter(pk=household_id).select_related("grid").first()
    area = RiskArea.objects.filter(pk=area_id).first()
    if household is None or area is None or not covers(area, household):
        raise NotFound("household link")
    if area.status != AreaStatus.ACTIVE:
        raise Conflict(_("the area has been lifted"), field="token")
    return HouseholdLink(household=household, area=area)


def do_make_household_link(*, actor: Actor, household_id: int) -> str:
    """A link for a household in an active area (audited: it lets its holder file requests
    and read the household's requests)."""
    actor.require(Right.RISK_SUPPORT)
    with transaction.atomic():
        household = get_scoped(Household.objects.all(), actor, what="household",
                               pk=household_id)
        area = active_area_of(household)
        if area is None:
            raise Conflict(_("this household is in no active risk area"), field="household_id")
        record(actor=actor, verb="risk.household.link", target=household,
               after={"area": area.pk})
    return household_token(household, area)


def link_actor(household: Household, *, ip: str | None = None) -> Actor:
    """Who the audit names for a resident acting through the link: no user, no scope."""
    return Actor(user_id=None, username=f"household-link:{household.pk}", unit=None, ip=ip)


def do_request_by_link(*, token: str, kind: str, details: str = "", client_key: str = "",
                       ip: str | None = None) -> SupplyRequest:
    """A resident's request through their link; resending the same client key is a no-op."""
    link = read_household_token(token)
    details, client_key = details.strip(), client_key.strip()
    _check_fields(kind=kind, details=details, priority=None, client_key=client_key)
    with transaction.atomic():
        return _create(actor=link_actor(link.household, ip=ip), household=link.household,
                       kind=kind, details=details, person=None, priority=None,
                       channel=RequestChannel.RESIDENT, client_key=client_key)


def household_requests(household: Household) -> QuerySet[SupplyRequest]:
    """What the link shows a resident: their household's requests, newest first."""
    return SupplyRequest.objects.filter(household=household).order_by("-created_at", "-id")


# ---------------------------------------------------------------- working on a request


def _request(actor: Actor, request_id: int) -> SupplyRequest:
    return get_scoped(SupplyRequest.objects.select_for_update(), actor, what="request",
                      pk=request_id)


def may_dispatch(actor: Actor) -> bool:
    """Staff of the grid (who also hold the registry) hand requests to others; a volunteer
    holds only the risk rights and may take a request for themselves only."""
    return actor.can(Right.RISK_SUPPORT) and actor.can(Right.REGISTRY_VIEW)


def _check_assignee(actor: Actor, req: SupplyRequest, assignee_id: int) -> None:
    if assignee_id != actor.user_id and not may_dispatch(actor):
        raise PermissionDenied(_("you may take a request only for yourself"))
    user = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
    helper = actor_for(user) if user is not None else None
    if (helper is None or not helper.can(Right.RISK_SUPPORT)
            or not scope(SupplyRequest.objects.filter(pk=req.pk), helper).exists()):
        raise DomainError(_("choose someone who supports this household's grid"),
                          field="assignee_id")


def do_assign_request(*, actor: Actor, request_id: int, assignee_id: int) -> SupplyRequest:
    """Give an open request to a helper (or take it); the same assignee again is a no-op."""
    actor.require(Right.RISK_SUPPORT)
    with transaction.atomic():
        req = _request(actor, request_id)
        if req.status not in OPEN_STATES:
            raise Conflict(_("this request is already closed"), field="status")
        _check_assignee(actor, req, assignee_id)
        if req.assignee_id == assignee_id:
            return req
        before = snapshot(req)
        req.assignee_id, req.assigned_at = assignee_id, clock.now()
        req.status = RequestStatus.ASSIGNED
        req.save(update_fields=["assignee", "assigned_at", "status"])
        record(actor=actor, verb="risk.request.assign", target=req, before=before,
               after=snapshot(req))
    return req


def _close(*, actor: Actor, request_id: int, status: str, text: str, verb: str,
           field: str) -> SupplyRequest:
    actor.require(Right.RISK_SUPPORT)
    text = text.strip()
    if not text or len(text) > TEXT_MAX:
        raise DomainError(_("write 1 to %(n)d characters") % {"n": TEXT_MAX}, field=field)
    with transaction.atomic():
        req = _request(actor, request_id)
        if req.status == status:
            return req  # a resent completion or cancellation
        if req.status not in OPEN_STATES:
            raise Conflict(_("this request is already closed"), field="status")
        before = snapshot(req)
        req.status, req.outcome, req.done_at = status, text, clock.now()
        req.save(update_fields=["status", "outcome", "done_at"])
        record(actor=actor, verb=verb, target=req, before=before, after=snapshot(req))
    return req


def do_complete_request(*, actor: Actor, request_id: int, outcome: str) -> SupplyRequest:
    """Mark a request done with what was delivered or done."""
    return _close(actor=actor, request_id=request_id, status=RequestStatus.DONE, text=outcome,
                  verb="risk.request.complete", field="outcome")


def do_cancel_request(*, actor: Actor, request_id: int, reason: str) -> SupplyRequest:
    """Cancel a request no longer needed, saying why (kept in ``outcome``)."""
    return _close(actor=actor, request_id=request_id, status=RequestStatus.CANCELLED,
                  text=reason, verb="risk.request.cancel", field="reason")


# ---------------------------------------------------------------- the board


@dataclass(frozen=True)
class BoardFilter:
    area_id: int | None = None
    status: str = ""
    kind: str = ""
    overdue: bool = False
    mine: bool = False


def overdue_q(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATES, deadline__lt=now)


def requests_for(actor: Actor) -> QuerySet[SupplyRequest]:
    """The requests the actor may see."""
    return scope(SupplyRequest.objects.select_related("household", "person", "area",
                                                      "assignee"), actor)


def board(actor: Actor, filters: BoardFilter | None = None) -> QuerySet[SupplyRequest]:
    """The scoped board: most urgent first, then the nearest deadline."""
    f = filters or BoardFilter()
    qs = requests_for(actor)
    if f.area_id is not None:
        qs = qs.filter(area_id=f.area_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.overdue:
        qs = qs.filter(overdue_q(clock.now()))
    if f.mine:
        qs = qs.filter(assignee_id=actor.user_id) if actor.user_id else qs.none()
    return qs.order_by("priority", "deadline", "id")


def counts(actor: Actor, *, area_id: int | None = None) -> dict[str, int]:
    """How many requests per status, and how many are overdue, in the actor's scope."""
    qs = scope(SupplyRequest.objects.all(), actor)
    if area_id is not None:
        qs = qs.filter(area_id=area_id)
    row = qs.aggregate(
        overdue=Count("id", filter=overdue_q(clock.now())),
        **{s: Count("id", filter=Q(status=s)) for s in RequestStatus.values})
    return {k: int(v or 0) for k, v in row.items()}


def is_overdue(req: SupplyRequest) -> bool:
    return req.status in OPEN_STATES and req.deadline < clock.now()
