"""The authorisation matrix's city: two district worlds and one logged-in client per role."""

import pytest

from tests.authz.conftest import matrix  # noqa: F401  (the fixture, shared, not copied)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures docs/reliability.md quotes: cases sent, by mode and status class."""
    from tests.api_fuzz.test_api_fuzz import SENT

    if SENT:
        terminalreporter.write_line(f"api fuzz: {sum(SENT.values())} cases")
        for kind, n in sorted(SENT.items()):
            terminalreporter.write_line(f"  {kind}: {n}")
