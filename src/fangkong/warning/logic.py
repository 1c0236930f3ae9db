"""Early warning's rules, pure: the policy's parsed form (the anomaly method lives in
``logic_anomaly.py``, the arrival schedule in ``logic_arrivals.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("ewma", "cusum")


@dataclass(frozen=True)
class AnomalyRules:
    method: str
    smoothing: float  # EWMA's lambda (or CUSUM's allowance k in standard deviations)
    limit_sd: float  # the alarm limit, in standard deviations of the baseline
    baseline_days: int
    min_expected: float  # below this expected count a street's day is not judged


@dataclass(frozen=True)
class WarningRules:
    anomaly: AnomalyRules
    pharmacy_sentinel: bool
    arrival_test_within_hours: int  # 0: arrivals from unlisted origins owe no test
    risk_origin_test_days: tuple[int, ...]  # days of the stay (arrival day = 1) with a test
    follow_up_hours: int
    fever_celsius: float = 37.3  # a clinic visitor at or above it, not sampled, is followed up

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> WarningRules:
        """Parse a policy version's params; unknown or missing keys are errors."""
        expected = {"anomaly", "pharmacy_sentinel", "arrival_test_within_hours",
                    "risk_origin_test_days", "follow_up_hours", "fever_celsius"}
        if set(params) != expected:
            raise ValueError(f"keys must be {sorted(expected)}, got {sorted(params)}")
        days = tuple(int(d) for d in params["risk_origin_test_days"])
        if any(d < 1 for d in days) or list(days) != sorted(set(days)):
            raise ValueError("risk_origin_test_days must be ascending days from 1")
        fever = float(params["fever_celsius"])
        if not 36.0 < fever < 42.0:
            raise ValueError("fever_celsius must lie between 36 and 42")
        return cls(_anomaly(params["anomaly"]), bool(params["pharmacy_sentinel"]),
                   int(params["arrival_test_within_hours"]), days,
                   int(params["follow_up_hours"]), fever)


def _anomaly(raw: dict[str, Any]) -> AnomalyRules:
    expected = {"method", "smoothing", "limit_sd", "baseline_days", "min_expected"}
    if set(raw) != expected:
        raise ValueError(f"anomaly keys must be {sorted(expected)}")
    if raw["method"] not in METHODS:
        raise ValueError(f"anomaly method must be one of {METHODS}")
    rules = AnomalyRules(raw["method"], float(raw["smoothing"]), float(raw["limit_sd"]),
                         int(raw["baseline_days"]), float(raw["min_expected"]))
    if not (0 < rules.smoothing <= 1 and rules.limit_sd > 0 and rules.baseline_days >= 7):
        raise ValueError("anomaly: 0 < smoothing <= 1, limit_sd > 0, baseline_days >= 7")
    return rules
