"""The read model equals a fresh recomputation from the raw tables after any sequence of events
(saves, moves across days and units, deletes), kept current by the signals' marks and
``refresh`` alone; bulk writes that bypass ``save()`` (doses) are caught by the sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.command.metrics import compute, root_id
from fangkong.command.metrics_defs import ALL
from fangkong.command.models import Figure, StaleFigure
from fangkong.command.refresh import mark, rebuild, refresh, refresh_all, sweep
from fangkong.core import clock
from fangkong.hotline.models import Ticket
from fangkong.risk.models import RiskArea, SupplyRequest
from fangkong.supplies.models import SupplyAlert
from fangkong.testing.models import Sample, Tube
from fangkong.tracing.models import Case, Contact
from tests.command.builders_figures import (
    NOON,
    make_case,
    make_contact,
    make_request,
    make_task,
    make_ticket,
    street_of,
)
from tests.command.builders_supplies import bulk_doses, make_age, make_alert, make_positive
from tests.factories import City
from tests.risk.builders import make_area
from tests.testing.builders import make_round

HOUR = dt.timedelta(hours=1)
NOW = NOON + 6 * HOUR
DAYS = [NOON.date() + dt.timedelta(days=d) for d in (-3, -2, -1, 0)]
Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    cache.clear()
    yield
    cache.clear()


def stored() -> dict[tuple[str, int, dt.date], int]:
    return {(f.metric, f.unit_id, f.day): f.value for f in Figure.objects.all()}


def fresh() -> dict[tuple[str, int, dt.date], int]:
    root = root_id()
    assert root is not None
    found = {}
    for day in DAYS:
        for metric in ALL:
            for unit, value in compute(metric, day=day, units=None, root=root).items():
                found[(metric.name, unit, day)] = value
    return found


def comparable(cells: dict[tuple[str, int, dt.date], int]) -> dict[tuple[str, int, dt.date], int]:
    """Today's figures of every metric; past days of day metrics (a past day's state figure is
    the state as it was taken that day, kept as stored)."""
    state = {m.name for m in ALL if m.is_state}
    return {k: v for k, v in cells.items() if k[2] == DAYS[-1] or k[0] not in state}


def apply(city: City, op: tuple[str, int, int]) -> None:
    kind, who, hours = op
    at = NOON + hours * HOUR
    people = [p for d in city.districts for p in d.persons]
    grids = [g for d in city.districts for g in d.grids]
    person, grid = people[who % len(people)], grids[who % len(grids)]
    pick = who % 5
    if kind == "case":
        case = Case.objects.filter(person=person).first()
        if case is None:
            make_case(person, at=at, found_in="quarantine" if who % 2 else "community")
        else:
            case.confirmed_at, case.found_in = at, "community" if who % 2 else "quarantine"
            case.save()
    elif kind == "contact":
        case = Case.objects.order_by("?").first()
        if case is not None and case.person_id != person.pk and not Contact.objects.filter(
                person=person, index_case=case).exists():
            make_contact(person, case, at=at)
    elif kind == "transfer":
        contact = Contact.objects.order_by("pk")[pick:pick + 1].first()
        if contact is not None:
            contact.transferred_at = at
            contact.save()
    elif kind == "delete_case":
        Case.objects.filter(pk__in=Case.objects.order_by("pk")[pick:pick + 1]).delete()
    elif kind in SUPPLY_KINDS:
        apply_supplies(city, kind, person=person, grid=grid, at=at, pick=pick)
    else:
        apply_work(city, kind, person=person, grid=grid, at=at, pick=pick)


def apply_work(city: City, kind: str, *, person: Any, grid: Any, at: dt.datetime,
               pick: int) -> None:
    if kind == "ticket":
        make_ticket(grid if pick else None, at=at, hours=pick + 1)
    elif kind == "resolve":
        ticket = Ticket.objects.order_by("pk")[pick:pick + 1].first()
        if ticket is not None:
            ticket.resolved_at = at
            ticket.save()
    elif kind == "move_ticket":
        ticket = Ticket.objects.order_by("pk")[pick:pick + 1].first()
        if ticket is not None:
            ticket.place_in(grid)
            ticket.save()
    elif kind == "task":
        make_task(grid, issuer=city.unit, at=at, hours=pick * 4)
    elif kind == "request":
        make_request(person, at=at, hours=pick + 1)
    elif kind == "done_request":
        req = SupplyRequest.objects.order_by("pk")[pick:pick + 1].first()
        if req is not None:
            req.done_at, req.status = at, "done"
            req.save()
    elif kind == "area":
        make_area(unit=grid, level=["sealed", "controlled", "precaution"][pick % 3],
                  code=f"RA-{RiskArea.objects.count() + 1:04d}", started_at=at)
    elif kind == "lift":
        area = RiskArea.objects.order_by("pk")[pick:pick + 1].first()
        if area is not None:
            area.lifted_at, area.status = at, "lifted"
            area.save()


def apply_supplies(city: City, kind: str, *, person: Any, grid: Any, at: dt.datetime,
                   pick: int) -> None:
    """Supply alerts (saved), positive cold-chain samples (saved) and doses (bulk-inserted,
    found by the sweep) of residents made elderly or not."""
    if kind == "alert":
        make_alert(street_of(grid), at=at, good=["grain", "oil", "meat", "eggs", "milk"][pick])
    elif kind in ("ack_alert", "close_alert"):
        alert = SupplyAlert.objects.order_by("pk")[pick:pick + 1].first()
        if alert is not None and alert.found_at <= at:
            if kind == "ack_alert":
                alert.acknowledged_at, alert.status = at, "acknowledged"
            else:
                alert.closed_at, alert.status = at, "closed"
            alert.save()
    elif kind == "sample":
        venues = [v for d in city.districts for v in d.venues]
        make_positive(venues[pick % len(venues)], at=at)
    elif kind == "age":
        make_age(person, age=[45, 59, 60, 72, 88][pick], on=DAYS[-1])
    elif kind == "dose":
        make_age(person, age=[60, 72, 88, 45, 59][pick], on=DAYS[-1])
        bulk_doses(person, counts=[1 + pick % 3], on=[at.date()], recorded_at=NOW)


SUPPLY_KINDS = ("alert", "ack_alert", "close_alert", "sample", "age", "dose")
KINDS = ["case", "contact", "transfer", "delete_case", "ticket", "resolve", "move_ticket",
         "task", "request", "done_request", "area", "lift", *SUPPLY_KINDS]
OPS = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 40), st.integers(-60, 5)),
               min_size=1, max_size=14)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_figures_equal_a_recomputation_after_any_events(
        city: City, django_capture_on_commit_callbacks: Capture,
        ops: list[tuple[str, int, int]]) -> None:
    """Start from a rebuilt read model, apply the events, let only the marks drive the
    refresh; the figures then equal what a recomputation from the raw tables says."""
    with transaction.atomic():
        rebuild(day_from=DAYS[0], day_to=DAYS[-1])
        with django_capture_on_commit_callbacks(execute=True):
            for op in ops:
                apply(city, op)
        sweep(since=NOW - HOUR, until=NOW)  # the doses came by bulk insert: no signal
        refresh_all(batch=7)  # small batches: several passes
        assert not StaleFigure.objects.exists()
        assert comparable(stored()) == comparable(fresh())
        transaction.set_rollback(True)


def test_refresh_twice_changes_nothing(city: City,
                                       django_capture_on_commit_callbacks: Capture) -> None:
    person = city.districts[0].persons[0]
    assert person.street_id is not None
    with django_capture_on_commit_callbacks(execute=True):
        make_case(person, at=NOON)
    assert StaleFigure.objects.count() == 2  # both case metrics of that street and day
    refresh()
    before = stored()
    mark({"cases_in_community": {(person.street_id, NOON.date())}})
    refresh()
    assert stored() == before and not StaleFigure.objects.exists()
    assert before[("cases_in_community", person.street_id, NOON.date())] == 1


def test_a_rolled_back_write_marks_nothing(city: City,
                                           django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            make_case(city.districts[0].persons[0], at=NOON)
            transaction.set_rollback(True)
    assert not StaleFigure.objects.exists()


def test_sweep_catches_bulk_inserts_and_deadlines(city: City) -> None:
    """Samples come in by ``bulk_create`` (no signal); a ticket's deadline passes unnoticed:
    the minute's sweep marks both."""
    rnd = make_round(city, start=NOON - 5 * HOUR)
    rebuild(day_from=DAYS[-1], day_to=DAYS[-1])
    person = city.districts[0].persons[0]
    tube = Tube.objects.filter(campaign=rnd.campaign).first()
    assert tube is not None
    sample = Sample(campaign=rnd.campaign, tube=tube, person=person, sampled_at=NOW)
    sample.district_id, sample.street_id = person.district_id, person.street_id
    Sample.objects.bulk_create([sample])
    make_ticket(city.districts[1].grids[0], at=NOW - 3 * HOUR, hours=2)  # due an hour ago
    Figure.objects.filter(metric="tickets_overdue").delete()
    sweep(since=NOW - 4 * HOUR, until=NOW)  # no signal ran here (nothing committed)
    refresh_all()
    assert comparable(stored()) == comparable(fresh())
    assert Figure.objects.get(metric="screening_sampled").value == 1
    assert Figure.objects.get(metric="tickets_overdue").value == 1
