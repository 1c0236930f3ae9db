"""The stepped ramp (or the soak) of ``benchmarks.load.run``, as a locust load shape: the
plan is ``FANGKONG_LOAD_PLAN`` (see ``plan.py``), a multiple of the district's morning
(``plan.BASE``, ~86 requests/s at 1x) per step."""

from __future__ import annotations

import os

from locust import LoadTestShape

from benchmarks.load.plan import parse_plan, users_at


class SteppedRamp(LoadTestShape):
    """Each step holds its users for its seconds; spawning is fast (the step is the load)."""

    def __init__(self) -> None:
        super().__init__()
        self.plan = parse_plan(os.environ.get("FANGKONG_LOAD_PLAN", "1:10"))

    def tick(self) -> tuple[int, float] | None:
        elapsed, end = self.get_run_time(), 0.0
        for multiple, seconds in self.plan:
            end += seconds
            if elapsed < end:
                return users_at(multiple), 100.0
        return None
