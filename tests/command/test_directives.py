"""Issuing directives: the issuer's scope, the deadline, the fan-out into tasks, the number,
and what the second district sees."""

import datetime as dt

import pytest

from fangkong.command.directives import (
    DirectiveInput,
    directives_for,
    do_issue_directive,
    tasks_for,
)
from fangkong.command.models import Directive, Task, TaskEvent, TaskStatus
from fangkong.core import clock
from fangkong.core.errors import DomainError, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.testing.demo_steps import at
from tests.command.builders_tasks import Cast, issue, task_cast
from tests.factories import City


@pytest.fixture
def cast(city: City) -> Cast:
    return task_cast(city)


def _data(**changes: object) -> DirectiveInput:
    base = {"title": "封控区物资保障", "body": "", "group": "supply",
            "deadline": clock.now() + dt.timedelta(hours=6)}
    return DirectiveInput(**{**base, **changes})  # type: ignore[arg-type]


def test_city_issues_to_a_district_and_a_street(city: City, cast: Cast) -> None:
    d1 = city.districts[0].unit
    directive = do_issue_directive(actor=cast.actor("commander"), data=_data(
        unit_ids=(d1.pk, cast.street_2a.pk)))
    tasks = list(directive.tasks.order_by("unit__code"))
    assert [t.unit_id for t in tasks] == [d1.pk, cast.street_2a.pk]
    assert all(t.status == TaskStatus.ISSUED and t.deadline == directive.deadline for t in tasks)
    assert tasks[1].district_id == city.districts[1].unit.pk
    assert tasks[1].street_id == cast.street_2a.pk  # Placed at the receiving unit
    assert TaskEvent.objects.filter(task__directive=directive, kind="issued").count() == 2
    assert AuditLog.objects.filter(verb="command.directive.issue").count() == 1
    assert AuditLog.objects.filter(verb="command.task.issue").count() == 2


def test_numbers_count_up_per_city_day(cast: Cast) -> None:
    moment = dt.datetime(2022, 11, 24, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    first = issue(cast.actor("commander"), [cast.street_1a], when=moment)
    second = issue(cast.actor("officer1"), [cast.street_1b], when=moment)
    next_day = issue(cast.actor("commander"), [cast.street_1a],
                     when=moment + dt.timedelta(hours=16))  # 01:30 on the 25th
    assert (first.number, second.number) == ("ZL-20221124-001", "ZL-20221124-002")
    assert next_day.number == "ZL-20221125-001"


def test_all_streets_of_a_district(city: City, cast: Cast) -> None:
    d1 = city.districts[0].unit
    directive = do_issue_directive(actor=cast.actor("officer1"), data=_data(
        unit_ids=(cast.street_1a.pk,), all_streets_of=d1.pk))
    assert sorted(directive.tasks.values_list("unit_id", flat=True)) == sorted(
        [cast.street_1a.pk, cast.street_1b.pk])  # named once, not twice


def test_deadline_in_the_past_is_refused(cast: Cast) -> None:
    with pytest.raises(DomainError, match="in the future") as caught:
        do_issue_directive(actor=cast.actor("commander"), data=_data(
            unit_ids=(cast.street_1a.pk,), deadline=clock.now() - dt.timedelta(minutes=1)))
    assert caught.value.field == "deadline"
    assert not Directive.objects.exists() and not Task.objects.exists()


def test_issuer_cannot_target_outside_their_subtree(city: City, cast: Cast) -> None:
    with pytest.raises(DomainError, match=str(cast.street_2a.pk)) as caught:
        do_issue_directive(actor=cast.actor("officer1"), data=_data(
            unit_ids=(cast.street_1a.pk, cast.street_2a.pk)))
    assert caught.value.field == "unit_ids"
    with pytest.raises(DomainError, match="below your HQ"):
        do_issue_directive(actor=cast.actor("officer1"), data=_data(
            unit_ids=(city.districts[0].unit.pk,)))  # its own unit is not below it
    with pytest.raises(DomainError, match="no such district"):
        do_issue_directive(actor=cast.actor("officer1"), data=_data(
            all_streets_of=city.districts[1].unit.pk))
    with pytest.raises(DomainError, match="districts or streets"):
        do_issue_directive(actor=cast.actor("commander"), data=_data(
            unit_ids=(city.districts[0].grids[0].pk,)))  # a grid is no HQ's receiver
    assert not Directive.objects.exists()


def test_only_an_hq_with_the_right_issues(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        do_issue_directive(actor=cast.actor("street1"), data=_data(
            unit_ids=(cast.street_1a.pk,)))
    with pytest.raises(DomainError, match="choose at least one"):
        do_issue_directive(actor=cast.actor("commander"), data=_data())
    with pytest.raises(DomainError, match="working group"):
        do_issue_directive(actor=cast.actor("commander"), data=_data(
            group="parade", unit_ids=(cast.street_1a.pk,)))


def test_scoping_of_directives_and_tasks(city: City, cast: Cast) -> None:
    city_directive = issue(cast.actor("commander"), [cast.street_1a, cast.street_2a])
    own = issue(cast.actor("officer1"), [cast.street_1b])
    assert set(directives_for(cast.actor("commander"))) == {city_directive, own}
    assert set(directives_for(cast.actor("officer1"))) == {own}
    assert not directives_for(cast.actor("officer2")).filter(pk=own.pk).exists()
    assert {t.unit_id for t in tasks_for(cast.actor("street1"))} == {cast.street_1a.pk}
    assert {t.unit_id for t in tasks_for(cast.actor("officer2"))} == {cast.street_2a.pk}
    assert tasks_for(cast.actor("officer1")).count() == 2


def test_the_next_number_follows_the_highest_of_the_day(cast: Cast) -> None:
    """Numbers never repeat even when the day's count and its highest number differ."""
    with at(clock.now()):
        first = issue(cast.actor("commander"), [cast.street_1a])
        Directive.objects.filter(pk=first.pk).update(number=first.number.replace("-001", "-005"))
        second = issue(cast.actor("commander"), [cast.street_1a])
    assert second.number.endswith("-006")
