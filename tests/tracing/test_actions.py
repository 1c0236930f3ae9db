"""Writes of the tracing workflow: validation names the field, every write is audited inside
its transaction, and failed writes change nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.tracing import actions_cases as ac
from fangkong.tracing import actions_contacts as acon
from fangkong.tracing import actions_risk as ar
from fangkong.tracing.models import Case, ContactStatus, RiskPointStatus, TrajectoryEntry
from tests.factories import City
from tests.tracing.world import DAY, Team, add_contact, at, register, write_movement

pytestmark = pytest.mark.django_db


def test_register_places_case_at_person_grid_and_audits(city: City, t: Team) -> None:
    person = city.districts[0].persons[4]
    case = register(t.tracer, person, external_id=77)
    assert (case.grid_id, case.district_id) == (person.grid_id, person.district_id)
    assert case.created_by_id == t.tracer.user_id and case.confirmed_at >= case.result_at
    row = AuditLog.objects.get(verb="tracing.case.register")
    assert row.target_id == str(case.pk) and row.district_id == person.district_id


def test_register_refuses_bad_input_naming_the_field(city: City, t: Team) -> None:
    person = city.districts[0].persons[0]
    register(t.tracer, person)
    cases = [
        ({"person_id": person.pk}, "person_id"),  # one case per person
        ({"classification": "probable"}, "classification"),
        ({"result_at": at(20).replace(tzinfo=None)}, "result_at"),  # naive
        ({"result_at": at(20, day=DAY - dt.timedelta(days=2))}, "result_at"),  # before sample
        ({"found_in": "moon"}, "found_in"),
    ]
    other = city.districts[0].persons[1]
    for kw, field in cases:
        with pytest.raises(DomainError) as err:
            register(t.tracer, other, **kw)
        assert err.value.field == field, kw
    assert Case.objects.count() == 1
    assert AuditLog.objects.filter(verb="tracing.case.register").count() == 1


def test_register_needs_right_and_scope(city: City, t: Team) -> None:
    with pytest.raises(PermissionDenied):
        register(t.grid, city.districts[0].persons[0])
    with pytest.raises(NotFound):  # a person of the other district looks missing
        register(t.tracer2, city.districts[0].persons[0])


def test_reclassify_converts_once(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0], classification="asymptomatic",
                    onset_date=None)
    case = ac.do_reclassify_case(actor=t.tracer, case_id=case.pk, classification="confirmed",
                                 onset_date=DAY)
    assert case.converted_at is not None and case.onset_date == DAY
    with pytest.raises(Conflict):
        ac.do_reclassify_case(actor=t.tracer, case_id=case.pk, classification="asymptomatic")
    with pytest.raises(NotFound):
        ac.do_reclassify_case(actor=t.tracer2, case_id=case.pk, classification="confirmed",
                              onset_date=DAY)


def test_update_case_checks_transfer_order(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    case = ac.do_update_case(actor=t.tracer, case_id=case.pk, isolated_at=at(21),
                             hospital=" 定点医院 ", transfer_requested_at=at(22))
    assert case.hospital == "定点医院" and case.isolated_at == at(21)
    with pytest.raises(DomainError) as err:
        ac.do_update_case(actor=t.tracer, case_id=case.pk, hospital_admitted_at=at(21, 30))
    assert err.value.field == "hospital_admitted_at"
    assert Case.objects.get(pk=case.pk).hospital_admitted_at is None


def test_link_source_refuses_self_cycles_and_foreign_cases(city: City, t: Team) -> None:
    d1 = city.districts[0].persons
    a, b, c = (register(t.tracer, p) for p in d1[:3])
    ac.do_link_source(actor=t.tracer, case_id=b.pk, source_case_id=a.pk, note="same household")
    ac.do_link_source(actor=t.tracer, case_id=c.pk, source_case_id=b.pk)
    for case_id, source, field in ((a.pk, a.pk, "source_case_id"), (a.pk, c.pk, "source_case_id")):
        with pytest.raises(DomainError) as err:
            ac.do_link_source(actor=t.tracer, case_id=case_id, source_case_id=source)
        assert err.value.field == field
    foreign = register(t.tracer2, city.districts[1].persons[0])
    with pytest.raises(NotFound):
        ac.do_link_source(actor=t.tracer, case_id=a.pk, source_case_id=foreign.pk)
    ac.do_link_source(actor=t.tracer, case_id=c.pk, source_case_id=None)
    assert Case.objects.get(pk=c.pk).source_case_id is None
    assert AuditLog.objects.filter(verb="tracing.case.link_source").count() == 3


def test_trajectory_entries_add_and_delete(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    venue = city.districts[1].venues[0]  # a venue anywhere in the city
    entry = ac.do_add_entry(actor=t.tracer, case_id=case.pk, start=at(9), end=at(10),
                            venue_id=venue.pk, transport="bus 7")
    assert entry.grid_id == case.grid_id
    with pytest.raises(DomainError) as err:
        ac.do_add_entry(actor=t.tracer, case_id=case.pk, start=at(9), end=at(8), place="x")
    assert err.value.field == "end"
    with pytest.raises(DomainError) as err:
        ac.do_add_entry(actor=t.tracer, case_id=case.pk, start=at(9))
    assert err.value.field == "place"
    with pytest.raises(NotFound):
        ac.do_delete_entry(actor=t.tracer2, entry_id=entry.pk)
    ac.do_delete_entry(actor=t.tracer, entry_id=entry.pk)
    assert not TrajectoryEntry.objects.exists()
    assert AuditLog.objects.get(verb="tracing.entry.delete").before["transport"] == "bus 7"


def test_contact_advances_forward_only_with_disposition(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    contact = add_contact(case, city.districts[0].persons[1])
    contact = acon.do_advance_contact(actor=t.grid, contact_id=contact.pk, to_status="located")
    assert contact.notified_at == contact.located_at is not None  # skipped step stamped too
    with pytest.raises(Conflict):
        acon.do_advance_contact(actor=t.grid, contact_id=contact.pk, to_status="notified")
    with pytest.raises(DomainError) as err:
        acon.do_advance_contact(actor=t.grid, contact_id=contact.pk, to_status="transferred",
                                disposition="centralised")
    assert err.value.field == "destination"
    contact = acon.do_advance_contact(actor=t.grid, contact_id=contact.pk,
                                      to_status="transferred", disposition="centralised",
                                      destination="隔离酒店A")
    assert contact.status == ContactStatus.TRANSFERRED and contact.transferred_at is not None
    assert AuditLog.objects.filter(verb="tracing.contact.advance").count() == 2


def test_contact_writes_belong_to_residence_area(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    lives_in_2 = add_contact(case, city.districts[1].persons[0])
    with pytest.raises(NotFound):  # the tracer sees it through the case but may not act
        acon.do_advance_contact(actor=t.tracer, contact_id=lives_in_2.pk, to_status="notified")
    acon.do_advance_contact(actor=t.tracer2, contact_id=lives_in_2.pk, to_status="notified")


def test_assign_needs_an_owner_who_may_manage_it(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    home = add_contact(case, city.districts[0].persons[1])  # grid 1 of district 1
    other_grid = add_contact(case, city.districts[0].persons[4])  # grid 2
    contact = acon.do_assign_contact(actor=t.officer, contact_id=home.pk,
                                     owner_id=t.grid.user_id)
    assert contact.owner_id == t.grid.user_id
    for contact_id, owner in ((other_grid.pk, t.grid.user_id), (home.pk, t.tracer2.user_id),
                              (home.pk, 99999)):
        with pytest.raises(DomainError) as err:
            acon.do_assign_contact(actor=t.officer, contact_id=contact_id, owner_id=owner)
        assert err.value.field == "owner_id"
    acon.do_assign_contact(actor=t.officer, contact_id=home.pk, owner_id=None)


def _stays(root: Path, person_id: int, venue_id: int) -> None:
    write_movement(root, checkins=[
        (person_id, venue_id, at(9), at(10)), (person_id, venue_id, at(9, 30), at(11)),
        (person_id, venue_id, at(15), None), (999, venue_id, at(9), at(10))])


def test_risk_points_two_person_rule(city: City, t: Team, tmp_path: Path) -> None:
    person, venue = city.districts[0].persons[0], city.districts[0].venues[0]
    _stays(tmp_path, person.pk, venue.pk)
    case = register(t.tracer, person, isolated_at=at(21))
    with override_settings(MOVEMENT_DIR=tmp_path):
        points = ar.do_draft_risk_points(actor=t.tracer, case_id=case.pk)
        assert [(p.start, p.end) for p in points] == [(at(9), at(11)), (at(15), at(16))]
        assert ar.do_draft_risk_points(actor=t.tracer, case_id=case.pk) == []  # no duplicate
    point = points[0]
    with pytest.raises(DomainError) as err:
        ar.do_review_risk_point(actor=t.tracer, point_id=point.pk)
    assert err.value.field == "reviewed_by"
    with pytest.raises(Conflict):
        ar.do_publish_risk_point(actor=t.officer, point_id=point.pk)
    with pytest.raises(NotFound):
        ar.do_review_risk_point(actor=t.tracer2, point_id=point.pk)
    ar.do_review_risk_point(actor=t.officer, point_id=point.pk)
    point = ar.do_publish_risk_point(actor=t.tracer, point_id=point.pk)
    assert point.status == RiskPointStatus.PUBLISHED and point.reviewed_by_id == t.officer.user_id
    point = ar.do_withdraw_risk_point(actor=t.officer, point_id=point.pk)
    assert point.withdrawn_at is not None
    verbs = set(AuditLog.objects.filter(verb__startswith="tracing.riskpoint")
                .values_list("verb", flat=True))
    assert verbs == {f"tracing.riskpoint.{v}" for v in ("draft", "review", "publish", "withdraw")}


def test_risk_points_from_interview_without_movement_data(city: City, t: Team,
                                                           tmp_path: Path) -> None:
    person, venue = city.districts[0].persons[0], city.districts[1].venues[0]
    case = register(t.tracer, person, isolated_at=at(21))
    ac.do_add_entry(actor=t.tracer, case_id=case.pk, start=at(12), venue_id=venue.pk)
    with override_settings(MOVEMENT_DIR=tmp_path / "missing"):
        (point,) = ar.do_draft_risk_points(actor=t.tracer, case_id=case.pk)
    assert point.district_id == venue.district_id and point.end == at(13)
    # placed at the venue in district 2, still the drafting tracer's through the case
    assert ar.do_review_risk_point(actor=t.officer, point_id=point.pk).status == "reviewed"
