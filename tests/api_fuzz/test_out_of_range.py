"""A number beyond 64 bits, or a value a column cannot hold, is the caller's mistake, not a 500.

Found by the fuzzer as 500s (SQLite's OverflowError); kept here as plain cases so the answer
does not depend on Hypothesis drawing such a number again."""

from __future__ import annotations

import pytest
from django.test import Client

from fangkong.core.models import Level
from fangkong.core.rights import Role
from tests.factories import add_unit, make_user

pytestmark = pytest.mark.django_db

HUGE = 2**70


@pytest.fixture
def client() -> Client:
    city = add_unit(parent=None, level=Level.CITY, code="6101", name="示范市", name_en="Demo")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user("fuzz-admin", unit=city, roles=[Role.CITY_ADMIN.value]))
    return client


def test_a_huge_id_in_the_path_is_refused(client: Client) -> None:
    """SQLite cannot bind it (422); PostgreSQL compares it as a numeric and finds nothing."""
    response = client.get(f"/api/v1/healthcode/persons/{HUGE}/code")
    assert response.status_code in (404, 422), response.content
    if response.status_code == 422:
        assert response.json() == {"detail": "a value is out of the range that can be stored",
                                   "field": None}


def test_a_huge_id_in_a_body_is_refused(client: Client) -> None:
    response = client.post("/api/v1/quarantine/orders/from-contacts",
                           data={"contact_ids": [HUGE]}, content_type="application/json")
    assert response.status_code < 500, response.content
    assert not response.json().get("created"), "no order for a contact that cannot exist"
