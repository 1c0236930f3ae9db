"""Fixtures of the tracing tests."""

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole test session: starting one takes seconds."""
    from fangkong.tracing.engine.spark_engine import get_session

    session = get_session()
    session.conf.set("spark.sql.shuffle.partitions", "2")  # tiny inputs: fewer, cheaper tasks
    yield session
    session.stop()
