"""``compare``: the bands against a brute-force percentile (sort each column, interpolate
between order statistics by hand), the Wilson interval against its textbook values and
bounds, and the mean interval's coverage."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fangkong.simulation import compare


def brute_percentile(values: list[float], q: float) -> float:
    """The linear-interpolation percentile, written out: rank q/100·(n−1) between the two
    order statistics around it."""
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 30), st.integers(1, 12)),
              elements=st.integers(0, 10_000)))
def test_bands_equal_the_brute_force_percentiles(matrix: np.ndarray) -> None:
    out = compare.bands(matrix)
    for step in range(matrix.shape[1]):
        column = [float(x) for x in matrix[:, step]]
        for q in compare.QUANTILES:
            assert math.isclose(out[f"p{q}"][step], round(brute_percentile(column, q), 4),
                                abs_tol=1e-4)
        assert math.isclose(out["mean"][step], sum(column) / len(column), abs_tol=1e-4)
        assert out["p5"][step] <= out["p50"][step] <= out["p95"][step]


def test_bands_refuse_an_empty_matrix() -> None:
    try:
        compare.bands(np.zeros((0, 5)))
    except ValueError:
        return
    raise AssertionError("an empty matrix must be refused")


def test_wilson_interval_textbook_values() -> None:
    # by hand, z² = 3.8415: 42 of 100 → centre 0.4392/1.0384 = 0.4230, half-width
    # 1.96·√(0.002436 + 0.000096)/1.0384 = 0.0950 → (0.3280, 0.5179); 0 of 20 → upper
    # 0.1921/1.1921 = 0.1611; 20 of 20 → lower 1 − 0.1611
    mid = compare.share_interval(42, 100)
    assert mid["value"] == 0.42 and (mid["low"], mid["high"]) == (0.328, 0.5179)
    none = compare.share_interval(0, 20)
    assert none["low"] == 0.0 and none["high"] == 0.1611
    every = compare.share_interval(20, 20)
    assert every["low"] == 0.8389 and every["high"] == 1.0
    assert compare.share_interval(0, 0)["value"] is None


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5000), st.data())
def test_wilson_interval_contains_the_share_and_narrows_with_n(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    out = compare.share_interval(k, n)
    assert 0.0 <= out["low"] <= out["value"] <= out["high"] <= 1.0  # type: ignore[operator]
    wider = compare.share_interval(k, n)
    bigger = compare.share_interval(4 * k, 4 * n)
    assert (bigger["high"] - bigger["low"]) <= (wider["high"] - wider["low"]) + 1e-4  # type: ignore[operator]


def test_the_mean_interval_covers_the_true_mean_about_95_percent() -> None:
    rng = np.random.default_rng(3)
    hits = 0
    trials = 2000
    for _ in range(trials):
        out = compare.mean_interval(rng.poisson(50, size=40))
        hits += out["low"] <= 50 <= out["high"]  # type: ignore[operator]
    assert 0.93 <= hits / trials <= 0.97


def test_the_mean_interval_leaves_out_nan_and_handles_none() -> None:
    out = compare.mean_interval([1.0, float("nan"), 3.0])
    assert out["mean"] == 2.0 and out["n"] == 2
    assert compare.mean_interval([float("nan")])["mean"] is None
    single = compare.mean_interval([5.0])
    assert single["low"] == single["high"] == 5.0


def test_the_interval_of_a_quantity_that_cannot_be_negative_stops_at_zero() -> None:
    """Peak days 0, 0, 0, 5 give mean 1.25 and a naive lower bound below 0: shown as 0."""
    out = compare.mean_interval([0, 0, 0, 5])
    assert out["mean"] == 1.25 and out["low"] == 0.0 and out["high"] is not None
    signed = compare.mean_interval([-1.0, 0.0, 0.0, 5.0])
    assert signed["low"] is not None and signed["low"] < 0  # a signed quantity keeps its bound
