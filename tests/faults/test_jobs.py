"""Background work under faults: the health-code batch recompute killed (or cut from its
database) mid-way and run again ends complete and single; the job worker killed while it
runs a job finishes the job once when started again."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.faults_jobs import run_recompute, run_worker
from benchmarks.faults_procs import Place

from tests.faults.conftest import fault_backend

pytestmark = pytest.mark.django_db
PG_ONLY = pytest.mark.skipif(fault_backend() != "postgresql", reason="PostgreSQL connections only")


@pytest.mark.parametrize("fault", ["kill9", pytest.param("pgterm", marks=PG_ONLY)])
def test_recompute_cut_mid_way_then_rerun_is_complete_and_single(place: Place,
                                                                  setup: dict[str, Any],
                                                                  fault: str) -> None:
    result = run_recompute(place=place, fixture=setup, fault=fault, kills=1, rows=8000,
                           seed=4, max_delay=0.3)  # inside the first batch, however fast
    assert result["hits"] == 1, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["stored"] == result["acknowledged"] > 0, result


def test_report_job_of_a_killed_worker_is_finished_once_after_restart(
        place: Place, setup: dict[str, Any]) -> None:
    """Huey takes a task off the queue before running it: before core/jobs.py's redelivery,
    the report stayed "being generated" for ever."""
    result = run_worker(place=place, fixture=setup, kills=1, job="reports", wait_s=90, seed=5)
    assert result["hits"] == 1, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["stored"] == 1, result
