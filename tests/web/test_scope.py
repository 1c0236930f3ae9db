"""The second district's officer sees none of the first district's data, on any page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tests.factories import City

pytestmark = pytest.mark.django_db


def test_out_of_scope_objects_answer_404(officer2: Client, city: City) -> None:
    first = city.districts[0]
    for url in [
        f"/units/{first.unit.pk}/",
        f"/units/{first.grids[0].pk}/",
        f"/units/{city.unit.pk}/",
        f"/units/{first.unit.pk}/children.geojson",
        f"/grids/{first.grids[0].pk}/buildings",
        f"/buildings/{first.buildings[0].pk}/",
        f"/households/{first.households[0].pk}/",
        f"/persons/{first.persons[0].pk}/",
        f"/registry/export?unit={first.unit.pk}&kind=persons",
    ]:
        assert officer2.get(url).status_code == 404, url


def test_missing_and_out_of_scope_look_the_same(officer2: Client, city: City) -> None:
    hidden_url = f"/persons/{city.districts[0].persons[0].pk}/"
    missing = officer2.get("/persons/999999/")
    hidden = officer2.get(hidden_url)
    assert missing.status_code == hidden.status_code == 404
    token = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    missing_page = token.sub("", missing.content.decode()).replace("/persons/999999/", "URL")
    hidden_page = token.sub("", hidden.content.decode()).replace(hidden_url, "URL")
    assert missing_page == hidden_page


def test_home_shows_own_district_only(officer2: Client, city: City) -> None:
    page = officer2.get("/").content.decode()
    assert city.districts[1].unit.name in page
    assert city.districts[0].unit.name not in page
    assert city.unit.name not in page.split("<main")[1]
    data = json.loads(officer2.get(f"/units/{city.districts[1].unit.pk}/children.geojson").content)
    names = {f["properties"]["name"] for f in data["features"]}
    assert names and all(name.startswith("2") for name in names)


def test_search_and_list_show_no_foreign_residents(officer2: Client, city: City) -> None:
    foreign = city.districts[0].persons
    everyone = officer2.get("/persons/", {"q": ""}).content.decode()
    for person in foreign:
        assert person.name not in everyone
        assert f"/persons/{person.pk}/" not in everyone
        by_name = officer2.get("/persons/", {"q": person.name}).content.decode()
        assert f"/persons/{person.pk}/" not in by_name
        by_phone = officer2.get("/persons/", {"q": person.phone[-4:]}).content.decode()
        assert f"/persons/{person.pk}/" not in by_phone
    own = city.districts[1].persons[0]
    assert f"/persons/{own.pk}/" in everyone


def test_export_contains_no_foreign_rows(officer2: Client, city: City) -> None:
    response = officer2.get("/registry/export", {"kind": "persons", "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    for person in city.districts[0].persons:
        assert person.name not in text
    for person in city.districts[1].persons:
        assert person.name in text


def test_audit_log_scoped(officer1: Client, officer2: Client, grid_worker: Client,
                          city: City) -> None:
    person = city.districts[0].persons[0]
    grid_worker.post(f"/persons/{person.pk}/reveal")
    assert '<td class="mono">pii.read</td>' in officer1.get("/audit/").content.decode()
    page = officer2.get("/audit/").content.decode()
    assert '<td class="mono">pii.read</td>' not in page
