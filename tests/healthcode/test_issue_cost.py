"""What one ``code.json`` costs the server (docs/healthcode.md, "Issuing a code"): three
queries (the person with their code, the active key, the rule version; two when the token is
handed out again), no write on a first issue or a refresh, no QR drawing (the answer
carries the token; the phone draws it), and the page's first paint draws a token once
however often it is shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fangkong.healthcode import resident
from fangkong.healthcode.keys import public_keys
from fangkong.healthcode.tokens import verify_token
from tests.factories import City
from tests.healthcode.builders_resident import with_key
from tests.healthcode.builders_tokens import make_code


@pytest.fixture(autouse=True)
def no_reuse() -> None:
    """Each test starts with no token held for reuse (the cache outlives a test)."""
    cache.clear()
    resident.qr_svg.cache_clear()


def _json(path: str) -> tuple[dict[str, Any], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        answer = Client().get(path)
    assert answer.status_code == 200, answer.content
    return answer.json(), [q["sql"] for q in queries.captured_queries]


def test_a_code_costs_three_reads_and_no_write(city: City) -> None:
    with_key()
    person = city.districts[0].persons[0]
    make_code(person, colour="yellow", flags=("test_missing",))
    path = resident.resident_link(person) + "code.json"
    first, reads = _json(path)
    again, reads_again = _json(path)
    for sql in (*reads, *reads_again):
        assert sql.startswith("SELECT"), sql  # no write, no savepoint
    assert (len(reads), len(reads_again)) == (3, 2)  # a reused token needs no rule version
    assert "svg" not in first and again["token"] == first["token"]  # reused, not re-signed
    assert verify_token(first["token"], public_keys=public_keys(),
                        now=dt.datetime.fromisoformat(first["issued_at"]).timestamp()).valid
    assert resident.qr_svg.cache_info().currsize == 0  # code.json drew nothing


def test_a_missing_code_is_computed_once_then_read(city: City) -> None:
    with_key()
    person = city.districts[0].persons[1]
    path = resident.resident_link(person) + "code.json"
    first, reads = _json(path)
    assert first["colour"] == "green" and len(reads) > 3  # the recompute wrote the code
    cache.clear()  # a new token: signed again, from the stored code
    second, reads = _json(path)
    assert len(reads) == 3 and second["colour"] == "green"


def test_the_page_draws_a_token_once(city: City) -> None:
    with_key()
    person = city.districts[0].persons[2]
    make_code(person)
    link = resident.resident_link(person)
    for _ in range(3):
        page = Client().get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<svg" in page and "healthcode/qr.js" in page
    info = resident.qr_svg.cache_info()
    assert (info.misses, info.hits) == (1, 2)
