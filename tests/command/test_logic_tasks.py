"""The pure rules of tasks: overdue, escalation levels over time, the acknowledgement flag
and the score."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from fangkong.command.logic import (
    LEVEL_TWO_AFTER,
    Timeliness,
    acknowledgement_late,
    escalation_level,
    is_overdue,
    score,
    timeliness_class,
)

T0 = dt.datetime(2022, 11, 24, 9, 0, tzinfo=dt.UTC)
minutes = st.integers(-3 * 24 * 60, 5 * 24 * 60)


def _at(m: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=m)


@given(deadline=minutes, now=minutes, later=st.integers(0, 5 * 24 * 60))
def test_levels_rise_with_time_and_follow_the_deadline(deadline: int, now: int,
                                                       later: int) -> None:
    due = _at(deadline)
    level = escalation_level(deadline=due, done_at=None, now=_at(now))
    assert level <= escalation_level(deadline=due, done_at=None, now=_at(now + later)) <= 2
    expected = 0 if now < deadline else (2 if _at(now) - due >= LEVEL_TWO_AFTER else 1)
    assert level == expected
    assert (level > 0) == is_overdue(deadline=due, done_at=None, now=_at(now))


@given(deadline=minutes, done=minutes, now=minutes)
def test_a_done_task_is_never_overdue_nor_escalated(deadline: int, done: int, now: int) -> None:
    due, done_at = _at(deadline), _at(done)
    assert escalation_level(deadline=due, done_at=done_at, now=_at(now)) == 0
    kind = timeliness_class(deadline=due, done_at=done_at, now=_at(now))
    assert kind == ("on_time" if done <= deadline else "late")


def test_the_edges() -> None:
    assert escalation_level(deadline=T0, done_at=None, now=T0 - dt.timedelta(seconds=1)) == 0
    assert escalation_level(deadline=T0, done_at=None, now=T0) == 1
    assert escalation_level(deadline=T0, done_at=None, now=T0 + LEVEL_TWO_AFTER) == 2


@given(issued=minutes, now=minutes, acked=st.booleans(), hours=st.integers(1, 12))
def test_acknowledgement_flag(issued: int, now: int, acked: bool, hours: int) -> None:
    window = dt.timedelta(hours=hours)
    late = acknowledgement_late(issued_at=_at(issued), acknowledged_at=_at(issued) if acked
                                else None, done_at=None, now=_at(now), within=window)
    assert late == (not acked and _at(now) >= _at(issued) + window)


@given(on_time=st.integers(0, 50), late=st.integers(0, 50), overdue=st.integers(0, 50))
def test_score_bounds_and_order(on_time: int, late: int, overdue: int) -> None:
    value = score(on_time=on_time, late=late, overdue=overdue)
    if on_time + late + overdue == 0:
        assert value is None
        return
    assert value is not None and 0 <= value <= 100
    better = score(on_time=on_time + 1, late=late, overdue=overdue)
    assert better is not None and better >= value  # one more on time never lowers it
    if late:  # turning a late one into an overdue one lowers it
        worse = score(on_time=on_time, late=late - 1, overdue=overdue + 1)
        assert worse is not None and worse < value
    figures = Timeliness(received=on_time + late + overdue, on_time=on_time, late=late,
                         overdue=overdue, mean_ack_hours=None)
    assert figures.score == value and figures.settled == on_time + late + overdue
