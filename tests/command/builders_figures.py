"""Rows the dashboard counts, built with the ORM (``save()``, so the figure signals fire),
so the figures' tests need no other module's actions."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from fangkong.command.models import Directive, Task
from fangkong.core.models import AdminUnit
from fangkong.hotline.models import Ticket
from fangkong.registry.models import Person
from fangkong.risk.models import SupplyRequest
from fangkong.tracing.models import Case, Contact
from tests.factories import City, make_user

TZ = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2022, 4, 10, 12, 0, tzinfo=TZ)  # the constructed day's noon (city time)
_seq = itertools.count(1)


def place(row: object, unit: AdminUnit | None) -> None:
    if unit is not None:
        row.place_in(unit)  # type: ignore[attr-defined]


def make_case(person: Person, *, at: dt.datetime, found_in: str = "community") -> Case:
    case = Case(person=person, classification="confirmed", sample_date=at.date(),
                result_at=at - dt.timedelta(hours=2), confirmed_at=at, found_in=found_in,
                created_at=at)
    case.district_id, case.street_id = person.district_id, person.street_id
    case.community_id, case.grid_id = person.community_id, person.grid_id
    case.save()
    return case


def make_contact(person: Person, case: Case, *, at: dt.datetime,
                 transferred_at: dt.datetime | None = None) -> Contact:
    contact = Contact(person=person, index_case=case, contact_type="close", rule="household",
                      first_exposure=at - dt.timedelta(days=1), last_exposure=at,
                      identified_at=at, transferred_at=transferred_at,
                      status="transferred" if transferred_at else "identified")
    contact.district_id, contact.street_id = person.district_id, person.street_id
    contact.community_id, contact.grid_id = person.community_id, person.grid_id
    contact.save()
    return contact


def make_ticket(unit: AdminUnit | None, *, at: dt.datetime, hours: int = 24,
                resolved_at: dt.datetime | None = None) -> Ticket:
    n = next(_seq)
    ticket = Ticket(number=f"T{n:06d}", channel="phone", category="other", urgency=2,
                    subject="问题", policy_name="test", created_at=at, routed=unit is not None,
                    respond_by=at + dt.timedelta(hours=1),
                    resolve_by=at + dt.timedelta(hours=hours),
                    resolved_at=resolved_at, status="resolved" if resolved_at else "new")
    place(ticket, unit)
    ticket.save()
    return ticket


def make_task(unit: AdminUnit, *, issuer: AdminUnit, at: dt.datetime, hours: int = 24,
              done_at: dt.datetime | None = None) -> Task:
    n = next(_seq)
    directive = Directive(number=f"D{n:06d}", title="排查", body="排查", group="tracing",
                          issuer_unit=issuer, issued_at=at, deadline=at + dt.timedelta(hours=hours))
    directive.place_in(issuer)
    directive.save()
    task = Task(directive=directive, unit=unit, deadline=directive.deadline, done_at=done_at,
                status="done" if done_at else "issued")
    task.place_in(unit)
    task.save()
    return task


def make_request(person: Person, *, at: dt.datetime, hours: int = 4,
                 done_at: dt.datetime | None = None) -> SupplyRequest:
    assert person.household is not None
    req = SupplyRequest(household=person.household, person=person, kind="medicine", priority=1,
                        deadline=at + dt.timedelta(hours=hours), created_at=at, done_at=done_at,
                        status="done" if done_at else "open")
    req.district_id, req.street_id = person.district_id, person.street_id
    req.community_id, req.grid_id = person.community_id, person.grid_id
    req.save()
    return req


def street_of(unit: AdminUnit) -> AdminUnit:
    """The street above a grid (figures are kept per street)."""
    assert unit.street_id is not None
    return AdminUnit.objects.get(pk=unit.street_id)


def dashboard_users(city: City) -> dict[str, User]:
    d1, d2 = city.districts
    return {
        "commander": make_user("commander", unit=city.unit, roles=["commander"]),
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "street1": make_user("street1", unit=street_of(d1.grids[0]), roles=["street_worker"]),
    }
