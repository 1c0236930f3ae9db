"""Recompute: one person, the whole city, on events after commit, and the 10-minute sweep."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.healthcode import recompute, signals, tasks
from fangkong.healthcode.models import PersonCode
from fangkong.testing.models import Hold
from tests.factories import City, make_user
from tests.healthcode.builders_status import (
    NOW,
    make_arrival,
    make_case,
    make_contact,
    make_hold,
    make_override,
)
from tests.risk.builders import make_area

DAY = dt.timedelta(days=1)
Capture = Callable[..., Any]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    """The moved clock: tests append a later time to move it."""
    times = [NOW]
    monkeypatch.setattr("fangkong.core.clock.now", lambda: times[-1])
    return times


def test_first_recompute_creates_the_code(city: City, clock: list[dt.datetime]) -> None:
    person = city.districts[0].persons[0]
    case = make_case(city.districts[0].persons[1], at=NOW - DAY)
    make_contact(case, person, "close", last=NOW - 2 * DAY)
    code = recompute.do_recompute_person(person_id=person.pk)
    assert (code.colour, code.flags, code.grid_id) == ("red", [], person.grid_id)
    assert [r["code"] for r in code.reasons] == ["close_contact"]
    assert code.reasons[0]["until"] == (NOW + 8 * DAY).isoformat()
    assert code.valid_until == NOW + 8 * DAY
    assert code.policy is not None and code.policy.name.startswith("2022")
    assert len(code.pseudonym) == 16  # secrets.token_urlsafe(12): random, not derived
    clock.append(NOW + 9 * DAY)
    again = recompute.do_recompute_person(person_id=person.pk)
    assert (again.pk, again.pseudonym, again.colour, again.reasons) == (
        code.pk, code.pseudonym, "green", [])
    changes = AuditLog.objects.filter(verb="healthcode.code.recompute",
                                      target_id=str(code.pk)).order_by("pk")
    assert [(a.before, (a.after or {})["colour"]) for a in changes] == [
        (None, "red"), ({"colour": "red", "flags": []}, "green")]


def test_nothing_changed_writes_only_the_time(city: City, clock: list[dt.datetime]) -> None:
    person = city.districts[0].persons[0]
    recompute.do_recompute_person(person_id=person.pk)
    clock.append(NOW + DAY)
    code = recompute.do_recompute_person(person_id=person.pk)
    assert code.computed_at == NOW + DAY
    assert not AuditLog.objects.filter(verb="healthcode.code.recompute").exists()


def test_missing_person_is_not_found(city: City, clock: list[dt.datetime]) -> None:
    with pytest.raises(NotFound):
        recompute.do_recompute_person(person_id=10**9)


def test_staff_recompute_is_scoped(city: City, clock: list[dt.datetime]) -> None:
    person = city.districts[0].persons[0]
    officer2 = actor_for(make_user("o2", unit=city.districts[1].unit,
                                   roles=["district_officer"]))
    with pytest.raises(NotFound):
        recompute.do_recompute_for(actor=officer2, person_id=person.pk)
    officer1 = actor_for(make_user("o1", unit=city.districts[0].unit,
                                   roles=["district_officer"]))
    assert recompute.do_recompute_for(actor=officer1, person_id=person.pk).colour == "green"


def test_the_whole_city_in_batches(city: City, clock: list[dt.datetime]) -> None:
    everyone = city.districts[0].persons + city.districts[1].persons
    make_hold(everyone[0], at=NOW - DAY)
    make_override(everyone[-1], colour="yellow")
    seen: list[int] = []
    done = recompute.do_recompute_all(batch=5, progress=seen.append)
    assert done["people"] == len(everyone) == sum(seen) and done["created"] == len(everyone)
    assert done["colours"] == {"green": len(everyone) - 2, "yellow": 2}
    assert done["batches"] == len(seen) == 4
    assert PersonCode.objects.get(person=everyone[0]).flags == ["pool_hold"]
    assert PersonCode.objects.filter(district=city.districts[1].unit).count() == 8
    again = recompute.run_recompute_all(progress=False)
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, len(everyone))


def test_a_batch_costs_a_fixed_number_of_queries(city: City, clock: list[dt.datetime]) -> None:
    everyone = city.districts[0].persons + city.districts[1].persons
    for p in everyone:
        make_arrival(p, at=NOW - DAY)
    version = recompute.code_policy_in_force(on=NOW.date())
    with CaptureQueriesContext(connection) as small:
        recompute.recompute_ids([everyone[0].pk, everyone[1].pk], now=NOW, version=version)
    with CaptureQueriesContext(connection) as big:
        recompute.recompute_ids([p.pk for p in everyone], now=NOW, version=version)
    assert len(big) <= len(small) + 1 <= 20
    assert PersonCode.objects.filter(flags__isnull=False).count() == len(everyone)


def test_a_saved_fact_recomputes_its_person_after_commit(
        city: City, clock: list[dt.datetime], django_capture_on_commit_callbacks: Capture
) -> None:
    p = city.districts[0].persons
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(p[0], at=NOW - DAY)
        make_contact(case, p[1], "secondary", last=NOW - DAY)
    codes = {c.person_id: c.colour for c in PersonCode.objects.all()}
    assert codes == {p[0].pk: "red", p[1].pk: "yellow"}
    with signals.paused(), django_capture_on_commit_callbacks(execute=True):
        make_arrival(p[2], at=NOW)
    assert not PersonCode.objects.filter(person=p[2]).exists()


def test_an_area_change_recomputes_its_members(
        city: City, clock: list[dt.datetime], django_capture_on_commit_callbacks: Capture
) -> None:
    d1 = city.districts[0]
    with django_capture_on_commit_callbacks(execute=True):
        area = make_area(unit=d1.grids[0], level="sealed", started_at=NOW)
    members = {p.pk for p in d1.persons if p.grid_id == d1.grids[0].pk}
    assert set(PersonCode.objects.filter(colour="yellow").values_list("person_id", flat=True)) \
        == members
    with django_capture_on_commit_callbacks(execute=True):
        area.status = "lifted"
        area.lifted_at = NOW
        area.save()
    assert set(PersonCode.objects.values_list("colour", flat=True)) == {"green"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        area.name = "renamed"
        area.save()
    # other modules may listen to areas too (the command board): none of ours runs
    assert [c for c in callbacks if c.__module__.startswith("fangkong.healthcode")] == []


def test_the_sweep_catches_time_and_bulk_writes(city: City, clock: list[dt.datetime]) -> None:
    p = city.districts[0].persons
    case = make_case(p[3], at=NOW - 20 * DAY)
    make_contact(case, p[0], "secondary", last=NOW - 6 * DAY)
    held = make_hold(p[1], at=NOW - DAY)
    recompute.do_recompute_all()
    assert PersonCode.objects.get(person=p[0]).colour == "yellow"
    clock.append(NOW + 2 * DAY)
    # The lab's results and the hold's release are written in bulk: no save(), no signal.
    Hold.objects.filter(pk=held.pk).update(status="released", closed_at=clock[-1])
    counts = tasks.do_sweep()
    assert counts == {"due": 1, "changed_facts": 1}
    assert PersonCode.objects.get(person=p[0]).colour == "green"
    assert PersonCode.objects.get(person=p[1]).flags == []


def test_the_sweep_touches_exactly_the_unchanged_codes(
        city: City, clock: list[dt.datetime]) -> None:
    everyone = sorted(city.districts[0].persons + city.districts[1].persons, key=lambda p: p.pk)
    recompute.do_recompute_all()
    later = NOW + dt.timedelta(hours=1)
    clock.append(later)
    make_hold(everyone[3], at=NOW)  # changes one code
    left_out = everyone[5]  # a code in the middle of the id range, not in the batch
    ids = [p.pk for p in everyone if p is not left_out]
    version = recompute.code_policy_in_force(on=NOW.date())
    with CaptureQueriesContext(connection) as queries:
        tally = recompute.recompute_ids(ids, now=later, version=version)
    assert (tally.created, tally.changed, tally.unchanged) == (0, 1, len(ids) - 1)
    times = dict(PersonCode.objects.values_list("person_id", "computed_at"))
    assert times.pop(left_out.pk) == NOW
    assert set(times.values()) == {later}
    sweeps = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith("UPDATE") and 'SET "computed_at"' in q["sql"]]
    assert 1 <= len(sweeps) <= 2  # ranges and strays, not one IN per 1,000 codes


def test_touch_filters_match_exactly_their_people(city: City) -> None:
    everyone = sorted(city.districts[0].persons + city.districts[1].persons, key=lambda p: p.pk)
    recompute.do_recompute_all()
    all_ids = [p.pk for p in everyone]
    for chosen in (all_ids, all_ids[:3] + all_ids[4:13] + all_ids[14:15], all_ids[::2], []):
        matched: set[int] = set()
        for where in recompute.touch_filters(chosen):
            found = set(PersonCode.objects.filter(where).values_list("person_id", flat=True))
            assert not found & matched
            matched |= found
        assert matched == set(chosen)


@given(st.sets(st.integers(min_value=0, max_value=200)))
def test_id_runs_cover_exactly_the_ids(ids: set[int]) -> None:
    runs = recompute.id_runs(ids)
    assert [pk for first, last in runs for pk in range(first, last + 1)] == sorted(ids)
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(runs))  # maximal runs
