"""The special-groups roster of an area (重点人群): elderly living alone, disabled, pregnant,
chronic care such as dialysis, infants; each checked once a day. A check of the same person
on the same day corrects the earlier one (a unique constraint keeps one row). A person found
in need can get a request in the same transaction, once per person and day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.registry.models import SPECIAL_GROUPS, Person
from fangkong.risk import requests
from fangkong.risk.models import AreaStatus, CareCheck, CareStatus, RequestKind, RiskArea
from fangkong.risk.queries import area_for, area_members

NOTE_MAX = 300
STATUS_ORDER: dict[str | None, int] = {
    None: 0, CareStatus.NEEDS_HELP: 1, CareStatus.UNREACHABLE: 2, CareStatus.OK: 3}


@dataclass(frozen=True)
class RosterRow:
    person: Person
    groups: tuple[str, ...]
    check: CareCheck | None


def special_q() -> Q:
    q = Q()
    for group in SPECIAL_GROUPS:
        q |= Q(**{group: True})
    return q


def roster_people(actor: Actor, area: RiskArea) -> QuerySet[Person]:
    """Members of the area in a special group whom the actor may see."""
    return scope(area_members(area).filter(special_q()), actor).select_related("household")


def roster(actor: Actor, area: RiskArea, *, day: dt.date | None = None) -> list[RosterRow]:
    """The roster with each person's check of ``day`` (today): unchecked first, then those
    needing help, not reached, and well."""
    on = day or clock.city_today()
    people = list(roster_people(actor, area))
    checks = {c.person_id: c for c in CareCheck.objects.filter(
        area=area, day=on, person_id__in=[p.pk for p in people])}
    rows = [RosterRow(person=p, groups=tuple(g for g in SPECIAL_GROUPS if getattr(p, g)),
                      check=checks.get(p.pk)) for p in people]
    rows.sort(key=lambda r: (STATUS_ORDER[r.check.status if r.check else None],
                             r.person.name, r.person.pk))
    return rows


def _check_input(*, area: RiskArea, status: str, note: str, day: dt.date,
                 request_kind: str | None) -> None:
    if area.status != AreaStatus.ACTIVE:
        raise Conflict(_("the area has been lifted"), field="area_id")
    if status not in CareStatus.values:
        raise DomainError(_("choose how the person is"), field="status")
    if len(note) > NOTE_MAX:
        raise DomainError(_("the note has at most %(n)d characters") % {"n": NOTE_MAX},
                          field="note")
    if day > clock.city_today() or day < area.started_at.date() - dt.timedelta(days=1):
        raise DomainError(_("choose a day since the area was designated, not in the future"),
                          field="day")
    if request_kind and status != CareStatus.NEEDS_HELP:
        raise DomainError(_("a request is opened only for someone who needs help"),
                          field="request_kind")
    if request_kind and request_kind not in RequestKind.values:
        raise DomainError(_("choose a kind of request"), field="request_kind")


def _roster_person(actor: Actor, area: RiskArea, person_id: int) -> Person:
    person = roster_people(actor, area).filter(pk=person_id).first()
    if person is None:
        raise DomainError(_("this person is not on the area's roster"), field="person_id")
    return person


def _save_check(*, actor: Actor, area: RiskArea, person: Person, day: dt.date, status: str,
                note: str) -> CareCheck:
    check = CareCheck.objects.select_for_update().filter(person=person, day=day).first()
    before = snapshot(check) if check else None
    if check is None:
        check = CareCheck(person=person, day=day)
        check.district_id, check.street_id = person.district_id, person.street_id
        check.community_id, check.grid_id = person.community_id, person.grid_id
    check.area, check.status, check.note = area, status, note
    check.checked_by_id, check.at = actor.user_id, clock.now()
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError as exc:  # another worker recorded this person a moment earlier
        raise Conflict(_("someone else just recorded this person: reload and correct it"),
                       field="person_id") from exc
    record(actor=actor, verb="risk.care.correct" if before else "risk.care.record",
           target=check, before=before, after=snapshot(check))
    return check


def do_record_care_check(*, actor: Actor, area_id: int, person_id: int, status: str,
                         note: str = "", day: dt.date | None = None,
                         request_kind: str | None = None) -> CareCheck:
    """Record (or correct) one person's check of the day; with ``request_kind`` and
    ``needs_help`` also open a request for their household in the same transaction."""
    actor.require(Right.RISK_SUPPORT)
    note, on = note.strip(), day or clock.city_today()
    with transaction.atomic():
        area = area_for(actor, area_id)
        _check_input(area=area, status=status, note=note, day=on, request_kind=request_kind)
        person = _roster_person(actor, area, person_id)
        check = _save_check(actor=actor, area=area, person=person, day=on, status=status,
                            note=note)
        if request_kind and person.household is not None:
            requests.do_create_request(
                actor=actor, household_id=person.household.pk, kind=request_kind,
                details=note, person_id=person.pk,
                client_key=f"care:{person.pk}:{on.isoformat()}")
    return check
