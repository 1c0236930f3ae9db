"""Registry reads, each scoped by jurisdiction; lists page by key (``after`` id), never OFFSET,
so page 5,000 of a million rows costs the same as page 1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Count, Model, Q, QuerySet

from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.lookups import prefix_match
from fangkong.core.models import LEVEL_FIELD, AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.logic import classify_search
from fangkong.registry.models import Building, Household, Person, Venue

M = TypeVar("M", bound=Model)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_after: int | None


def page_by_id(qs: QuerySet[M], *, after: int | None, size: int = PAGE_SIZE) -> Page[M]:
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.order_by("pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_after=rows[-1].pk if more and rows else None)


def get_unit(*, actor: Actor, unit_id: int) -> AdminUnit:
    return get_scoped(AdminUnit.objects.all(), actor, what="unit", pk=unit_id)


def list_child_units(*, actor: Actor, parent: AdminUnit | None) -> QuerySet[AdminUnit]:
    """Children of ``parent`` (or the actor's own node when None), within scope."""
    units = scope(AdminUnit.objects.all(), actor)
    if parent is None:
        return units.filter(pk=actor.unit.pk) if actor.unit else units.none()
    return units.filter(parent=parent).order_by("code")


def list_units_at(*, actor: Actor, level: Level) -> QuerySet[AdminUnit]:
    return scope(AdminUnit.objects.all(), actor).filter(level=level).order_by("code")


def list_buildings(*, actor: Actor, grid: AdminUnit, after: int | None) -> Page[Building]:
    qs = scope(Building.objects.filter(grid=grid), actor)
    return page_by_id(qs.annotate(n_households=Count("households")), after=after)


def get_building(*, actor: Actor, building_id: int) -> Building:
    return get_scoped(Building.objects.select_related("grid"), actor, what="building",
                      pk=building_id)


def list_households(*, actor: Actor, building: Building) -> QuerySet[Household]:
    qs = scope(Household.objects.filter(building=building), actor)
    return qs.annotate(n_members=Count("members")).order_by("pk")


def get_household(*, actor: Actor, household_id: int) -> Household:
    return get_scoped(Household.objects.select_related("building", "grid"), actor,
                      what="household", pk=household_id)


def list_members(*, actor: Actor, household: Household) -> QuerySet[Person]:
    qs = Person.objects.filter(household=household).select_related("grid__parent")
    return scope(qs, actor).order_by("pk")


def get_person(*, actor: Actor, person_id: int) -> Person:
    return get_scoped(Person.objects.select_related("household", "grid", "district"), actor,
                      what="person", pk=person_id)


def search_persons(*, actor: Actor, term: str, grid: AdminUnit | None = None,
                   after: int | None = None, size: int = PAGE_SIZE) -> Page[Person]:
    """Search by full ID number or phone, their last four digits, or a name prefix."""
    qs = scope(Person.objects.select_related("grid__parent"), actor)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if term.strip():
        kind, value = classify_search(term)
        qs = qs.filter(_search_filter(kind, value))
    return page_by_id(qs, after=after, size=size)


def _search_filter(kind: str, value: str) -> Q:
    if kind == "id_number":
        return Q(id_number=value)
    if kind == "phone":
        return Q(phone=value)
    if kind in ("masked_id", "masked_phone"):
        prefix, last4 = value.split(":")
        if kind == "masked_id":
            return Q(id_last4=last4, id_number__startswith=prefix)
        return Q(phone_last4=last4, phone__startswith=prefix)
    if kind == "last4":
        return Q(id_last4=value) | Q(phone_last4=value)
    return prefix_match("name", value)


def can_reveal(actor: Actor) -> bool:
    return actor.can(Right.PII_VIEW)


def list_venues(*, actor: Actor, after: int | None, kind: str = "") -> Page[Venue]:
    qs = scope(Venue.objects.select_related("grid__parent"), actor)
    return page_by_id(qs.filter(type=kind) if kind else qs, after=after)


def search_venues(*, actor: Actor, term: str, after: int | None = None,
                  size: int = PAGE_SIZE, city_wide: bool = False) -> Page[Venue]:
    """Venues whose code is ``term`` or whose name starts with it (both indexed), in scope.
    ``city_wide``: any venue of the city, for an investigator recording where a case went
    (venues are public places; a user bound to no node still sees none)."""
    qs = Venue.objects.select_related("grid__parent")
    qs = qs.none() if actor.unit is None else qs if city_wide else scope(qs, actor)
    value = term.strip()
    if value:
        qs = qs.filter(Q(venue_code=value) | prefix_match("name", value))
    return page_by_id(qs, after=after, size=size)


def grid_summary(*, actor: Actor, parent: AdminUnit) -> dict[int, dict[str, int]]:
    """Residents and special-group counts per child unit of ``parent`` (one grouped query)."""
    child_level = Level(parent.level + 1)
    column = LEVEL_FIELD[child_level]
    qs = scope(Person.objects.all(), actor).filter(**{f"{column}__parent": parent})
    rows = qs.values(f"{column}_id").annotate(
        residents=Count("pk"),
        special=Count("pk", filter=Q(over80_alone=True) | Q(disabled=True) | Q(pregnant=True)
                      | Q(chronic_care=True) | Q(infant=True)),
    )
    return {r[f"{column}_id"]: {"residents": r["residents"], "special": r["special"]}
            for r in rows}
