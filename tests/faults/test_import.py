"""A large registry import (``fangkong import persons``) killed with ``kill -9``, or cut from
PostgreSQL, inside its transaction: all or nothing, and a resend completes it once."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.faults_import import run_import
from benchmarks.faults_procs import Place

from tests.faults.conftest import fault_backend

pytestmark = pytest.mark.django_db
PG_ONLY = pytest.mark.skipif(fault_backend() != "postgresql", reason="PostgreSQL connections only")


@pytest.mark.parametrize("fault", ["kill9", pytest.param("pgterm", marks=PG_ONLY)])
def test_import_cut_mid_transaction_is_all_or_nothing(place: Place, setup: dict[str, Any],
                                                     fault: str) -> None:
    result = run_import(place=place, fixture=setup, fault=fault, kills=2, rows=3000, seed=3)
    assert result["hits"] == 2, result  # both faults landed inside the write transaction
    assert result["partial"] == 0, result
    assert result["none_after_fault"] + result["all_after_fault"] == 2, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["stored"] == 2 * 3000
