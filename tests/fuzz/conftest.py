"""Fixtures of the fuzzing tests: the world the importers need, in English, and a tally of
the files each importer was given, accepted and refused (printed at the end of a session
run without xdist: its workers' tallies do not reach the controller)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.fuzz.world import World, build_world

TALLY: Counter[str] = Counter()
ACCEPTED = " (accepted)"  # the suffix of an importer's count of files it accepted


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY:
        terminalreporter.write_sep("-", "fuzz files run per importer")
        terminalreporter.write_line(f"{'importer':24s} {'files':>6s} {'accepted':>8s} "
                                    f"{'refused':>7s}")
        names = sorted(n for n in TALLY if not n.endswith(ACCEPTED))
        for name in names:
            files, accepted = TALLY[name], TALLY[name + ACCEPTED]
            terminalreporter.write_line(f"{name:24s} {files:6d} {accepted:8d} "
                                        f"{files - accepted:7d}")
        files, accepted = sum(TALLY[n] for n in names), sum(TALLY[n + ACCEPTED] for n in names)
        terminalreporter.write_line(f"{'total':24s} {files:6d} {accepted:8d} "
                                    f"{files - accepted:7d}")
