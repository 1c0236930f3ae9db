"""Handlers of imported frozen goods and their tests. A handler is a registry person at a
cold place with a role; their tests are the samples ``testing`` already stores (any sample
taken counts), so nothing is typed twice. The state (tested, due, overdue, due now) follows
the policy's interval for the role (``logic.test_state``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.coldchain.logic import OVERDUE, TestState, test_state
from fangkong.coldchain.models import ColdPlace, Handler, HandlerRole
from fangkong.coldchain.policy import coldchain_rules
from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.testing.models import Sample


def do_add_handler(*, actor: Actor, place_id: int, id_number: str, role: str,
                   since: dt.date | None = None) -> Handler:
    """A registry resident (by ID number) starts handling frozen goods at a place of the
    actor's unit."""
    actor.require(Right.COLDCHAIN_RECORD)
    if role not in HandlerRole.values:
        raise DomainError(_("unknown handler role"), field="role")
    place = get_scoped(ColdPlace.objects.all(), actor, what="cold-chain place", pk=place_id)
    person = Person.objects.filter(id_number=(id_number or "").strip().upper(),
                                   purged=False).first()
    if person is None:
        raise DomainError(_("no resident has this ID number"), field="id_number")
    row = Handler(person=person, place=place, role=role, since=since or clock.city_today())
    row.district_id, row.street_id = place.district_id, place.street_id
    row.community_id, row.grid_id = place.community_id, place.grid_id
    try:
        with transaction.atomic():
            row.save()
            record(actor=actor, verb="coldchain.handler.add", target=row, after=snapshot(row))
    except IntegrityError as exc:
        raise DomainError(_("this person already handles goods at this place"),
                          field="id_number") from exc
    return row


@dataclass(frozen=True)
class HandlerRow:
    handler: Handler
    last_sample: dt.datetime | None
    state: TestState


def last_samples(person_ids: set[int]) -> dict[int, dt.datetime]:
    rows = Sample.objects.filter(person_id__in=person_ids).values("person_id").annotate(
        last=Max("sampled_at"))
    return {r["person_id"]: r["last"] for r in rows}


def with_states(handlers: list[Handler], *, today: dt.date | None = None) -> list[HandlerRow]:
    today = today or clock.city_today()
    rules = coldchain_rules(on=today)
    last = last_samples({h.person_id for h in handlers})
    zone = timezone.get_current_timezone()
    return [HandlerRow(h, last.get(h.person_id), test_state(
        rules, role=h.role, since=h.since, last_sample=last.get(h.person_id),
        due_now_since=h.due_now_since, today=today, local=zone)) for h in handlers]


def handlers_for(actor: Actor, *, place_id: int | None = None,
                 owing_only: bool = False) -> list[HandlerRow]:
    """Active handlers of the actor's area with their state; ``owing_only`` keeps those due,
    overdue or due now, most urgent first."""
    actor.require(Right.COLDCHAIN_VIEW)
    qs = scope(Handler.objects.filter(active=True), actor).select_related(
        "person", "place__venue").order_by("place_id", "id")
    if place_id is not None:
        qs = qs.filter(place_id=place_id)
    rows = with_states(list(qs[:5000]))
    if owing_only:
        order = {"due_now": 0, OVERDUE: 1, "due": 2}
        rows = sorted((r for r in rows if r.state.state in order),
                      key=lambda r: (order[r.state.state], r.state.due_on))
    return rows
