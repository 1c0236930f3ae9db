"""Suite-wide fixtures. The environment (temporary data dir, inline jobs) is in settings.py."""

import os

import pytest

# Fixtures through which a test reaches the database (pytest-django blocks every other test
# from it, so a test without one of these cannot depend on which database runs).
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences",
               "django_db_serialized_rollback", "live_server"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With FANGKONG_TEST_DB_ONLY=1 (scripts/test's PostgreSQL pass) keep only the tests that
    use the database: the engine, generator and Spark tests gave their answer in the first
    pass and would only repeat it."""
    if os.environ.get("FANGKONG_TEST_DB_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        uses_db = item.get_closest_marker("django_db") is not None or bool(fixtures & DB_FIXTURES)
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
