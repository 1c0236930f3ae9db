"""The tracing API: rights per operation, masked persons, audited writes, field-named errors,
key pagination, and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import Client

from fangkong.core.models import AuditLog
from tests.factories import PASSWORD, City
from tests.tracing.world import DAY, Team, add_contact, at, register

pytestmark = pytest.mark.django_db
API = "/api/v1/tracing"


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _post(client: Client, path: str, body: dict[str, object]) -> object:
    return client.post(API + path, body, content_type="application/json")


def test_schema_lists_tracing_operations(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {f"{API}/cases", f"{API}/contacts", f"{API}/funnel", f"{API}/chains"} <= set(paths)


def test_anonymous_is_refused(client: Client, t: Team) -> None:
    assert client.get(f"{API}/cases").status_code == 401


def test_register_case_and_errors_name_the_field(city: City, t: Team) -> None:
    tracer = _login("tracer1")
    person = city.districts[0].persons[0]
    body = {"person_id": person.pk, "classification": "confirmed",
            "sample_date": DAY.isoformat(), "result_at": at(20).isoformat(),
            "onset_date": DAY.isoformat()}
    created = _post(tracer, "/cases", body)
    assert created.status_code == 201  # type: ignore[attr-defined]
    data = created.json()  # type: ignore[attr-defined]
    assert data["person"]["id"] == person.pk and "*" in data["person"]["phone"]
    again = _post(tracer, "/cases", body)
    assert again.status_code == 422 and again.json()["field"] == "person_id"  # type: ignore[attr-defined]
    grid = _login("grid1")  # may view, not investigate
    assert _post(grid, "/cases", body).status_code == 403  # type: ignore[attr-defined]
    assert AuditLog.objects.filter(verb="tracing.case.register").count() == 1


def test_case_list_pages_by_key(city: City, t: Team) -> None:
    cases = [register(t.tracer, p) for p in city.districts[0].persons[:5]]
    officer = _login("officer1")
    first = officer.get(f"{API}/cases", {"limit": 2}).json()
    assert [c["id"] for c in first["items"]] == [cases[4].pk, cases[3].pk]
    rest = officer.get(f"{API}/cases", {"limit": 2, "after": first["next_after"]}).json()
    assert [c["id"] for c in rest["items"]] == [cases[2].pk, cases[1].pk]
    named = officer.get(f"{API}/cases", {"q": city.districts[0].persons[0].name}).json()
    assert [c["id"] for c in named["items"]] == [cases[0].pk]


def test_trajectory_and_timeline(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0], isolated_at=at(21))
    tracer = _login("tracer1")
    venue = city.districts[0].venues[0]
    made = _post(tracer, f"/cases/{case.pk}/trajectory",
                 {"start": at(9).isoformat(), "end": at(10).isoformat(), "venue_id": venue.pk})
    assert made.status_code == 201  # type: ignore[attr-defined]
    entry_id = made.json()["id"]  # type: ignore[attr-defined]
    timeline = tracer.get(f"{API}/cases/{case.pk}/timeline").json()
    assert [(i["kind"], i["venue_name"]) for i in timeline] == [("interview", venue.name)]
    bad = _post(tracer, f"/cases/{case.pk}/trajectory", {"start": at(9).isoformat()})
    assert bad.json()["field"] == "place"  # type: ignore[attr-defined]
    assert tracer.delete(f"{API}/trajectory/{entry_id}").status_code == 204


def test_contacts_workflow_through_api(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    contact = add_contact(case, city.districts[0].persons[1])
    grid = _login("grid1")
    listed = grid.get(f"{API}/contacts", {"status": "identified"}).json()["items"]
    assert [c["id"] for c in listed] == [contact.pk] and "*" in listed[0]["person"]["id_number"]
    moved = _post(grid, f"/contacts/{contact.pk}/advance", {"to_status": "transferred"})
    assert moved.status_code == 422 and moved.json()["field"] == "disposition"  # type: ignore[attr-defined]
    moved = _post(grid, f"/contacts/{contact.pk}/advance",
                  {"to_status": "transferred", "disposition": "home", "destination": "家中"})
    assert moved.json()["status"] == "transferred"  # type: ignore[attr-defined]
    back = _post(grid, f"/contacts/{contact.pk}/advance", {"to_status": "notified"})
    assert back.status_code == 409  # type: ignore[attr-defined]
    full = _post(grid, f"/contacts/{contact.pk}/reveal", {}).json()  # type: ignore[attr-defined]
    assert full["phone"] == city.districts[0].persons[1].phone
    assert AuditLog.objects.filter(verb="pii.read").count() == 1
    officer = _login("officer1")  # no PII right
    assert _post(officer, f"/contacts/{contact.pk}/reveal", {}).status_code == 403  # type: ignore[attr-defined]
    assigned = _post(officer, f"/contacts/{contact.pk}/assign", {"owner_id": t.grid.user_id})
    assert assigned.json()["owner_id"] == t.grid.user_id  # type: ignore[attr-defined]


def test_commander_views_but_cannot_write(city: City, t: Team) -> None:
    from tests.factories import make_user

    make_user("cmd", unit=city.unit, roles=["commander"])
    case = register(t.tracer, city.districts[0].persons[0])
    contact = add_contact(case, city.districts[0].persons[1])
    commander = _login("cmd")
    assert commander.get(f"{API}/cases/{case.pk}").status_code == 200
    assert commander.get(f"{API}/cases/{case.pk}/contacts").json()[0]["id"] == contact.pk
    for path in (f"/cases/{case.pk}/detect", f"/contacts/{contact.pk}/advance",
                 f"/cases/{case.pk}/risk-points"):
        assert _post(commander, path, {"to_status": "notified"}).status_code == 403, path  # type: ignore[attr-defined]


def test_funnel_chains_and_clusters(city: City, t: Team) -> None:
    a, b = (register(t.tracer, p) for p in city.districts[0].persons[:2])
    tracer = _login("tracer1")
    linked = _post(tracer, f"/cases/{b.pk}/source", {"source_case_id": a.pk, "note": "家庭"})
    assert linked.json()["source_case_id"] == a.pk  # type: ignore[attr-defined]
    graph = tracer.get(f"{API}/chains").json()
    assert graph["links"] == [{"source": str(a.pk), "target": str(b.pk)}]
    assert tracer.get(f"{API}/clusters").json()[0]["case_ids"] == [a.pk, b.pk]
    funnel = tracer.get(f"{API}/funnel").json()
    assert {r["case_id"] for r in funnel["cases"]} == {a.pk, b.pk}
    assert funnel["districts"][0]["cases"] == 2
