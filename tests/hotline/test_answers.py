"""Answer templates: seeded per hotline version, filled with the rules of the day (so one
template gives different answers as the other modules' versions change), and a placeholder
nobody knows is refused with a clear error."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.errors import DomainError
from fangkong.hotline import answers
from fangkong.hotline.models import AnswerTemplate, HotlinePolicy
from fangkong.quarantine.policy import quarantine_rules

DAYS = {"hotline-2021-10": [dt.date(2022, 1, 10), dt.date(2022, 8, 1)],
        "hotline-2022-11": [dt.date(2022, 11, 20), dt.date(2022, 12, 5)]}


@pytest.mark.django_db
def test_each_version_has_templates_for_every_category() -> None:
    for name in DAYS:
        rows = AnswerTemplate.objects.filter(policy__name=name)
        assert rows.count() >= 8
        assert {"code", "quarantine", "testing", "travel", "supply"} <= set(
            rows.values_list("category", flat=True))
        assert all(t.title and t.title_en and t.body and t.body_en for t in rows)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_seeded_template_fills_in_its_time(language: str) -> None:
    for name, days in DAYS.items():
        for day in days:
            assert answers.hotline_policy_in_force(on=day).name == name
            for key in answers.templates_in_force(on=day).values_list("key", flat=True):
                text = answers.filled_answer(key=key, on=day, language=language).text
                assert "{" not in text and "}" not in text and "None" not in text, (key, text)


def _answer(key: str, day: dt.date) -> str:
    return answers.filled_answer(key=key, on=day, language="en").text


@pytest.mark.django_db
def test_the_same_question_gets_the_rule_of_the_day() -> None:
    eighth, ninth, twenty = dt.date(2022, 1, 10), dt.date(2022, 8, 1), dt.date(2022, 11, 20)
    assert "14 days of centralised quarantine and 7 days" in _answer("quarantine-close", eighth)
    assert "7 days of centralised quarantine and 3 days" in _answer("quarantine-close", ninth)
    under_20 = _answer("quarantine-close", twenty)
    assert "5 days of centralised quarantine and 3 days of home quarantine" in under_20
    assert "no longer identified" in under_20
    assert "settled within 8 hours" in _answer("supply-needs", ninth)
    assert "settled within 4 hours" in _answer("supply-needs", twenty)
    assert "test within 72 hours is required" in _answer("code-popup", twenty)
    assert "no longer requires a test" in _answer("code-popup", dt.date(2022, 12, 5))
    assert "becomes medium risk" in _answer("travel-lifting", ninth)
    assert "lifted after 5 days" in _answer("travel-lifting", twenty)
    zh = answers.filled_answer(key="quarantine-close", on=twenty, language="zh-hans").text
    assert "5天集中隔离+3天居家隔离" in zh


@pytest.mark.django_db
def test_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(DomainError, match=r"unknown placeholder \{quarantine_weeks\}") as caught:
        answers.check_body("隔离{quarantine_weeks}周")
    assert caught.value.field == "body"
    with pytest.raises(DomainError, match="malformed"):
        answers.check_body("an open { brace")
    with pytest.raises(DomainError, match=r"unknown placeholder \{0\}"):
        answers.check_body("positional {0}")
    policy = HotlinePolicy.objects.get(name="hotline-2022-11")
    AnswerTemplate.objects.create(policy=policy, category="other", key="typo", title="t",
                                  body="请在{calback_hours}小时内等待回访")
    with pytest.raises(DomainError, match="template typo: unknown placeholder") as used:
        answers.filled_answer(key="typo", on=dt.date(2022, 11, 20), language="zh-hans")
    assert used.value.field == "template"


@pytest.mark.django_db
def test_seeded_bodies_use_only_known_placeholders() -> None:
    for t in AnswerTemplate.objects.all():
        answers.check_body(t.body)
        answers.check_body(t.body_en)
        assert set(answers.placeholders_of(t.body)) == set(answers.placeholders_of(t.body_en))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(day=st.dates(min_value=dt.date(2021, 6, 1), max_value=dt.date(2023, 1, 31)))
def test_quarantine_days_follow_the_quarantine_policy(db: None, day: dt.date) -> None:
    text = _answer("quarantine-close", day)
    close = quarantine_rules(on=day).rule_for("close")
    assert close is not None
    found = re.search(r"(\d+) days of centralised quarantine and (\d+) days", text)
    assert found is not None
    assert (int(found[1]), int(found[2])) == (close.centralised_days, close.home_days)
