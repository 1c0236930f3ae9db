"""Scoping: a user sees their subtree only; out of scope looks exactly like missing."""

from __future__ import annotations

import pytest

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, actor_for, get_scoped, scope
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from tests.factories import City, make_user, small_city

pytestmark = pytest.mark.django_db


def _actor(unit: AdminUnit | None) -> Actor:
    return Actor(user_id=None, username="t", unit=unit, rights=frozenset(Right))


def _ancestors(unit: AdminUnit) -> set[int]:
    seen = set()
    node: AdminUnit | None = unit
    while node is not None:
        seen.add(node.pk)
        node = node.parent
    return seen


def test_every_level_sees_exactly_its_subtree() -> None:
    city: City = small_city()
    units = list(AdminUnit.objects.select_related("parent"))
    for unit in units:
        got = set(scope(Person.objects.all(), _actor(unit)).values_list("pk", flat=True))
        # brute force: a person is visible iff the unit is an ancestor of the person's grid
        want = {p.pk for p in Person.objects.select_related("grid__parent__parent__parent")
                if unit.pk in _ancestors(p.grid)}
        assert got == want, unit.name
    assert len(city.districts) == 2


def test_no_unit_sees_nothing() -> None:
    small_city()
    assert not scope(Person.objects.all(), _actor(None)).exists()


def test_out_of_scope_is_not_found_like_missing() -> None:
    city = small_city()
    officer = _actor(city.districts[1].unit)
    foreign = city.districts[0].persons[0]
    with pytest.raises(NotFound) as out_of_scope:
        get_scoped(Person.objects.all(), officer, what="person", pk=foreign.pk)
    with pytest.raises(NotFound) as missing:
        get_scoped(Person.objects.all(), officer, what="person", pk=10**9)
    assert str(out_of_scope.value) == str(missing.value)


def test_actor_for_reads_profile_rights_and_unit() -> None:
    city = small_city()
    user = make_user("o1", unit=city.districts[0].unit, roles=["district_officer", "nonsense"])
    actor = actor_for(user, ip="10.0.0.1")
    assert actor.unit == city.districts[0].unit
    assert actor.can(Right.REGISTRY_VIEW) and not actor.can(Right.PII_VIEW)


def test_user_without_profile_has_no_rights() -> None:
    from django.contrib.auth.models import User

    user = User.objects.create_user("bare", password="x")
    actor = actor_for(user)
    assert actor.unit is None and not actor.rights
