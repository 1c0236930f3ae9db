"""The labs register: testing laboratories and their throughput, which the planner divides
a round's tubes by and the sites' boxes are addressed to.

A lab is placed at a district (or a street, community or grid inside it) in the actor's
subtree, so a district officer registers and edits the labs of their own district only, and
the planner's "labs of the site's district" rule finds it. The code is unique city-wide (it is
printed on lab reports); it does not change once registered.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope, units_in_scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.testing.models import Lab

LAB_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
NAME_MAX = 128
MAX_RATE = 100_000  # tubes an hour: the largest Chinese labs ran ~10^5 tubes a day


def labs_in_scope(actor: Actor) -> QuerySet[Lab]:
    """The labs the actor may see, with their place for the list."""
    return scope(Lab.objects.select_related("district", "street", "community", "grid"),
                 actor).order_by("code")


def _unit(actor: Actor, unit_id: int) -> AdminUnit:
    unit = units_in_scope(actor).filter(pk=unit_id).first()
    if unit is None or unit.level < Level.DISTRICT:
        raise DomainError(_("choose a district, street, community or grid in your "
                            "jurisdiction"), field="unit_id")
    return unit


def _check_fields(*, name: str, tubes_per_hour: int) -> None:
    if not name.strip() or len(name.strip()) > NAME_MAX:
        raise DomainError(_("the name has 1 to %(n)d characters") % {"n": NAME_MAX},
                          field="name")
    if not 1 <= tubes_per_hour <= MAX_RATE:
        raise DomainError(_("the capacity is 1 to %(n)d tubes an hour") % {"n": MAX_RATE},
                          field="tubes_per_hour")


def check_register_lab(*, actor: Actor, code: str, name: str, tubes_per_hour: int,
                       unit_id: int) -> AdminUnit:
    """Valid fields, a free code and a place in the actor's subtree; returns the place."""
    actor.require(Right.SCREENING_MANAGE)
    if not LAB_CODE.match(code):
        raise DomainError(_("the code is 1 to 32 letters, digits, - or _"), field="code")
    if Lab.objects.filter(code=code).exists():
        raise DomainError(_("another lab has this code"), field="code")
    _check_fields(name=name, tubes_per_hour=tubes_per_hour)
    return _unit(actor, unit_id)


def do_register_lab(*, actor: Actor, code: str, name: str, tubes_per_hour: int,
                    unit_id: int) -> Lab:
    """Register a lab at ``unit_id`` (audited, one transaction)."""
    code, name = code.strip(), name.strip()
    with transaction.atomic():
        unit = check_register_lab(actor=actor, code=code, name=name,
                                  tubes_per_hour=tubes_per_hour, unit_id=unit_id)
        lab = Lab(code=code, name=name, tubes_per_hour=tubes_per_hour)
        lab.place_in(unit)
        try:
            with transaction.atomic():
                lab.save(force_insert=True)
        except IntegrityError as exc:  # the same code registered a moment earlier
            raise Conflict(_("another lab has this code"), field="code") from exc
        record(actor=actor, verb="screening.lab.register", target=lab, after=snapshot(lab))
    return lab


def do_edit_lab(*, actor: Actor, lab_id: int, name: str | None = None,
                tubes_per_hour: int | None = None, unit_id: int | None = None) -> Lab:
    """Change a lab's name, capacity or place (the code stays); ``None`` keeps a field."""
    actor.require(Right.SCREENING_MANAGE)
    with transaction.atomic():
        lab = get_scoped(Lab.objects.select_for_update(), actor, what="lab", pk=lab_id)
        before = snapshot(lab)
        lab.name = name.strip() if name is not None else lab.name
        lab.tubes_per_hour = tubes_per_hour if tubes_per_hour is not None else lab.tubes_per_hour
        _check_fields(name=lab.name, tubes_per_hour=lab.tubes_per_hour)
        if unit_id is not None:
            lab.place_in(_unit(actor, unit_id))
        lab.save()
        record(actor=actor, verb="screening.lab.edit", target=lab, before=before,
               after=snapshot(lab))
    return lab
