"""A large registry import (``fangkong import persons``) killed with ``kill -9``, or cut from
PostgreSQL, inside its transaction: all or nothing, and a resend completes it once."""

from __future__ import annotations

import pytest
from benchmarks.faults_import import run_import
from benchmarks.faults_procs import Place

from tests.faults.conftest import fault_backend

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fault", ["kill9", "pgterm"])
def test_import_cut_mid_transaction_is_all_or_nothing(place: Place, fault: str) -> None:
    if fault == "pgterm" and fault_backend() != "postgresql":
        pytest.skip("PostgreSQL connections only")
    result = run_import(place=place, fault=fault, kills=2, rows=3000, seed=3)
    assert result["hits"] == 2, result  # both faults landed inside the write transaction
    assert result["partial"] == 0, result
    assert result["none_after_fault"] + result["all_after_fault"] == 2, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["stored"] == 2 * 3000
