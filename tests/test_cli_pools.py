"""``fangkong pools plan``: the best Dorfman pool size as in the research notes' table, and a
clear error for a prevalence outside (0, 1). No database is touched."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fangkong.cli import main


def _lines(out: str) -> dict[str, str]:
    """The ``label  value`` lines of the summary, by label."""
    found = {}
    for line in out.splitlines():
        parts = line.strip().rsplit("  ", 1)
        if len(parts) == 2:
            found[parts[0].strip()] = parts[1].strip()
    return found


@pytest.mark.parametrize(("prevalence", "k", "e", "saving"), [
    ("0.01", "11", "0.1956", "80.4%"),
    ("5%", "5", "0.4262", "57.4%"),
    ("0.001", "32", "0.0628", "93.7%"),
])
def test_best_pool_matches_the_table(prevalence: str, k: str, e: str, saving: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", "plan", "--prevalence", prevalence]) == 0
    got = _lines(capsys.readouterr().out)
    assert (got["best pool size"], got["tests per person"], got["saving"]) == (k, e, saving)


def test_sizes_five_ten_twenty_and_the_validation_note(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", "plan", "--prevalence", "0.001"]) == 0
    out = capsys.readouterr().out
    assert "not validated" in out  # k* = 32 > 20
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()
            if line.strip()[:2].strip().isdigit() and len(line.split()) == 3}
    assert rows["5"] == ["0.2050", "79.5%"] and rows["10"] == ["0.1100", "89.0%"]
    assert rows["20"][0] == "0.0698"


def test_max_pool_and_imperfect_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", "plan", "--prevalence", "0.001", "--max-pool", "20"]) == 0
    got = _lines(capsys.readouterr().out)
    assert got["best pool size"] == "20" and got["tests per person"] == "0.0698"
    assert main(["pools", "plan", "--prevalence", "0.01", "--max-pool", "10",
                 "--sensitivity", "0.95", "--specificity", "0.99"]) == 0
    got = _lines(capsys.readouterr().out)
    assert got["best pool size"] == "10" and got["tests per person"] == "0.1999"
    assert got["sensitivity"].startswith("0.9025")


def test_above_break_even_single_tubes_win(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", "plan", "--prevalence", "0.31"]) == 0
    out = capsys.readouterr().out
    assert _lines(out)["best pool size"] == "1" and "single tubes" in out


@pytest.mark.parametrize("bad", ["0", "1", "1.5", "-0.2", "100%", "abc"])
def test_prevalence_outside_zero_one_is_refused(bad: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", "plan", f"--prevalence={bad}"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"error: --prevalence {bad}")


def test_bad_max_pool_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", "plan", "--prevalence", "0.01", "--max-pool", "1"]) == 1
    assert "--max-pool" in capsys.readouterr().err


def test_listed_in_help() -> None:
    out = subprocess.run([sys.executable, "-m", "fangkong.cli", "pools", "plan", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--prevalence" in out and "--max-pool" in out
