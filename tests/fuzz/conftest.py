"""Fixtures of the fuzzing tests: the world the importers need, in English, and a tally of
the examples each importer ran (printed at the end of the session)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.fuzz.world import World, build_world

TALLY: Counter[str] = Counter()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY:
        terminalreporter.write_sep("-", "fuzz examples run per importer")
        for name, n in sorted(TALLY.items()):
            terminalreporter.write_line(f"{name:32s} {n:6d}")
        terminalreporter.write_line(f"{'total':32s} {sum(TALLY.values()):6d}")
    from tests.fuzz.findings import FOUND

    if FOUND:
        terminalreporter.write_sep("-", "examples that hit a known finding")
        for name, n in sorted(FOUND.items()):
            terminalreporter.write_line(f"{name:48s} {n:6d}")
