"""Contacts not located in time are escalated once, by the policy version in force when they
were identified; the job is idempotent and audited per district."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core.models import AuditLog
from fangkong.tracing import queries
from fangkong.tracing.actions_contacts import do_escalate_unlocated
from fangkong.tracing.models import Contact, TracingPolicy
from fangkong.tracing.tasks import escalate_unlocated
from tests.factories import City
from tests.tracing.world import Team, add_contact, at, register

pytestmark = pytest.mark.django_db


def test_escalates_unlocated_once_per_policy_hours(city: City, t: Team) -> None:
    d1, d2 = city.districts[0].persons, city.districts[1].persons
    case = register(t.tracer, d1[0])
    late = add_contact(case, d1[1], identified_at=at(8))
    notified = add_contact(case, d1[2], identified_at=at(8), status="notified",
                           notified_at=at(9))
    located = add_contact(case, d1[3], identified_at=at(8), status="located",
                          located_at=at(9))
    recent = add_contact(case, d1[4], identified_at=at(12))
    elsewhere = add_contact(case, d2[0], identified_at=at(8))
    assert do_escalate_unlocated(now=at(14)) == 3
    escalated = set(Contact.objects.filter(escalated_at=at(14)).values_list("pk", flat=True))
    assert escalated == {late.pk, notified.pk, elsewhere.pk}
    assert Contact.objects.get(pk=located.pk).escalated_at is None
    assert Contact.objects.get(pk=recent.pk).escalated_at is None
    rows = AuditLog.objects.filter(verb="tracing.contact.escalate")
    assert sorted(r.district_id for r in rows) == sorted(
        [city.districts[0].unit.pk, city.districts[1].unit.pk])
    assert do_escalate_unlocated(now=at(15)) == 0  # idempotent
    assert do_escalate_unlocated(now=at(18, 1)) == 1  # recent's 6 hours are up
    assert AuditLog.objects.filter(verb="tracing.contact.escalate").count() == 3


def test_each_contact_is_judged_by_the_version_in_force(city: City, t: Team) -> None:
    TracingPolicy.objects.create(name="strict", effective_from=dt.date(2022, 5, 3),
                                 escalate_unlocated_hours=2)
    case = register(t.tracer, city.districts[0].persons[0])
    before = add_contact(case, city.districts[0].persons[1],
                         identified_at=at(20, day=dt.date(2022, 5, 2)))  # 6 h version
    after = add_contact(case, city.districts[0].persons[2], identified_at=at(8))  # 2 h version
    assert do_escalate_unlocated(now=at(1, day=dt.date(2022, 5, 3))) == 0
    assert do_escalate_unlocated(now=at(10, 30)) == 2
    assert {before.pk, after.pk} == set(Contact.objects.filter(escalated_at__isnull=False)
                                        .values_list("pk", flat=True))


def test_overdue_list_and_job(city: City, t: Team) -> None:
    case = register(t.tracer, city.districts[0].persons[0])
    contact = add_contact(case, city.districts[0].persons[1], identified_at=at(8))
    assert [c.pk for c in queries.contacts_for(actor=t.grid, overdue=True)] == [contact.pk]
    assert queries.overdue(contact)
    escalate_unlocated.call_local()
    assert Contact.objects.get(pk=contact.pk).escalated_at is not None
