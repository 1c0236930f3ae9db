"""The one scoping mechanism: who the actor is, and which rows they may see (deny by default)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from fangkong.core.errors import NotFound, PermissionDenied
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level, Profile
from fangkong.core.rights import Right, rights_for

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Actor:
    """What a request may do: its user, its node of the tree and its rights."""

    user_id: int | None
    username: str
    unit: AdminUnit | None
    rights: frozenset[Right] = field(default_factory=frozenset)
    ip: str | None = None

    def can(self, right: Right) -> bool:
        return right in self.rights

    def require(self, right: Right) -> None:
        if not self.can(right):
            raise PermissionDenied(f"missing right {right.value}")


def actor_for(user: AbstractBaseUser | AnonymousUser, *, ip: str | None = None) -> Actor:
    """Build the actor of a (possibly anonymous) user; superusers get no implicit scope."""
    if not user.is_authenticated:
        return Actor(user_id=None, username="", unit=None, ip=ip)
    profile = Profile.objects.select_related("unit").filter(user_id=user.pk).first()
    if profile is None:
        return Actor(user_id=user.pk, username=user.get_username(), unit=None, ip=ip)
    return Actor(
        user_id=user.pk,
        username=user.get_username(),
        unit=profile.unit,
        rights=rights_for(list(profile.roles)),
        ip=ip,
    )


def scope(qs: QuerySet[M], actor: Actor, *, via: str = "") -> QuerySet[M]:
    """Restrict ``qs`` to the actor's subtree. ``via`` is a path to a Placed relation
    (e.g. ``"person__"``) when the rows are not Placed themselves."""
    if actor.unit is None:
        return qs.none()
    return within(qs, actor.unit, via=via)


def within(qs: QuerySet[M], unit: AdminUnit, *, via: str = "") -> QuerySet[M]:
    """Rows placed at or below ``unit``: one equality on the column of its level."""
    if unit.level == Level.CITY:
        return qs
    column = LEVEL_FIELD[Level(unit.level)]
    return qs.filter(**{f"{via}{column}_id": unit.pk})


def client_ip(request: HttpRequest) -> str | None:
    """The peer address; a proxy in front is expected to set REMOTE_ADDR correctly."""
    return request.META.get("REMOTE_ADDR") or None


def request_actor(request: HttpRequest) -> Actor:
    """The request's actor, built once and kept on the request (pages and API alike)."""
    actor = getattr(request, "actor", None)
    if actor is None:
        actor = actor_for(request.user, ip=client_ip(request))
        request.actor = actor  # type: ignore[attr-defined]
    return cast(Actor, actor)


def get_scoped(qs: QuerySet[M], actor: Actor, *, what: str, **lookup: Any) -> M:
    """Fetch one object inside the actor's scope; missing and out-of-scope look the same."""
    obj = scope(qs, actor).filter(**lookup).first()
    if obj is None:
        raise NotFound(what)
    return obj


def units_in_scope(actor: Actor) -> QuerySet[AdminUnit]:
    """Admin units the actor may see: their node, its ancestors' names are not included."""
    return scope(AdminUnit.objects.all(), actor)
