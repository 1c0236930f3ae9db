"""Creating users bound to one node of the admin tree with named roles."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from fangkong.core.audit import record
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Profile
from fangkong.core.rights import Right, Role


def check_create_user(*, username: str, unit_code: str, roles: list[str]) -> AdminUnit:
    if not username.strip():
        raise DomainError("username is empty", field="username")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"user {username!r} exists", field="username")
    unknown = sorted(set(roles) - {r.value for r in Role})
    if unknown:
        raise DomainError(f"unknown roles {unknown}; known: {[r.value for r in Role]}",
                          field="roles")
    unit = AdminUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise DomainError(f"no admin unit with code {unit_code!r}", field="unit")
    return unit


def do_create_user(*, actor: Actor | None, username: str, password: str, unit_code: str,
                   roles: list[str]) -> User:
    """``actor`` None means the operator at the command line (system setup), still audited."""
    if actor is not None:
        actor.require(Right.USERS_MANAGE)
    unit = check_create_user(username=username, unit_code=unit_code, roles=roles)
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        Profile.objects.create(user=user, unit=unit, roles=roles)
        record(actor=actor or _operator(unit), verb="user.create", target=user,
               target_type="auth.user", after={"unit": unit.code, "roles": roles})
    return user


def _operator(unit: AdminUnit) -> Actor:
    return Actor(user_id=None, username="cli", unit=unit)
