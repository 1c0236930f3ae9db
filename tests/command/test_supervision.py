"""The supervision ranking equals a brute-force recount over random tasks; sorting, the
period, drill-down and what each HQ is told."""

import datetime as dt
from statistics import mean

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.command.logic import Timeliness, timeliness_class
from fangkong.command.models import Directive, Task, TaskStatus
from fangkong.command.supervision import (
    Row,
    day_start,
    escalated_to,
    ranking,
    sort_rows,
    unit_for,
)
from fangkong.core.errors import NotFound
from fangkong.core.models import AdminUnit
from tests.command.builders_tasks import Cast, task_cast
from tests.factories import City

NOW = dt.datetime(2022, 11, 24, 6, 0, tzinfo=dt.UTC)
TODAY = dt.date(2022, 11, 24)

task_specs = st.lists(st.tuples(
    st.integers(0, 4),  # receiving unit (index)
    st.integers(-10 * 24, -1),  # issued, hours from NOW
    st.integers(1, 72),  # deadline, hours after issue
    st.one_of(st.none(), st.integers(0, 48)),  # acknowledged, hours after issue
    st.one_of(st.none(), st.integers(0, 96)),  # done, hours after issue
), max_size=25)


@pytest.fixture
def cast(city: City) -> Cast:
    return task_cast(city)


def _units(city: City, cast: Cast) -> list[AdminUnit]:
    return [city.districts[0].unit, city.districts[1].unit, cast.street_1a, cast.street_1b,
            cast.street_2a]


Spec = tuple[int, int, int, int | None, int | None]


def _after(moment: dt.datetime, hours: int | None) -> dt.datetime | None:
    return None if hours is None else moment + dt.timedelta(hours=hours)


def _build(city: City, units: list[AdminUnit], specs: list[Spec]) -> list[Task]:
    Directive.objects.all().delete()
    tasks = []
    for i, (u, issued_h, due_h, ack_h, done_h) in enumerate(specs):
        issued = NOW + dt.timedelta(hours=issued_h)
        directive = Directive.objects.create(
            number=f"T-{i}", title="t", body="", group="testing", issuer_unit=city.unit,
            issued_at=issued, deadline=issued + dt.timedelta(hours=due_h))
        done_at = _after(issued, done_h)
        task = Task(directive=directive, unit=units[u], deadline=directive.deadline,
                    acknowledged_at=_after(issued, ack_h), done_at=done_at,
                    status=TaskStatus.DONE if done_at else TaskStatus.IN_PROGRESS)
        task.place_in(units[u])
        tasks.append(task)
    return Task.objects.bulk_create(tasks)


def _recount(tasks: list[Task], child: AdminUnit, since: dt.date, until: dt.date) -> Timeliness:
    column = "district_id" if child.level == 1 else "street_id"
    mine = [t for t in tasks if getattr(t, column) == child.pk
            and day_start(since) <= t.directive.issued_at < day_start(until) + dt.timedelta(days=1)]
    kinds = [timeliness_class(deadline=t.deadline, done_at=t.done_at, now=NOW) for t in mine]
    acks = [(t.acknowledged_at - t.directive.issued_at).total_seconds() / 3600
            for t in mine if t.acknowledged_at]
    return Timeliness(received=len(mine), on_time=kinds.count("on_time"),
                      late=kinds.count("late"), overdue=kinds.count("overdue"),
                      mean_ack_hours=round(mean(acks), 2) if acks else None)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=task_specs, back=st.integers(0, 10), span=st.integers(0, 10))
def test_ranking_equals_a_recount(city: City, cast: Cast, specs: list[Spec],
                                  back: int, span: int) -> None:
    tasks = _build(city, _units(city, cast), specs)
    since = TODAY - dt.timedelta(days=back)
    until = since + dt.timedelta(days=span)
    for parent in (city.unit, city.districts[0].unit):
        rows = ranking(unit=parent, since=since, until=until, now=NOW)
        got = {r.unit.pk: r.figures for r in rows}
        expected = {c.pk: _recount(tasks, c, since, until)
                    for c in AdminUnit.objects.filter(parent=parent)}
        assert got.keys() == expected.keys()
        for pk, figures in expected.items():
            assert got[pk].mean_ack_hours == pytest.approx(figures.mean_ack_hours, abs=0.011)
            assert (got[pk].received, got[pk].on_time, got[pk].late, got[pk].overdue) == (
                figures.received, figures.on_time, figures.late, figures.overdue)
        scores = [r.figures.score for r in rows]
        known = [s for s in scores if s is not None]
        assert known == sorted(known, reverse=True) and scores[:len(known)] == known


def test_sorting_puts_units_without_a_value_last(city: City, cast: Cast) -> None:
    units = _units(city, cast)[2:]
    rows = [Row(u, Timeliness(received=r, on_time=o, late=0, overdue=d, mean_ack_hours=None))
            for u, (r, o, d) in zip(units, [(2, 1, 1), (0, 0, 0), (3, 3, 0)], strict=True)]
    by_score = sort_rows(rows, sort="score", descending=True)
    assert [r.unit for r in by_score] == [units[2], units[0], units[1]]
    ascending = sort_rows(rows, sort="score", descending=False)
    assert [r.unit for r in ascending] == [units[0], units[2], units[1]]
    by_received = sort_rows(rows, sort="received", descending=True)
    assert [r.figures.received for r in by_received] == [3, 2, 0]
    assert sort_rows(rows, sort="nonsense", descending=True) == by_score


def test_drill_down_stays_in_scope(city: City, cast: Cast) -> None:
    officer = cast.actor("officer1")
    assert unit_for(officer, None) == city.districts[0].unit
    assert unit_for(officer, cast.street_1b.pk) == cast.street_1b
    with pytest.raises(NotFound):
        unit_for(officer, city.districts[1].unit.pk)
    with pytest.raises(NotFound):
        unit_for(officer, city.unit.pk)
    assert ranking(unit=cast.street_1a, since=TODAY, until=TODAY, now=NOW) == []


def test_who_is_told_of_an_escalation(city: City, cast: Cast) -> None:
    d1 = city.districts[0].unit
    tasks = _build(city, _units(city, cast), [(2, -30, 1, None, None), (0, -30, 28, None, None)])
    Task.objects.filter(pk=tasks[0].pk).update(escalation_level=1)  # street 1a, level 1
    Task.objects.filter(pk=tasks[1].pk).update(escalation_level=1)  # district 1, level 1
    assert list(escalated_to(actor=cast.actor("officer1"), unit=d1)) == [tasks[0]]
    assert list(escalated_to(actor=cast.actor("commander"), unit=city.unit)) == [tasks[1]]
    Task.objects.filter(pk=tasks[0].pk).update(escalation_level=2)
    assert set(escalated_to(actor=cast.actor("commander"), unit=city.unit)) == set(tasks)
    assert not escalated_to(actor=cast.actor("officer2"), unit=city.districts[1].unit).exists()
