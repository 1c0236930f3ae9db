"""Person search returns exactly what a brute-force filter returns, on either database."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.registry.queries import search_persons
from tests.factories import small_city

pytestmark = pytest.mark.django_db
NAMES = ["王", "王伟", "王伟华", "汪", "张三", "Wang", "wang", "王\U0010ffff", ""]


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(term=st.sampled_from(NAMES[:-1]) | st.text(alphabet="王伟张三Wwang", min_size=1,
                                                   max_size=3))
def test_name_prefix_search_matches_brute_force(city_with_names, term: str) -> None:  # type: ignore[no-untyped-def]
    actor = Actor(user_id=None, username="t", unit=city_with_names, rights=frozenset(Right))
    found = {p.pk for p in search_persons(actor=actor, term=term, size=1000).items}
    want = {p.pk for p in Person.objects.all() if p.name.startswith(term.strip())}
    assert found == want


@pytest.fixture
def city_with_names():  # type: ignore[no-untyped-def]
    city = small_city(people_per_grid=len(NAMES))
    people = [p for d in city.districts for p in d.persons]
    for person, name in zip(people, NAMES * 8, strict=False):
        Person.objects.filter(pk=person.pk).update(name=name)
    return city.unit
