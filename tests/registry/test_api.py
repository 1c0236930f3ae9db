"""The JSON API: scoped, masked, audited, and documented in OpenAPI."""

from __future__ import annotations

import pytest
from django.test import Client

from fangkong.core.models import AuditLog
from tests.factories import PASSWORD, City, make_user, small_city

pytestmark = pytest.mark.django_db
API = "/api/v1/registry"


@pytest.fixture
def city() -> City:
    return small_city()


def _client(city: City, username: str, *, district: int | None, roles: list[str]) -> Client:
    unit = city.unit if district is None else city.districts[district].unit
    make_user(username, unit=unit, roles=roles)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_openapi_schema_is_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert f"{API}/persons" in schema["paths"]


def test_anonymous_is_refused(client: Client, city: City) -> None:
    assert client.get(f"{API}/persons").status_code == 401


def test_search_is_masked_and_scoped(city: City) -> None:
    officer2 = _client(city, "o2", district=1, roles=["district_officer"])
    items = officer2.get(f"{API}/persons", {"q": ""}).json()["items"]
    assert {i["id"] for i in items} == {p.pk for p in city.districts[1].persons}
    assert all("*" in i["id_number"] and "*" in i["phone"] for i in items)
    mine = city.districts[0].persons[0]
    by_phone = officer2.get(f"{API}/persons", {"q": mine.phone}).json()["items"]
    assert by_phone == []


def test_out_of_scope_objects_answer_404(city: City) -> None:
    officer2 = _client(city, "o2", district=1, roles=["district_officer"])
    d1 = city.districts[0]
    assert officer2.get(f"{API}/persons/{d1.persons[0].pk}").status_code == 404
    assert officer2.get(f"{API}/units/{d1.unit.pk}").status_code == 404
    assert officer2.get(f"{API}/grids/{d1.grids[0].pk}/buildings").status_code == 404
    assert officer2.get(f"{API}/export/persons", {"unit": d1.unit.pk}).status_code == 404
    own = officer2.get(f"{API}/persons/{city.districts[1].persons[0].pk}")
    assert own.status_code == 200


def test_export_streams_only_own_district(city: City) -> None:
    officer2 = _client(city, "o2", district=1, roles=["district_officer"])
    response = officer2.get(f"{API}/export/persons")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert all(p.name in body for p in city.districts[1].persons)
    assert not any(p.name in body for p in city.districts[0].persons)
    xlsx = officer2.get(f"{API}/export/persons", {"format": "xlsx"})
    body_xlsx = b"".join(xlsx.streaming_content)  # type: ignore[attr-defined]
    assert xlsx.status_code == 200 and body_xlsx[:2] == b"PK"
    assert officer2.get(f"{API}/export/secrets").status_code == 422


def test_reveal_needs_right_and_is_audited(city: City) -> None:
    person = city.districts[0].persons[0]
    officer = _client(city, "o1", district=0, roles=["district_officer"])
    assert officer.post(f"{API}/persons/{person.pk}/reveal").status_code == 403
    assert not AuditLog.objects.filter(verb="pii.read").exists()
    worker = _client(city, "g1", district=0, roles=["grid_worker"])
    full = worker.post(f"{API}/persons/{person.pk}/reveal").json()
    assert full == {"id_number": person.id_number, "phone": person.phone}
    assert AuditLog.objects.filter(verb="pii.read", target_id=str(person.pk)).count() == 1
    foreign = _client(city, "g2", district=1, roles=["grid_worker"])
    assert foreign.post(f"{API}/persons/{person.pk}/reveal").status_code == 404


def test_import_reports_bad_rows(city: City) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = _client(city, "o1", district=0, roles=["district_officer"])
    grid = city.districts[0].grids[0].code
    data = f"name,sex,grid_code\n好,M,{grid}\n坏,?,{grid}\n".encode()
    upload = SimpleUploadedFile("p.csv", data, content_type="text/csv")
    answer = officer.post(f"{API}/import/persons", {"file": upload})
    result = answer.json()
    assert answer.status_code == 422 and result["detail"]
    assert result["imported"] == 0 and result["errors"][0]["line"] == 3
    upload = SimpleUploadedFile("p.csv", data, content_type="text/csv")
    partial = officer.post(f"{API}/import/persons", {"file": upload, "partial": "true"})
    assert partial.status_code == 200 and partial.json()["imported"] == 1


def test_units_list_children_in_scope(city: City) -> None:
    admin = _client(city, "adm", district=None, roles=["city_admin"])
    top = admin.get(f"{API}/units").json()
    assert [u["id"] for u in top] == [city.unit.pk]
    children = admin.get(f"{API}/units", {"parent": city.unit.pk}).json()
    assert [u["code"] for u in children] == [d.unit.code for d in city.districts]
