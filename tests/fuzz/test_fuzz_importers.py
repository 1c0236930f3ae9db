"""Every file importer, fed hostile files at its action level. Properties:

1. it accepts the file or refuses it with the project's ``DomainError`` (the registry: with
   a report of errors), never another exception;
2. a refusal without "store the good lines" leaves every table as it was;
3. every reported error names a line inside the file (the header is line 1; a whole-file
   refusal names line 0) and a field;
4. resending an accepted file stores nothing new (the upload's own log rows aside).

Each example runs inside a savepoint that is rolled back, so examples do not see each other.
``FANGKONG_FUZZ_EXAMPLES`` sets the examples per importer (default 40)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import ACCEPTED, TALLY
from tests.fuzz.hostile import csv_file, xlsx_file
from tests.fuzz.importers import IMPORTERS, Importer
from tests.fuzz.world import World

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FANGKONG_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
LOGS = {"core.auditlog", "warning.arrivalbatch"}  # an upload's own record of itself


def table_counts() -> dict[str, int]:
    """Rows of every table of the platform's apps (the small world keeps this cheap)."""
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
            if m.__module__.startswith("fangkong.") and not m._meta.proxy}


def lines_in(data: bytes) -> int:
    """An upper bound of the file's lines: a reported line must not lie past it."""
    return data.count(b"\n") + data.count(b"\r") + 1


def rolled_back(run: Callable[[], None]) -> None:
    sid = transaction.savepoint()
    try:
        run()
    finally:
        transaction.savepoint_rollback(sid)


def check_file(imp: Importer, world: World, data: bytes, store_good: bool) -> None:
    """The four properties for one file."""
    TALLY[imp.name] += 1
    before = table_counts()
    got = imp.outcome(world, data, store_good)
    after = table_counts()
    if not got.accepted and not store_good:
        assert after == before, "refused, yet tables changed"
    for line, column in got.errors:
        assert 0 <= line <= lines_in(data), f"error on line {line} outside the file"
        assert column, f"error on line {line} names no field"
    if got.accepted:
        TALLY[imp.name + ACCEPTED] += 1
    if got.accepted and not got.errors:
        imp.outcome(world, data, store_good)  # accepted as unchanged, or refused as stored
        resent = {k: v for k, v in table_counts().items() if k not in LOGS}
        assert resent == {k: v for k, v in after.items() if k not in LOGS}, "resend stored"


def fuzz(imp: Importer, files: Callable[[Importer, World], st.SearchStrategy[bytes]]
         ) -> Callable[[World], None]:
    @FUZZ
    @given(data=st.data(), store_good=st.booleans())
    def run(world: World, data: st.DataObject, store_good: bool) -> None:
        content = data.draw(files(imp, world), label="file")
        rolled_back(lambda: check_file(imp, world, content, store_good))
    return run


CSV = [i for i in IMPORTERS if not i.file_name.endswith(".xlsx")]
XLSX = [i for i in IMPORTERS if i.file_name.endswith(".xlsx")]


@pytest.mark.parametrize("imp", CSV, ids=[i.name for i in CSV])
def test_hostile_csv_files(imp: Importer, world: World) -> None:
    fuzz(imp, csv_file)(world)


@pytest.mark.parametrize("imp", XLSX, ids=[i.name for i in XLSX])
def test_hostile_workbooks(imp: Importer, world: World) -> None:
    fuzz(imp, xlsx_file)(world)
