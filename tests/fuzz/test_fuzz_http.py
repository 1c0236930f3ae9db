"""One upload per importer over HTTP, as a browser or a lab's system sends it: a file with
one bad line answers 422 naming that line and field and stores nothing (the registry too,
with its report); the files the action-level fuzzing found to crash the importers (a 500)
are answered 422 or stored, never 500."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.fuzz.importers import BY_NAME
from tests.fuzz.test_fuzz_importers import table_counts
from tests.fuzz.world import World

pytestmark = pytest.mark.django_db

API = "/api/v1"
URLS = {
    "registry-persons": f"{API}/registry/import/persons",
    "pharmacy-sales": f"{API}/healthcode/reports/purchases.csv",
    "fever-clinic": f"{API}/warning/clinic/visits.csv",
    "arrivals": f"{API}/warning/arrivals.csv",
    "supplies-stock": f"{API}/supplies/reports.csv",
    "coldchain-batches": f"{API}/coldchain/batches/upload",
    "coldchain-movements": f"{API}/coldchain/movements/upload",
    "vaccination-doses": f"{API}/vaccination/doses.csv",
    "lab-results": "/screening/lab/results/",  # the lab's page; its API takes JSON rows
}
BAD_CELL = {  # importer → (column, value) that makes line 3 bad
    "registry-persons": ("sex", "Q"), "lab-results": ("result", "maybe"),
    "pharmacy-sales": ("drug_class", "candy"), "fever-clinic": ("sampled", "maybe"),
    "arrivals": ("arrived_at", "yesterday"), "supplies-stock": ("good", "gold"),
    "coldchain-batches": ("quantity_kg", "-5"), "coldchain-movements": ("quantity_kg", "abc"),
    "vaccination-doses": ("dose_number", "0"),
}


def file_of(world: World, importer: str, *, bad: tuple[str, str] | None = None) -> bytes:
    """A good line 2 and line 3 with ``bad`` (column, value) set."""
    imp = BY_NAME[importer]
    second = imp.row(world, 1)
    if bad is not None:
        second[imp.header.index(bad[0])] = bad[1]
    out = io.StringIO()
    csv.writer(out).writerows([imp.header, imp.row(world, 0), second])
    return out.getvalue().encode()


def post(world: World, importer: str, data: bytes, name: str = "up.csv") -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(world.user)
    fields: dict[str, Any] = {"file": SimpleUploadedFile(name, data, "text/csv")}
    if importer == "lab-results":
        fields |= {"lab": str(world.lab.pk), "client_key": "http-1"}
    return client.post(URLS[importer], fields)


@pytest.mark.parametrize("importer", list(URLS))
def test_a_bad_line_is_named_and_nothing_stored(world: World, importer: str) -> None:
    column, value = BAD_CELL[importer]
    before = table_counts()
    got = post(world, importer, file_of(world, importer, bad=(column, value)))
    assert table_counts() == before
    if importer == "lab-results":  # an HTML page listing the refused lines
        assert got.status_code == 422 and column in got.content.decode()
        return
    assert got.status_code != 405, "the upload's URL is taken by another route"
    body = got.json()
    assert got.status_code == 422, body
    if importer.startswith("registry"):
        assert body["imported"] == 0
        assert [(e["line"], e["column"]) for e in body["errors"]] == [(3, column)]
        return
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, column)]


def test_a_good_file_is_stored_over_http(world: World) -> None:
    """The control: the same upload without the bad cell is stored (200)."""
    got = post(world, "vaccination-doses", file_of(world, "vaccination-doses"))
    assert got.status_code == 200 and got.json()["stored"] == 2


CSV_UPLOADS = [i for i in URLS if i != "lab-results"]


@pytest.mark.parametrize("importer", CSV_UPLOADS)
def test_lines_ending_in_a_bare_cr_over_http(world: World, importer: str) -> None:
    """Finding csv-bare-cr (a 500): the file is stored like its CRLF twin."""
    got = post(world, importer, file_of(world, importer).replace(b"\r\n", b"\r"))
    assert got.status_code == 200, got.content


@pytest.mark.parametrize("importer", CSV_UPLOADS)
def test_a_nul_character_over_http(world: World, importer: str) -> None:
    """Finding nul-on-postgresql (a 500 there): 422 naming the line and the column."""
    column = BY_NAME[importer].header[0]
    before = table_counts()
    got = post(world, importer, file_of(world, importer, bad=(column, "a\x00b")))
    assert got.status_code == 422, got.content
    body = got.json()
    if importer.startswith("registry"):
        assert [(e["line"], e["column"]) for e in body["errors"]] == [(3, column)]
    else:
        assert body["field"] == column and "line 3" in body["detail"], body
    assert table_counts() == before


@pytest.mark.parametrize("data", [b"\xd5\xc5\xc8\xfd,\xc0\xee\xcb\xc4\n", b"PK\x03\x04junk"],
                         ids=["gbk", "broken-zip"])
def test_an_unreadable_file_on_the_registry_api(world: World, data: bytes) -> None:
    """Finding registry API unreadable file (a 500): 422 with the file named as the error."""
    name = "up.xlsx" if data.startswith(b"PK") else "up.csv"
    got = post(world, "registry-persons", data, name=name)
    assert got.status_code == 422
    assert [(e["line"], e["column"]) for e in got.json()["errors"]] == [(0, "file")]
