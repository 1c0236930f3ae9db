"""Corrections of a person's ID-card or phone number need a second person (two-person rule)."""

from __future__ import annotations

from typing import Any

from fangkong.core.approvals import ApprovalKind, register_kind
from fangkong.core.audit import record
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.logic import id_number_problem, phone_problem
from fangkong.registry.models import Person

KIND = "registry.person_correction"
CORRECTABLE = {"id_number": id_number_problem, "phone": phone_problem}


def check_person_correction(*, actor: Actor, target_id: str, payload: dict[str, Any]) -> Person:
    if not payload or set(payload) - set(CORRECTABLE):
        raise DomainError(f"only {', '.join(CORRECTABLE)} can be corrected", field="payload")
    for field, value in payload.items():
        problem = CORRECTABLE[field](str(value))
        if problem:
            raise DomainError(f"{field} {problem}", field=field)
    person = get_scoped(Person.objects.all(), actor, what="person", pk=int(target_id))
    new_id = payload.get("id_number")
    if new_id and Person.objects.filter(id_number=new_id).exclude(pk=person.pk).exists():
        raise DomainError("id_number belongs to another person", field="id_number")
    return person


def apply_person_correction(*, actor: Actor, target: Person, payload: dict[str, Any]) -> dict:
    before = {f: getattr(target, f) for f in payload}
    for field, value in payload.items():
        setattr(target, field, value)
    target.save()
    record(actor=actor, verb="person.correct", target=target, before=before, after=payload)
    return {"changed": sorted(payload)}


register_kind(
    ApprovalKind(
        name=KIND,
        request_right=Right.REGISTRY_CORRECT,
        check=check_person_correction,
        apply=apply_person_correction,
    )
)
