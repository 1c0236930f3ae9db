"""The hotline's pure rules: parsing the seeded versions, deadlines and escalation."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.hotline.logic import (
    CATEGORIES,
    HotlineRules,
    deadlines,
    escalation_level,
    missed_since,
)

T0 = dt.datetime(2022, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def rules(db: None) -> HotlineRules:
    from fangkong.hotline.models import HotlinePolicy
    from fangkong.hotline.policy import rules_of

    return rules_of(HotlinePolicy.objects.get(name="hotline-2022-11"))


def test_seeded_versions_parse(db: None) -> None:
    from fangkong.hotline.models import HotlinePolicy
    from fangkong.hotline.policy import rules_of

    for version in HotlinePolicy.objects.all():
        parsed = rules_of(version)
        assert parsed.categories["medical"].resolve_minutes == 60  # issue 8: within the hour


def test_unknown_key_is_refused(rules: HotlineRules) -> None:
    with pytest.raises(ValueError, match="keys must be"):
        HotlineRules.from_dict({"categories": {}, "surprise": 1})


def test_raised_urgency_shortens_never_lengthens(rules: HotlineRules) -> None:
    normal = deadlines(rules, category="other", urgency=2, opened=T0)
    urgent = deadlines(rules, category="other", urgency=0, opened=T0)
    assert urgent.resolve_by - T0 == (normal.resolve_by - T0) / 4
    medical_lowered = deadlines(rules, category="medical", urgency=2, opened=T0)
    assert medical_lowered.resolve_by == T0 + dt.timedelta(minutes=60)


@given(category=st.sampled_from(CATEGORIES), urgency=st.integers(0, 2),
       minutes=st.integers(0, 10_000))
def test_escalation_is_monotone_in_time(category: str, urgency: int, minutes: int) -> None:
    rules = HotlineRules.from_dict(_params())
    due = deadlines(rules, category=category, urgency=urgency, opened=T0)
    assert due.respond_by <= due.resolve_by
    now = T0 + dt.timedelta(minutes=minutes)
    later = now + dt.timedelta(minutes=30)
    levels = [escalation_level(rules, now=t, missed_at=missed_since(
        respond_by=due.respond_by, resolve_by=due.resolve_by, responded_at=None,
        resolved_at=None, now=t)) for t in (now, later)]
    assert levels[0] <= levels[1] <= len(rules.escalate_after_minutes)
    assert (levels[0] == 0) == (now <= due.respond_by)


def _params() -> dict:  # type: ignore[type-arg]
    rule = {"urgency": "normal", "respond_minutes": 30, "resolve_minutes": 600}
    return {"categories": dict.fromkeys(CATEGORIES, rule), "escalate_after_minutes": [0, 240],
            "callback_hours": 24, "satisfied_at_least": 4}
