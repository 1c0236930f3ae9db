"""One city, one world per district and one logged-in client per role, built once a module.

The rows are made inside an outer transaction that is rolled back when the module ends; each
test runs in its own savepoint (pytest-django's ``db``), so a POST that changes something
(closing a round, publishing a risk point) is undone before the next route is tried.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client

from fangkong.core.rights import Role
from tests.authz.routes import every_model
from tests.authz.world import World
from tests.factories import City, make_user, small_city

CITY_ROLES = {Role.CITY_ADMIN, Role.COMMANDER}


@dataclass
class Matrix:
    city: City
    own: World  # district 1, where every role but the city's is bound
    other: World  # district 2
    clients: dict[str, Client]  # role value → logged-in client; "anonymous" → none

    @property
    def numbers(self) -> list[str]:
        """Every resident's full ID-card and phone number (what masking must hide)."""
        return [n for d in self.city.districts for p in d.persons
                for n in (p.id_number, p.phone) if n]


@pytest.fixture(scope="module")
def matrix(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Matrix]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _build() -> Matrix:
    city = small_city()
    clients = {"anonymous": Client()}
    for role in Role:
        unit = city.unit if role in CITY_ROLES else city.districts[0].unit
        client = Client()
        client.force_login(make_user(f"authz-{role.value}", unit=unit, roles=[role.value]))
        clients[role.value] = client
    own, other = (World(district=d, index=i) for i, d in enumerate(city.districts, start=1))
    for world in (own, other):  # now, outside any test's savepoint that would undo them
        for model in every_model():
            world[model]
    return Matrix(city=city, own=own, other=other, clients=clients)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The counts docs/reliability.md quotes: requests made, by kind of expectation."""
    from tests.authz.matrix import CHECKS

    if CHECKS:
        total = sum(n for kind, n in CHECKS.items() if not kind.startswith(" "))
        terminalreporter.write_line(f"authz matrix: {total} checks")
        for kind, n in sorted(CHECKS.items(), key=lambda item: item[0].strip()):
            terminalreporter.write_line(f"  {kind.strip()}: {n}")
