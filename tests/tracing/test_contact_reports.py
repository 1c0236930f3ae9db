"""Possible contacts told by hand: stored once per reference, confirmed by a tracer of the
residence's area into exactly one close contact on the work list and in the funnel, dismissed
with a reason, and invisible (404) to another district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.tracing import funnel, queries
from fangkong.tracing.contact_reports import (
    do_confirm_contact_report,
    do_dismiss_contact_report,
    do_report_possible_contact,
    reports_for,
)
from fangkong.tracing.models import Case, Contact, ContactReport
from tests.factories import City
from tests.tracing.world import Team, add_contact, register

pytestmark = pytest.mark.django_db
API = "/api/v1/tracing/contact-reports"


def _report(t: Team, person: Person, ref: str = "test:1", **kw: object) -> ContactReport:
    values: dict[str, object] = {"source": "staff", "exposure_on": clock.city_today(),
                                 "place": "幸福超市", "about_case": "neighbour"} | kw
    report, _ = do_report_possible_contact(actor=t.tracer, person=person, source_ref=ref,
                                           **values)  # type: ignore[arg-type]
    return report


@pytest.fixture
def case(city: City, t: Team) -> Case:
    return register(t.tracer, city.districts[0].persons[0])


def test_a_report_is_stored_once_per_reference(city: City, t: Team) -> None:
    person = city.districts[0].persons[1]
    first = _report(t, person)
    again, new = do_report_possible_contact(actor=t.tracer, person=person, source="staff",
                                            source_ref="test:1", exposure_on=clock.city_today())
    assert not new and again.pk == first.pk and ContactReport.objects.count() == 1
    assert first.grid_id == person.grid_id and first.status == "new"
    assert AuditLog.objects.filter(verb="tracing.contact_report.add").count() == 1
    with pytest.raises(Conflict):
        _report(t, city.districts[0].persons[2])  # the same reference, another person


@pytest.mark.parametrize(("kw", "field"), [
    ({"source": "rumour"}, "source"),
    ({"exposure_on": dt.date(2000, 1, 1)}, "exposure_on"),
    ({"exposure_on": dt.date(2999, 1, 1)}, "exposure_on"),
    ({"place": "x" * 201}, "place"),
])
def test_bad_reports_name_the_field(city: City, t: Team, kw: dict[str, object],
                                    field: str) -> None:
    with pytest.raises(DomainError) as exc:
        _report(t, city.districts[0].persons[1], **kw)
    assert exc.value.field == field and not ContactReport.objects.exists()


def test_confirm_makes_one_close_contact_on_the_work_list(city: City, t: Team,
                                                          case: Case) -> None:
    person = city.districts[0].persons[1]
    report = _report(t, person)
    done = do_confirm_contact_report(actor=t.tracer, report_id=report.pk, case_id=case.pk,
                                     note="called back")
    contact = Contact.objects.get()
    assert done.status == "confirmed" and done.contact_id == contact.pk
    assert (contact.person_id, contact.index_case_id) == (person.pk, case.pk)
    assert (contact.contact_type, contact.rule, contact.status) == ("close", "reported",
                                                                   "identified")
    assert contact.grid_id == person.grid_id
    assert contact.last_exposure.date() == report.exposure_on
    assert [c.pk for c in queries.contacts_for(actor=t.grid)] == [contact.pk]
    row = funnel.funnel_for(actor=t.tracer).cases[0]
    assert row.identified_at == contact.identified_at and row.controlled_at is None
    with pytest.raises(Conflict):
        do_confirm_contact_report(actor=t.tracer, report_id=report.pk, case_id=case.pk)
    assert Contact.objects.count() == 1


def test_confirm_links_an_existing_contact(city: City, t: Team, case: Case) -> None:
    person = city.districts[0].persons[1]
    found = add_contact(case, person)
    report = do_confirm_contact_report(actor=t.tracer, report_id=_report(t, person).pk,
                                       case_id=case.pk)
    assert report.contact_id == found.pk and Contact.objects.count() == 1


def test_confirm_refuses_a_case_as_its_own_contact(city: City, t: Team, case: Case) -> None:
    report = _report(t, case.person)
    with pytest.raises(DomainError) as exc:
        do_confirm_contact_report(actor=t.tracer, report_id=report.pk, case_id=case.pk)
    assert exc.value.field == "case_id" and not Contact.objects.exists()


def test_dismiss_needs_a_reason(city: City, t: Team) -> None:
    report = _report(t, city.districts[0].persons[1])
    with pytest.raises(DomainError):
        do_dismiss_contact_report(actor=t.tracer, report_id=report.pk, note=" ")
    done = do_dismiss_contact_report(actor=t.tracer, report_id=report.pk, note="a rumour")
    assert done.status == "dismissed" and done.note == "a rumour" and done.decided_at
    assert reports_for(actor=t.tracer) == [] and not Contact.objects.exists()


def test_another_district_sees_nothing(city: City, t: Team, case: Case) -> None:
    report = _report(t, city.districts[0].persons[1])
    assert reports_for(actor=t.tracer2) == []
    with pytest.raises(NotFound):
        do_confirm_contact_report(actor=t.tracer2, report_id=report.pk, case_id=case.pk)
    with pytest.raises(NotFound):
        do_dismiss_contact_report(actor=t.tracer2, report_id=report.pk, note="no")
    with pytest.raises(PermissionDenied):
        reports_for(actor=t.grid)  # grid workers get the contacts, not the leads
    other = register(t.tracer2, city.districts[1].persons[0])
    with pytest.raises(NotFound):  # a case of another district cannot be picked
        do_confirm_contact_report(actor=t.tracer, report_id=report.pk, case_id=other.pk)
    with pytest.raises(NotFound):  # staff report only people they see
        _report(t, city.districts[1].persons[1], ref="test:2")


def test_api_and_page(city: City, t: Team, case: Case, client: Client) -> None:
    person = city.districts[0].persons[1]
    client.force_login(User.objects.get(username="tracer1"))
    body = {"person_id": person.pk, "source_ref": "hotline:7", "source": "hotline",
            "exposure_on": clock.city_today().isoformat()}
    made = client.post(API, body, content_type="application/json")
    assert made.status_code == 201
    assert client.post(API, body, content_type="application/json").status_code == 200
    rid = made.json()["id"]
    page = client.get("/tracing/contact-reports/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and f'id="report-{rid}"' in page.content.decode()
    assert f'value="{case.pk}"' in page.content.decode()
    answer = client.post(f"/tracing/contact-reports/{rid}/confirm", {"case": case.pk})
    assert answer.status_code == 302 and Contact.objects.get().rule == "reported"
    client.force_login(User.objects.get(username="tracer2"))
    assert client.get(f"{API}/{rid}").status_code == 404
    assert client.get(API).json()["items"] == []
    assert client.post(f"/tracing/contact-reports/{rid}/dismiss",
                       {"note": "x"}).status_code == 404
    assert 'id="report-' not in client.get("/tracing/contact-reports/").content.decode()


def test_detection_keeps_a_confirmed_reported_contact(city: City, t: Team, case: Case) -> None:
    """The engine never finds a reported contact; running detection again must not drop it."""
    from django.db import transaction

    from fangkong.tracing.detection import store_contacts

    report = _report(t, city.districts[0].persons[1])
    do_confirm_contact_report(actor=t.tracer, report_id=report.pk, case_id=case.pk)
    with transaction.atomic():
        result = store_contacts(case=case, rows=[], identified_at=clock.now())
    assert result.removed == 0 and Contact.objects.filter(rule="reported").count() == 1
