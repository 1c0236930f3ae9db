"""Detection over a tiny movement folder (Parquet in tmp_path, settings overridden): the
engine's rows become Contact rows placed at the contact's home, reruns keep workflow state,
and the case timeline merges the interview with check-ins and ping runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import h3
import pytest
from django.db import transaction
from django.test import override_settings

from fangkong.core.errors import DomainError
from fangkong.core.models import AuditLog
from fangkong.tracing import queries
from fangkong.tracing.actions_cases import do_add_entry
from fangkong.tracing.actions_contacts import do_advance_contact
from fangkong.tracing.detection import do_detect_contacts, quarantine_starts, store_contacts
from fangkong.tracing.models import Case, Contact
from tests.factories import City, small_city
from tests.tracing.world import Team, at, register, team, write_movement

pytestmark = pytest.mark.django_db
LAT, LON = 31.2304, 121.4737


@pytest.fixture
def city() -> City:
    return small_city(people_per_grid=4)


@pytest.fixture
def t(city: City) -> Team:
    return team(city)


@pytest.fixture
def movement(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MOVEMENT_DIR=tmp_path):
        yield tmp_path


def _world(city: City, root: Path) -> dict[str, int]:
    """Case K (district 1) with a household member, a venue contact living in district 2, a
    person met too briefly, a second case at the venue, a stranger not in the registry, a
    contact of the venue contact (secondary) and a phone companion."""
    d1, d2 = city.districts[0].persons, city.districts[1].persons
    v1, v2 = city.districts[0].venues[0].pk, city.districts[0].venues[1].pk
    ids = {"k": d1[0].pk, "home": d1[1].pk, "venue": d2[0].pk, "brief": d1[4].pk,
           "case2": d1[5].pk, "stranger": 99999, "second": d1[6].pk, "companion": d1[7].pk}
    write_movement(root, checkins=[
        (ids["k"], v1, at(9), at(10)),
        (ids["venue"], v1, at(9, 30), at(11)),  # 30 min with K
        (ids["brief"], v1, at(9, 50), at(10, 30)),  # 10 min with K
        (ids["case2"], v1, at(9), at(10)),  # a case is never a contact
        (ids["stranger"], v1, at(9), at(10)),
        (ids["venue"], v2, at(14), at(15)),
        (ids["second"], v2, at(14), at(15)),  # meets the close contact afterwards
    ], pings=[
        (pid, at(18, m), LAT, LON) for pid in (ids["k"], ids["companion"]) for m in (0, 5, 10)
    ], households=[(ids["k"], 1), (ids["home"], 1), (ids["venue"], 2), (ids["second"], 3)])
    return ids


def test_detect_stores_typed_contacts_at_their_homes(city: City, t: Team,
                                                     movement: Path) -> None:
    ids = _world(city, movement)
    case = register(t.tracer, city.districts[0].persons[0], isolated_at=at(21))
    register(t.tracer, city.districts[0].persons[5], isolated_at=at(21))
    result = do_detect_contacts(actor=t.tracer, case_id=case.pk, as_of=at(22))
    found = {(c.person_id, c.contact_type, c.rule)
             for c in Contact.objects.filter(index_case=case)}
    assert found == {(ids["home"], "close", "household"), (ids["venue"], "close", "venue"),
                     (ids["second"], "secondary", "venue"),
                     (ids["brief"], "secondary", "venue"),  # 40 min with the venue contact
                     (ids["companion"], "companion", "cell")}
    assert (result.new, result.skipped, result.updated) == (5, 1, 0)
    assert result.by_type == {"close": 2, "companion": 1, "secondary": 2}
    venue_contact = Contact.objects.get(person_id=ids["venue"])
    assert venue_contact.district_id == city.districts[1].unit.pk  # lives in district 2
    assert venue_contact.overlap_minutes == 30 and venue_contact.identified_at == at(22)
    secondary = Contact.objects.get(person_id=ids["second"])
    assert secondary.via_person_id == ids["venue"]
    assert Case.objects.get(pk=case.pk).contacts_run_at == at(22)
    audit = AuditLog.objects.get(verb="tracing.case.detect")
    assert audit.after["new"] == 5 and audit.district_id == case.district_id


def test_rerun_keeps_workflow_state(city: City, t: Team, movement: Path) -> None:
    ids = _world(city, movement)
    case = register(t.tracer, city.districts[0].persons[0], isolated_at=at(21))
    do_detect_contacts(actor=t.tracer, case_id=case.pk, as_of=at(22))
    home = Contact.objects.get(person_id=ids["home"])
    do_advance_contact(actor=t.grid, contact_id=home.pk, to_status="notified")
    again = do_detect_contacts(actor=t.tracer, case_id=case.pk, as_of=at(23))
    assert (again.new, again.removed) == (0, 0)
    home.refresh_from_db()
    assert home.status == "notified" and home.identified_at == at(22)
    # here the person met at the venue at 9:00 is no case: six contacts
    assert Contact.objects.filter(index_case=case).count() == 6


def test_detect_needs_movement_data_and_scope(city: City, t: Team, tmp_path: Path) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    with override_settings(MOVEMENT_DIR=tmp_path / "none"), pytest.raises(DomainError) as err:
        do_detect_contacts(actor=t.tracer, case_id=case.pk)
    assert err.value.field == "movement_dir"
    assert not AuditLog.objects.filter(verb="tracing.case.detect").exists()


def test_store_contacts_upserts_and_drops_untouched_rows(city: City, t: Team) -> None:
    d1 = city.districts[0].persons
    case = register(t.tracer, d1[0])

    def row(person: int, **kw: object) -> dict[str, object]:
        return {"person_id": person, "contact_type": "close", "index_case_id": case.pk,
                "via_person_id": None, "venue_id": None, "cell": None, "rule": "household",
                "first_exposure": at(8), "last_exposure": at(9), "overlap_minutes": None} | kw

    with transaction.atomic():
        first = store_contacts(case=case, rows=[row(d1[1].pk), row(d1[2].pk), row(424242)],
                               identified_at=at(10))
    assert (first.new, first.skipped) == (2, 1)
    kept = Contact.objects.get(person_id=d1[1].pk)
    Contact.objects.filter(pk=kept.pk).update(status="located", located_at=at(11))
    with transaction.atomic():
        second = store_contacts(case=case, rows=[row(d1[2].pk, last_exposure=at(10))],
                                identified_at=at(12))
    assert (second.new, second.updated, second.removed) == (0, 1, 0)  # located row kept
    assert Contact.objects.get(person_id=d1[1].pk).status == "located"
    Contact.objects.filter(pk=kept.pk).update(status="transferred", transferred_at=at(13))
    assert quarantine_starts() == {d1[1].pk: at(13)}
    with transaction.atomic():
        third = store_contacts(case=case, rows=[], identified_at=at(14))
    assert third.removed == 1  # the identified, unassigned row no longer found


def test_timeline_merges_interview_checkins_and_ping_runs(city: City, t: Team,
                                                          movement: Path) -> None:
    ids = _world(city, movement)
    case = register(t.tracer, city.districts[0].persons[0], isolated_at=at(21))
    do_add_entry(actor=t.tracer, case_id=case.pk, start=at(12), place="步行街", note="walk")
    items = queries.timeline_for(actor=t.tracer, case=case)
    kinds = [(i.kind, i.start) for i in items]
    assert kinds == [("checkin", at(9)), ("interview", at(12)), ("ping", at(18))]
    checkin, _, ping = items
    assert checkin.venue_name == city.districts[0].venues[0].name and checkin.end == at(10)
    assert ping.place == h3.latlng_to_cell(LAT, LON, 8) and ping.detail == "3"
    assert ping.end == at(18, 10)
    assert ids["k"] == case.person_id
    before_window = dt.timedelta(days=10)
    assert all(i.start > at(0) - before_window for i in items)
