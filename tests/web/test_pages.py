"""Every page answers, shows the actor's data, and masks personal numbers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fangkong.core.models import AuditLog
from fangkong.core.privacy import mask_id_number, mask_phone
from fangkong.registry.queries import PAGE_SIZE
from tests.factories import City

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(city: City, client: Client) -> None:
    person = city.districts[0].persons[0]
    for url in ["/", f"/persons/{person.pk}/", "/persons/?q=x", "/audit/", "/registry/export"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_home_map_of_districts_for_city_admin(admin_client_: Client, city: City) -> None:
    response = admin_client_.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-src="/units/{city.unit.pk}/children.geojson"' in page
    for district in city.districts:
        assert district.unit.name in page
    assert "vendor/leaflet/leaflet.js" in page and "//cdn" not in page


def test_children_geojson_has_counts_and_links(admin_client_: Client, city: City) -> None:
    data = json.loads(admin_client_.get(f"/units/{city.unit.pk}/children.geojson").content)
    assert data["type"] == "FeatureCollection"
    props = {f["properties"]["id"]: f["properties"] for f in data["features"]}
    first = city.districts[0].unit
    assert props[first.pk]["residents"] == len(city.districts[0].persons)
    assert props[first.pk]["url"] == f"/units/{first.pk}/"
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_grid_geojson_has_itself_and_buildings(admin_client_: Client, city: City) -> None:
    grid = city.districts[0].grids[0]
    data = json.loads(admin_client_.get(f"/units/{grid.pk}/children.geojson").content)
    kinds = sorted(f["properties"]["kind"] for f in data["features"])
    assert kinds == ["building", "unit"]


def test_drill_down_grid_building_household_person(admin_client_: Client, city: City) -> None:
    d = city.districts[0]
    grid_page = admin_client_.get(f"/units/{d.grids[0].pk}/").content.decode()
    assert f"/grids/{d.grids[0].pk}/buildings" in grid_page
    buildings = admin_client_.get(f"/grids/{d.grids[0].pk}/buildings").content.decode()
    assert f"/buildings/{d.buildings[0].pk}/" in buildings
    building = admin_client_.get(f"/buildings/{d.buildings[0].pk}/").content.decode()
    assert f"/households/{d.households[0].pk}/" in building
    household = admin_client_.get(f"/households/{d.households[0].pk}/").content.decode()
    assert f"/persons/{d.persons[0].pk}/" in household


def test_breadcrumbs_from_city_for_admin(admin_client_: Client, city: City) -> None:
    grid = city.districts[0].grids[0]
    page = admin_client_.get(f"/units/{grid.pk}/").content.decode()
    assert f'href="/units/{city.unit.pk}/"' in page
    assert f'href="/units/{city.districts[0].unit.pk}/"' in page


def test_breadcrumbs_start_at_district_for_officer(officer1: Client, city: City) -> None:
    grid = city.districts[0].grids[0]
    page = officer1.get(f"/units/{grid.pk}/").content.decode()
    assert f'href="/units/{city.unit.pk}/"' not in page
    assert f'href="/units/{city.districts[0].unit.pk}/"' in page


def test_buildings_keyset_pagination(admin_client_: Client, city: City) -> None:
    from fangkong.registry.models import Building

    grid = city.districts[0].grids[0]
    extra = [Building(name=f"extra{n:03d}", address="x", lat=34.2, lon=108.9)
             for n in range(PAGE_SIZE + 5)]
    for building in extra:
        building.place_in(grid)
    Building.objects.bulk_create(extra)
    first = admin_client_.get(f"/grids/{grid.pk}/buildings").content.decode()
    assert 'rel="next"' in first and "extra000" in first
    after = first.split("?after=")[1].split('"')[0]
    second = admin_client_.get(f"/grids/{grid.pk}/buildings?after={after}").content.decode()
    assert f"extra{PAGE_SIZE + 4:03d}" in second and "extra000" not in second
    assert 'rel="next"' not in second


def test_buildings_of_a_non_grid_is_404(admin_client_: Client, city: City) -> None:
    assert admin_client_.get(f"/grids/{city.districts[0].unit.pk}/buildings").status_code == 404


def test_person_numbers_masked_without_pii_right(officer1: Client, city: City) -> None:
    person = city.districts[0].persons[0]
    page = officer1.get(f"/persons/{person.pk}/").content.decode()
    assert mask_id_number(str(person.id_number)) in page
    assert mask_phone(person.phone) in page
    assert str(person.id_number) not in page and person.phone not in page
    assert "/reveal" not in page
    assert not AuditLog.objects.filter(verb="pii.read").exists()


def test_lists_mask_numbers(grid_worker: Client, city: City) -> None:
    person = city.districts[0].persons[0]
    page = grid_worker.get(f"/households/{city.districts[0].households[0].pk}/").content.decode()
    assert mask_phone(person.phone) in page and person.phone not in page


def test_reveal_with_pii_right_shows_numbers_and_audits(grid_worker: Client, city: City) -> None:
    person = city.districts[0].persons[0]
    page = grid_worker.get(f"/persons/{person.pk}/").content.decode()
    assert f"/persons/{person.pk}/reveal" in page and person.phone not in page
    response = grid_worker.post(f"/persons/{person.pk}/reveal")
    assert response.status_code == 200
    assert str(person.id_number) in response.content.decode()
    assert person.phone in response.content.decode()
    row = AuditLog.objects.get(verb="pii.read")
    assert row.target_id == str(person.pk) and row.actor_name == "gridder"
    again = grid_worker.get(f"/persons/{person.pk}/").content.decode()
    assert person.phone not in again


def test_reveal_without_right_is_403(officer1: Client, city: City) -> None:
    person = city.districts[0].persons[0]
    assert officer1.post(f"/persons/{person.pk}/reveal").status_code == 403
    assert not AuditLog.objects.filter(verb="pii.read").exists()


def test_reveal_needs_post(grid_worker: Client, city: City) -> None:
    person = city.districts[0].persons[0]
    assert grid_worker.get(f"/persons/{person.pk}/reveal").status_code == 405


def test_search_by_name_and_last4_and_masked(officer1: Client, city: City) -> None:
    person = city.districts[0].persons[0]
    by_name = officer1.get("/persons/", {"q": person.name}).content.decode()
    assert f"/persons/{person.pk}/" in by_name
    by_phone = officer1.get("/persons/", {"q": person.phone[-4:]}).content.decode()
    assert f"/persons/{person.pk}/" in by_phone
    by_id = officer1.get("/persons/", {"q": str(person.id_number)[-4:]}).content.decode()
    assert f"/persons/{person.pk}/" in by_id


def test_search_keyset_next_link(admin_client_: Client, city: City) -> None:
    from fangkong.registry.models import Person

    grid = city.districts[0].grids[0]
    extra = [Person(name=f"赵{n:03d}", sex="M") for n in range(PAGE_SIZE + 5)]
    for person in extra:
        person.place_in(grid)
    Person.objects.bulk_create(extra)
    first = admin_client_.get("/persons/", {"q": "赵"}).content.decode()
    assert 'rel="next"' in first and "赵000" in first
    after = first.split("after=")[1].split('"')[0]
    second = admin_client_.get(f"/persons/?q=赵&after={after}").content.decode()
    assert f"赵{PAGE_SIZE + 4:03d}" in second and "赵000" not in second


def test_venues_page_and_type_filter(officer1: Client, city: City) -> None:
    page = officer1.get("/venues/").content.decode()
    assert city.districts[0].venues[0].name in page
    assert city.districts[1].venues[0].name not in page
    none = officer1.get("/venues/", {"type": "school"}).content.decode()
    assert city.districts[0].venues[0].name not in none


def test_nav_lists_built_and_coming_modules(admin_client_: Client) -> None:
    page = admin_client_.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ["Risk areas", "Quarantine", "Health code", "Hotline tickets",
                  "Command dashboard", "Simulation", "Analytics", "Testing and screening",
                  "Supplies and prices", "Cold-chain batches", "Vaccination coverage"]:
        assert label in page
    assert 'href="/simulation/"' in page
    # still coming: analytics
    assert page.count('aria-disabled="true"') == 1


def test_nav_hides_entries_without_right(city: City, client: Client) -> None:
    from tests.factories import make_user

    make_user("viewer", unit=city.unit, roles=["viewer"])
    client.force_login(__import__("django.contrib.auth.models").contrib.auth.models.User
                       .objects.get(username="viewer"))
    page = client.get("/").content.decode()
    assert 'href="/audit/"' not in page and 'href="/registry/export"' not in page
    assert client.get("/audit/").status_code == 403


def test_user_without_unit_sees_nothing(city: City, client: Client) -> None:
    from django.contrib.auth.models import User

    from tests.factories import make_user

    make_user("nowhere", unit=None, roles=["city_admin"])
    client.force_login(User.objects.get(username="nowhere"))
    assert client.get("/").status_code == 200
    assert client.get(f"/persons/{city.districts[0].persons[0].pk}/").status_code == 404
    assert "/persons/" not in client.get("/persons/?q=").content.decode().split("<table")[1]


def test_list_pages_use_a_constant_number_of_queries(
    admin_client_: Client, city: City, django_assert_max_num_queries: Any
) -> None:
    """Rows are fetched in one query per page, whatever the page size (no N+1)."""
    d = city.districts[0]
    admin_client_.get("/")  # warm the session and the actor's profile
    for url in ["/persons/?q=", f"/grids/{d.grids[0].pk}/buildings",
                f"/households/{d.households[0].pk}/", f"/buildings/{d.buildings[0].pk}/",
                "/venues/", f"/units/{city.unit.pk}/"]:
        with django_assert_max_num_queries(8):
            assert admin_client_.get(url).status_code == 200
