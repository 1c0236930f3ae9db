"""Designation, raising, linking cases and gates: validation, scoping, events, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.risk import actions_area as acts
from fangkong.risk.models import AreaEvent, EventKind, RiskArea
from fangkong.risk.queries import active_areas_of_person, areas_for
from fangkong.tracing.models import Case
from tests.factories import City
from tests.risk.builders import risk_users


def make_case(person: Person, *, at: dt.datetime | None = None,
              found_in: str = "community") -> Case:
    """A confirmed case of ``person`` reported at ``at`` (now by default)."""
    at = at or clock.now()
    case = Case(person=person, classification="confirmed", sample_date=at.date(), result_at=at,
                confirmed_at=at, created_at=at, found_in=found_in)
    assert person.grid is not None
    case.place_in(person.grid)
    case.save()
    return case


JULY_2022 = dt.datetime(2022, 7, 10, 2, 0, tzinfo=dt.UTC)  # under the 9th edition


@pytest.fixture
def july(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr("fangkong.core.clock.now", lambda: JULY_2022)
    return JULY_2022


@pytest.fixture
def users(city: City) -> dict[str, Actor]:
    return {name: actor_for(user) for name, user in risk_users(city).items()}


def designate(actor: Actor, city: City, **over: object) -> RiskArea:
    args: dict[str, object] = {"level": "sealed", "unit_id": city.districts[0].grids[0].pk,
                               "name": "幸福小区", "reason": "a case lives here",
                               "case_ids": []}
    args.update(over)
    return acts.do_designate(actor=actor, **args)  # type: ignore[arg-type]


def test_designate_numbers_the_area_and_records_event_and_audit(
        city: City, users: dict[str, Actor]) -> None:
    case = make_case(city.districts[0].persons[0])
    area = designate(users["officer1"], city, case_ids=[case.pk])
    today = clock.city_today()
    assert area.code == f"RA-{today:%Y%m%d}-001"
    assert area.district_id == city.districts[0].unit.pk and area.designated_level == "sealed"
    assert list(area.cases.all()) == [case]
    assert AreaEvent.objects.get(area=area).kind == EventKind.DESIGNATED
    assert AuditLog.objects.filter(verb="risk.area.designate", target_id=str(area.pk)).exists()
    second = designate(users["officer1"], city, unit_id=city.districts[0].grids[1].pk)
    assert second.code == f"RA-{today:%Y%m%d}-002"


def test_designate_a_building_places_it_at_its_grid(city: City, users: dict[str, Actor]) -> None:
    building = city.districts[0].buildings[1]
    area = designate(users["officer1"], city, unit_id=None, building_id=building.pk)
    assert area.grid_id == building.grid_id and area.unit_id is None


@pytest.mark.parametrize(("over", "field"), [
    ({"unit_id": None}, "unit_id"),
    ({"building_id": 1}, "unit_id"),
    ({"name": " "}, "name"),
    ({"reason": ""}, "reason"),
    ({"case_ids": [999999]}, "case_ids"),
    ({"started_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}, "started_at"),
])
def test_bad_designations_name_the_field_and_change_nothing(
        city: City, users: dict[str, Actor], over: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as err:
        designate(users["officer1"], city, **over)
    assert err.value.field == field
    assert not RiskArea.objects.exists() and not AuditLog.objects.exists()


def test_level_must_be_designatable_in_the_version_in_force(
        city: City, users: dict[str, Actor]) -> None:
    with pytest.raises(DomainError) as err:  # the 20 measures keep only high and low
        designate(users["officer1"], city, level="controlled",
                  started_at=dt.datetime(2022, 12, 1, tzinfo=dt.UTC))
    assert err.value.field == "level"
    area = designate(users["officer1"], city, level="controlled",
                     started_at=dt.datetime(2022, 7, 1, tzinfo=dt.UTC))
    assert area.policy is not None and area.policy.name.startswith("9th")


def test_an_active_area_over_the_same_place_is_a_conflict(
        city: City, users: dict[str, Actor]) -> None:
    designate(users["officer1"], city)
    with pytest.raises(Conflict):
        designate(users["officer1"], city)
    assert RiskArea.objects.count() == 1


def test_other_districts_place_and_cases_are_not_found(city: City,
                                                       users: dict[str, Actor]) -> None:
    with pytest.raises(DomainError) as err:
        designate(users["officer2"], city)
    assert err.value.field == "unit_id"
    foreign = make_case(city.districts[0].persons[0])
    with pytest.raises(DomainError) as err:
        designate(users["officer2"], city, unit_id=city.districts[1].grids[0].pk,
                  case_ids=[foreign.pk])
    assert err.value.field == "case_ids"
    area = designate(users["officer1"], city)
    assert not areas_for(users["officer2"]).exists()
    with pytest.raises(NotFound):
        acts.do_add_gate(actor=users["officer2"], area_id=area.pk, name="东门")


def test_rights_are_checked(city: City, users: dict[str, Actor]) -> None:
    with pytest.raises(PermissionDenied):
        designate(users["grid1"], city)


def test_raising_restarts_and_lowering_is_refused(city: City, users: dict[str, Actor],
                                                  july: dt.datetime) -> None:
    area = designate(users["officer1"], city, level="controlled")
    with pytest.raises(DomainError) as err:
        acts.do_change_level(actor=users["officer1"], area_id=area.pk, level="precaution")
    assert err.value.field == "level"
    raised = acts.do_change_level(actor=users["officer1"], area_id=area.pk, level="sealed")
    assert raised.level == "sealed" and raised.designated_level == "controlled"
    assert area.events.filter(kind=EventKind.UPGRADED).count() == 1
    acts.do_change_level(actor=users["officer1"], area_id=area.pk, level="sealed")  # resent
    assert area.events.filter(kind=EventKind.UPGRADED).count() == 1


def test_a_case_in_a_controlled_area_makes_it_sealed_once(
        city: City, users: dict[str, Actor], july: dt.datetime) -> None:
    area = designate(users["officer1"], city, level="controlled")
    case = make_case(city.districts[0].persons[0])
    for _ in range(2):  # idempotent
        area = acts.do_link_case(actor=users["officer1"], area_id=area.pk, case_id=case.pk)
    assert area.level == "sealed"
    kinds = list(area.events.values_list("kind", flat=True))
    assert kinds == [EventKind.DESIGNATED, EventKind.CASE_LINKED, EventKind.UPGRADED]


def test_gates_validate_and_a_resend_returns_the_same(city: City,
                                                      users: dict[str, Actor]) -> None:
    area = designate(users["officer1"], city)
    gate = acts.do_add_gate(actor=users["officer1"], area_id=area.pk, name="东门", lat=34.2,
                            lon=108.9)
    again = acts.do_add_gate(actor=users["officer1"], area_id=area.pk, name="东门", lat=34.2,
                             lon=108.9)
    assert gate.pk == again.pk and gate.grid_id == area.grid_id
    for bad, field in [({"lat": 34.2}, "lat"), ({"lat": 99.0, "lon": 1.0}, "lat"),
                       ({"name": ""}, "name")]:
        with pytest.raises(DomainError) as err:
            acts.do_add_gate(actor=users["officer1"], area_id=area.pk,
                             **{"name": "西门", **bad})  # type: ignore[arg-type,dict-item]
        assert err.value.field == field


def test_active_areas_of_a_person(city: City, users: dict[str, Actor], july: dt.datetime) -> None:
    d1 = city.districts[0]
    inside, outside = d1.persons[0], d1.persons[-1]  # first and second grid
    area = designate(users["officer1"], city)
    building_area = designate(users["officer1"], city, level="controlled", unit_id=None,
                              building_id=d1.buildings[0].pk)
    found = active_areas_of_person(inside)
    assert found == [area, building_area]  # sealed first
    assert active_areas_of_person(outside) == []
    inside.temporary = True
    assert active_areas_of_person(inside) == []
