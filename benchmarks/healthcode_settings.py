"""Settings of the server bench_healthcode.py starts: the project's own, plus the bare
baseline endpoints (``healthcode_urls``) and the load-shedding limit from the environment
(``FANGKONG_BENCH_MAX_IN_FLIGHT``; the project's default when unset)."""

from __future__ import annotations

import os

from fangkong.settings import *  # noqa: F403 (the project's settings, unchanged)

ROOT_URLCONF = "benchmarks.healthcode_urls"
if os.environ.get("FANGKONG_BENCH_MAX_IN_FLIGHT"):
    HEALTHCODE_MAX_IN_FLIGHT = int(os.environ["FANGKONG_BENCH_MAX_IN_FLIGHT"])
