"""Dorfman's two-stage pooling, as the screening planner computes it, against the table in
papers.md §1.1 (computed there from E(k, p) = 1/k + 1 − (1−p)^k, k searched over 2..200)."""

from __future__ import annotations

import pytest

from fangkong.testing.logic import best_pool_size, break_even_prevalence, dorfman_tests_per_person

# p: (k*, E(k*), E at k=5, E at k=10)
TABLE = {
    0.0001: (101, 0.0200, 0.2005, 0.1010),
    0.0005: (45, 0.0445, 0.2025, 0.1050),
    0.001: (32, 0.0628, 0.2050, 0.1100),
    0.002: (23, 0.0885, 0.2100, 0.1198),
    0.005: (15, 0.1391, 0.2248, 0.1489),
    0.01: (11, 0.1956, 0.2490, 0.1956),
    0.02: (8, 0.2742, 0.2961, 0.2829),
    0.03: (6, 0.3337, 0.3413, 0.3626),
    0.05: (5, 0.4262, 0.4262, 0.5013),
    0.07: (4, 0.5019, 0.5043, 0.6160),
    0.10: (4, 0.5939, 0.6095, 0.7513),
    0.13: (3, 0.6748, 0.7016, 0.8516),
    0.15: (3, 0.7192, 0.7563, 0.9031),
    0.20: (3, 0.8213, 0.8723, 0.9926),
    0.25: (3, 0.9115, 0.9627, 1.0437),
    0.30: (3, 0.9903, 1.0319, 1.0718),
}


@pytest.mark.parametrize(("p", "row"), sorted(TABLE.items()))
def test_dorfman_table(p: float, row: tuple[int, float, float, float]) -> None:
    k_star, e_star, e5, e10 = row
    choice = best_pool_size(p)
    assert choice.k == k_star
    assert choice.tests_per_person == pytest.approx(e_star, abs=5e-5)
    assert choice.saving == pytest.approx(1 - e_star, abs=5e-5)
    assert dorfman_tests_per_person(5, p) == pytest.approx(e5, abs=5e-5)
    assert dorfman_tests_per_person(10, p) == pytest.approx(e10, abs=5e-5)


def test_quick_list_rows_one_to_three() -> None:
    for p, k, e in ((0.01, 11, 0.1956), (0.05, 5, 0.4262), (0.001, 32, 0.0628)):
        choice = best_pool_size(p)
        assert (choice.k, round(choice.tests_per_person, 4)) == (k, e)
    assert break_even_prevalence() == pytest.approx(0.30664, abs=5e-5)


def test_imperfect_test_example() -> None:
    """p = 0.01, k = 10, Se 0.95, Sp 0.99 → E = 0.1999, pooled sensitivity Se² = 0.9025."""
    assert dorfman_tests_per_person(10, 0.01, sensitivity=0.95, specificity=0.99) == (
        pytest.approx(0.1999, abs=5e-5))
    choice = best_pool_size(0.01, sensitivity=0.95, specificity=0.99)
    assert choice.sensitivity == pytest.approx(0.9025)


def test_pooling_stops_paying_above_break_even() -> None:
    assert best_pool_size(0.31).k == 1
    assert best_pool_size(0.30).k == 3
