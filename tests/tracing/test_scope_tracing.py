"""A second district's users see none of the first's cases, contacts or risk points, through
the queries and through the API, and an id of the first answers 404 like a missing one."""

from __future__ import annotations

import pytest
from django.test import Client

from fangkong.core.errors import NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.tracing import chains, funnel, queries
from fangkong.tracing.models import Case, Contact, RiskPoint
from tests.factories import PASSWORD, City
from tests.tracing.world import Team, add_contact, at, register

pytestmark = pytest.mark.django_db
API = "/api/v1/tracing"


@pytest.fixture
def first(city: City, t: Team) -> tuple[Case, Contact, RiskPoint]:
    """District 1's case, a contact living in district 1, and a risk point at its venue."""
    d1 = city.districts[0]
    case = register(t.tracer, d1.persons[0])
    contact = add_contact(case, d1.persons[1])
    venue = d1.venues[0]
    point = RiskPoint(case=case, venue=venue, place=venue.name, start=at(9), end=at(10),
                      created_at=at(22))
    point.place_in(venue.grid)
    point.save()
    return case, contact, point


def _second_sees_nothing(who: Actor, first: tuple[Case, Contact, RiskPoint]) -> None:
    case, contact, point = first
    assert queries.cases_for(actor=who) == []
    assert queries.cases_for(actor=who, q=str(case.pk)) == []
    assert queries.contacts_for(actor=who) == []
    assert queries.contacts_of_case(actor=who, case=case) == []
    assert queries.risk_points_for(actor=who) == []
    assert funnel.funnel_for(actor=who).cases == []
    assert chains.chain_graph(actor=who)["nodes"] == []
    for fetch in (lambda: queries.get_case(actor=who, case_id=case.pk),
                  lambda: queries.get_contact(actor=who, contact_id=contact.pk),
                  lambda: queries.get_risk_point(actor=who, point_id=point.pk),
                  lambda: queries.timeline_for(actor=who, case=case),
                  lambda: funnel.funnel_for(actor=who, district_id=case.district_id)):
        with pytest.raises(NotFound):
            fetch()


def test_second_district_sees_none_of_the_first(t: Team,
                                                 first: tuple[Case, Contact, RiskPoint]) -> None:
    _second_sees_nothing(t.tracer2, first)
    case, contact, point = first
    assert [c.pk for c in queries.cases_for(actor=t.tracer)] == [case.pk]
    assert [c.pk for c in queries.contacts_for(actor=t.tracer)] == [contact.pk]
    assert [p.pk for p in queries.risk_points_for(actor=t.tracer)] == [point.pk]
    assert [c.pk for c in queries.cases_for(actor=t.admin)] == [case.pk]


def test_user_without_node_sees_nothing(city: City, first: tuple[Case, Contact, RiskPoint]
                                        ) -> None:
    from fangkong.core.jurisdiction import actor_for
    from tests.factories import make_user

    nowhere = actor_for(make_user("lost", unit=None, roles=["tracer"]))
    _second_sees_nothing(nowhere, first)


def test_grid_worker_sees_own_grid_contacts_only(city: City, t: Team,
                                                 first: tuple[Case, Contact, RiskPoint]) -> None:
    case, contact, _ = first
    elsewhere = add_contact(case, city.districts[0].persons[4])  # grid 2 of district 1
    assert [c.pk for c in queries.contacts_for(actor=t.grid)] == [contact.pk]
    assert elsewhere.pk in {c.pk for c in queries.contacts_for(actor=t.officer)}


def test_cross_district_contact_is_seen_by_both_sides(city: City, t: Team,
                                                      first: tuple[Case, Contact, RiskPoint]
                                                      ) -> None:
    """A contact living in district 2: its grid works it; the case's tracer follows it."""
    case, _, _ = first
    lives_in_2 = add_contact(case, city.districts[1].persons[0])
    assert [c.pk for c in queries.contacts_for(actor=t.tracer2)] == [lives_in_2.pk]
    assert queries.get_contact(actor=t.tracer2, contact_id=lives_in_2.pk).pk == lives_in_2.pk
    assert lives_in_2.pk in {c.pk for c in queries.contacts_of_case(actor=t.tracer, case=case)}
    assert lives_in_2.pk not in {c.pk for c in queries.contacts_for(actor=t.tracer)}
    with pytest.raises(NotFound):  # the contact's district does not get the case
        queries.get_case(actor=t.tracer2, case_id=case.pk)


def test_case_contact_counts_limit_and_case_risk_points(city: City, t: Team,
                                                        first: tuple[Case, Contact, RiskPoint]
                                                        ) -> None:
    case, _, point = first
    add_contact(case, city.districts[0].persons[2], contact_type="companion", status="notified")
    add_contact(case, city.districts[1].persons[1])
    assert queries.contact_counts(actor=t.tracer, case=case) == {
        "close": {"identified": 2}, "companion": {"notified": 1}}
    assert queries.contact_counts(actor=t.tracer2, case=case) == {}
    assert len(queries.contacts_of_case(actor=t.tracer, case=case, limit=2)) == 2
    other = register(t.tracer, city.districts[0].persons[3])
    assert [p.pk for p in queries.risk_points_for(actor=t.tracer, case=case)] == [point.pk]
    assert queries.risk_points_for(actor=t.tracer, case=other) == []


def test_queries_need_the_view_right(city: City, first: tuple[Case, Contact, RiskPoint]
                                     ) -> None:
    from tests.tracing.world import actor

    viewer = actor(city, "viewer", district=0, roles=["viewer"])
    with pytest.raises(PermissionDenied):
        queries.cases_for(actor=viewer)


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_api_second_district_gets_404_and_empty_lists(t: Team,
                                                      first: tuple[Case, Contact, RiskPoint]
                                                      ) -> None:
    case, contact, point = first
    other = _login("tracer2")
    for path in (f"/cases/{case.pk}", f"/cases/{case.pk}/timeline",
                 f"/cases/{case.pk}/contacts", f"/contacts/{contact.pk}"):
        assert other.get(API + path).status_code == 404, path
    for path, body in ((f"/cases/{case.pk}/detect", {}), (f"/cases/{case.pk}/risk-points", {}),
                       (f"/cases/{case.pk}/reclassify", {"classification": "confirmed"}),
                       (f"/contacts/{contact.pk}/advance", {"to_status": "notified"}),
                       (f"/contacts/{contact.pk}/reveal", {}),
                       (f"/risk-points/{point.pk}/review", {})):
        response = other.post(API + path, body, content_type="application/json")
        assert response.status_code == 404, path
    assert other.get(f"{API}/cases").json()["items"] == []
    assert other.get(f"{API}/contacts").json()["items"] == []
    assert other.get(f"{API}/risk-points").json() == []
    assert other.get(f"{API}/funnel").json()["cases"] == []
    assert other.get(f"{API}/chains").json()["nodes"] == []
    mine = _login("tracer1")
    assert mine.get(f"{API}/cases/{case.pk}").status_code == 200
    assert Contact.objects.get(pk=contact.pk).status == "identified"
