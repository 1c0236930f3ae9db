"""Query forms that the database's plain b-tree indexes can serve."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q


def prefix_match(field: str, value: str) -> Q:
    """``field`` starts with ``value``. SQLite never uses an index for Django's
    ``LIKE … ESCAPE`` on a case-sensitive column, but under its binary collation the same set
    is a range, which it does. PostgreSQL keeps LIKE, served by a ``varchar_pattern_ops``
    index (registry migration 0002) whatever the database's collation."""
    upper = _next_prefix(value)
    if connection.vendor == "sqlite" and upper is not None:
        return Q(**{f"{field}__gte": value, f"{field}__lt": upper})
    return Q(**{f"{field}__startswith": value})


def _next_prefix(value: str) -> str | None:
    """The smallest string above every string that starts with ``value`` (code-point order,
    which is UTF-8 byte order), or None when there is none to build."""
    if not value or ord(value[-1]) == 0x10FFFF:
        return None
    after = ord(value[-1]) + 1
    if 0xD800 <= after <= 0xDFFF:  # surrogates cannot be stored; skip past them
        after = 0xE000
    return value[:-1] + chr(after)
