"""The places outside the city whose arrivals owe the risk-origin tests while listed. The list
is the city's (not Placed: every district applies the same one); changing it needs
``warning.manage``, reading it ``warning.view`` or ``warning.checkpoint``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.warning.models import RiskOrigin


def _may_read(actor: Actor) -> None:
    if not (actor.can(Right.CHECKPOINT) or actor.can(Right.WARNING_MANAGE)):
        actor.require(Right.WARNING_VIEW)


def origins_for(actor: Actor, *, on: dt.date | None = None) -> QuerySet[RiskOrigin]:
    """Every origin (or those listed on ``on``), newest first; none for an actor with no
    place in the tree (deny by default)."""
    _may_read(actor)
    if actor.unit is None:
        return RiskOrigin.objects.none()
    rows = RiskOrigin.objects.order_by("-listed_from", "name")
    return rows if on is None else rows.filter(_listed_q(on))


def _listed_q(on: dt.date) -> Q:
    return Q(listed_from__lte=on) & (Q(listed_until__isnull=True) | Q(listed_until__gte=on))


def listed_origin(origin: str, *, on: dt.date) -> RiskOrigin | None:
    """The listed origin an arrival's free text names on that day, by code or by name."""
    text = origin.strip()
    if not text:
        return None
    return (RiskOrigin.objects.filter(_listed_q(on))
            .filter(Q(code__iexact=text) | Q(name__iexact=text)).order_by("pk").first())


def check_add_origin(*, name: str, code: str, listed_from: dt.date,
                     listed_until: dt.date | None) -> None:
    if not name.strip():
        raise DomainError(_("give the origin's name"), field="name")
    if not code.strip():
        raise DomainError(_("give the origin's code"), field="code")
    if listed_until is not None and listed_until < listed_from:
        raise DomainError(_("the last day is before the first"), field="listed_until")
    if RiskOrigin.objects.filter(code__iexact=code.strip()).exists():
        raise DomainError(_("an origin with this code is on the list already"), field="code")


def do_add_origin(*, actor: Actor, name: str, code: str, listed_from: dt.date,
                  listed_until: dt.date | None = None, note: str = "") -> RiskOrigin:
    actor.require(Right.WARNING_MANAGE)
    check_add_origin(name=name, code=code, listed_from=listed_from, listed_until=listed_until)
    with transaction.atomic():
        row = RiskOrigin.objects.create(name=name.strip()[:100], code=code.strip()[:24],
                                        listed_from=listed_from, listed_until=listed_until,
                                        note=note.strip()[:200])
        record(actor=actor, verb="warning.origin.add", target=row, after=snapshot(row))
    return row


def do_end_origin(*, actor: Actor, origin_id: int, listed_until: dt.date) -> RiskOrigin:
    """Take an origin off the list after ``listed_until`` (its arrivals until then still owe
    their tests)."""
    actor.require(Right.WARNING_MANAGE)
    with transaction.atomic():
        row = RiskOrigin.objects.select_for_update().filter(pk=origin_id).first()
        if row is None or actor.unit is None:
            raise NotFound("risk origin")
        if listed_until < row.listed_from:
            raise DomainError(_("the last day is before the first"), field="listed_until")
        before = snapshot(row)
        row.listed_until = listed_until
        row.save(update_fields=["listed_until"])
        record(actor=actor, verb="warning.origin.end", target=row, before=before,
               after=snapshot(row))
    return row
