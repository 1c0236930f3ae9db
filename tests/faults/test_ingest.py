"""Door devices upload gate scans to the real server (``fangkong serve``) while it is killed
with ``kill -9`` and started again, or while its database connections are terminated; every
acknowledged scan must be stored once, with its one check-in."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.faults_ingest import run_ingest
from benchmarks.faults_procs import Place

from tests.faults.conftest import fault_backend

pytestmark = pytest.mark.django_db

DEVICES = 4


def assert_nothing_lost(result: dict[str, Any], *, kills: int) -> None:
    assert result["hits"] == kills, result  # every fault met a running target
    assert result["acknowledged"] > 0, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["stored_unacknowledged"] == 0, result
    assert result["checkins_lost"] == 0, result
    assert result["checkins_duplicated"] == 0, result


def test_server_killed_mid_upload_loses_and_doubles_nothing(place: Place,
                                                           setup: dict[str, Any]) -> None:
    result = run_ingest(place=place, fixture=setup, fault="kill9", kills=2, seed=1,
                        devices=DEVICES)
    assert_nothing_lost(result, kills=2)
    # the kills cut uploads off mid-request: the devices sent those batches again
    assert sum(result["failed_sends"].values()) > 0, result
    assert result["stored"] == result["acknowledged"]


@pytest.mark.skipif(fault_backend() != "postgresql", reason="PostgreSQL connections only")
def test_database_connections_terminated_mid_upload_lose_nothing(
        place: Place, setup: dict[str, Any]) -> None:
    result = run_ingest(place=place, fixture=setup, fault="pgterm", kills=4,
                        seed=2, devices=DEVICES)
    assert_nothing_lost(result, kills=4)
