"""Property tests: the DuckDB engine returns exactly the reference engine's rows, for Parquet
(day-partitioned, so pruning is exercised) and CSV inputs with mixed offsets; and tracing a
subset of cases (the incremental path) gives the full result filtered to those cases."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.tracing.engine import detect_contacts, reference
from fangkong.tracing.engine.base import canonical_sort
from tests.tracing.strategies import TraceInputs, trace_inputs, write_inputs

SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORMATS = st.sampled_from(["parquet", "csv"])


@SETTINGS
@given(data=trace_inputs(), fmt=FORMATS)
def test_duckdb_gives_the_reference_rows(tmp_path_factory: pytest.TempPathFactory,
                                         data: TraceInputs, fmt: str) -> None:
    sources = write_inputs(tmp_path_factory.mktemp(fmt), data, fmt)
    expected = canonical_sort(reference.detect(sources=sources, policy=data.policy,
                                               as_of=data.as_of)).to_pylist()
    found = detect_contacts(sources=sources, policy=data.policy, as_of=data.as_of,
                            engine="duckdb")
    assert found.to_pylist() == expected


@settings(SETTINGS, max_examples=40)
@given(data=trace_inputs(), fmt=FORMATS, pick=st.data())
def test_tracing_some_cases_is_the_full_result_filtered(
        tmp_path_factory: pytest.TempPathFactory, data: TraceInputs, fmt: str,
        pick: Any) -> None:
    ids = frozenset(pick.draw(st.sets(st.sampled_from([*data.case_ids, 999]))))
    sources = write_inputs(tmp_path_factory.mktemp(fmt), data, fmt)
    full = detect_contacts(sources=sources, policy=data.policy, as_of=data.as_of)
    some = detect_contacts(sources=sources, policy=data.policy, as_of=data.as_of, case_ids=ids)
    assert some.to_pylist() == [r for r in full.to_pylist() if r["index_case_id"] in ids]
