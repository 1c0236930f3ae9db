"""Fixtures of the tracing tests."""

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import City, small_city
from tests.tracing.world import Team, team

# A test session runs many tiny queries: the JVM's quick compiler and serial GC cost less CPU
# than C2 and parallel GC would; adaptive execution only re-plans stages of a few rows.
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole test session: starting one takes seconds."""
    from fangkong.tracing.engine.spark_engine import get_session

    before = os.environ.get("PYSPARK_SUBMIT_ARGS")
    os.environ["PYSPARK_SUBMIT_ARGS"] = f'--driver-java-options "{JAVA_OPTIONS}" pyspark-shell'
    try:
        session = get_session()
    finally:
        if before is None:
            del os.environ["PYSPARK_SUBMIT_ARGS"]
        else:
            os.environ["PYSPARK_SUBMIT_ARGS"] = before
    session.conf.set("spark.sql.shuffle.partitions", "2")
    session.conf.set("spark.sql.adaptive.enabled", "false")
    yield session
    session.stop()


@pytest.fixture
def city(db: None) -> City:
    """The two-district city of the workflow tests."""
    return small_city()


@pytest.fixture
def t(city: City) -> Team:
    """Its tracers, officers and grid workers."""
    return team(city)
