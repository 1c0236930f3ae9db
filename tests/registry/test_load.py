"""Loading a generated city: every row lands, placed in the tree, scoping works, and ids
continue after the loaded ones (sequences reset on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fangkong import demo
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AdminUnit, Level
from fangkong.registry.load import load_city
from fangkong.registry.models import Building, Household, Person, Venue
from fangkong.registry.queries import search_persons
from fangkong.synth.generate import generate_city

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(out=out, residents=3000, seed=11, days=1, progress=False)
    return out


def test_load_writes_every_row_placed_in_the_tree(city_dir: Path) -> None:
    counts = load_city(src=city_dir, progress=False)
    for name, model in (("persons", Person), ("buildings", Building), ("homes", Household),
                        ("venues", Venue), ("admin_units", AdminUnit)):
        rows = pq.ParquetFile(city_dir / f"{name}.parquet").metadata.num_rows
        assert counts[f"{name}.parquet"] == rows == model.objects.count()
    person = Person.objects.select_related("grid__parent__parent__parent").first()
    assert person is not None and person.grid is not None
    assert person.grid.level == Level.GRID
    assert person.community_id == person.grid.parent_id
    assert person.district_id == person.grid.parent.parent.parent_id  # type: ignore[union-attr]
    district = AdminUnit.objects.filter(level=Level.DISTRICT).first()
    assert district is not None and district.district_id == district.pk
    assert person.id_last4 == (person.id_number or "")[-4:]


def test_new_rows_get_fresh_ids_after_load(city_dir: Path) -> None:
    load_city(src=city_dir, progress=False)
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    grid = AdminUnit.objects.filter(level=Level.GRID).first()
    assert grid is not None
    new = Person(name="新人", sex="F")
    new.place_in(grid)
    new.save()
    assert top is not None and new.pk > top


def test_refuses_second_load_and_bad_folder(city_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="missing"):
        load_city(src=tmp_path, progress=False)
    load_city(src=city_dir, progress=False)
    with pytest.raises(Conflict):
        load_city(src=city_dir, progress=False)


def test_demo_logins_see_their_own_district_only(city_dir: Path, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    load_city(src=city_dir, progress=False)
    logins = {x.username: x for x in demo.ensure_logins()}
    assert {"admin", "officer1", "officer2", "grid1"} <= set(logins)
    again = {x.username: x.password for x in demo.ensure_logins()}
    assert again == {u: x.password for u, x in logins.items()}, "same passwords on rerun"
    from django.contrib.auth.models import User

    officer1 = actor_for(User.objects.get(username="officer1"))
    officer2 = actor_for(User.objects.get(username="officer2"))
    seen1 = {p.pk for p in search_persons(actor=officer1, term="", size=10_000).items}
    seen2 = {p.pk for p in search_persons(actor=officer2, term="", size=10_000).items}
    assert seen1 and seen2 and not seen1 & seen2
    assert seen1 == set(Person.objects.filter(district=officer1.unit).values_list("pk", flat=True))
