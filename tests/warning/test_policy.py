"""The seeded early-warning versions parse, and a malformed one is refused by name."""

import datetime as dt

import pytest

from fangkong.core.errors import DomainError
from fangkong.warning.models import WarningPolicy
from fangkong.warning.policy import rules_of, warning_rules


@pytest.mark.django_db
def test_versions_in_force() -> None:
    assert warning_rules(on=dt.date(2022, 5, 1)).risk_origin_test_days == (1, 2, 3, 5, 7)
    after = warning_rules(on=dt.date(2022, 12, 3))
    assert not after.pharmacy_sentinel and after.risk_origin_test_days == ()


@pytest.mark.django_db
def test_malformed_version_is_refused_by_name() -> None:
    bad = WarningPolicy(name="broken", effective_from=dt.date(2023, 1, 1),
                        params={"anomaly": {}, "surprise": True})
    with pytest.raises(DomainError, match="broken"):
        rules_of(bad)


@pytest.mark.django_db
def test_the_fever_line_is_a_rule() -> None:
    assert warning_rules(on=dt.date(2022, 5, 1)).fever_celsius == 37.3
    version = WarningPolicy.objects.get(name="warning-2021-08")
    with pytest.raises(DomainError, match="fever_celsius"):
        rules_of(WarningPolicy(name="hot", effective_from=dt.date(2023, 1, 1),
                               params={**version.params, "fever_celsius": 45}))
