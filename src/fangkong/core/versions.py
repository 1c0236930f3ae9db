"""Dated versions of rules (rules are data): every module keeps its own table of versions with
an ``effective_from`` date, and this is the one answer to "which version is in force"."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import Model, QuerySet

V = TypeVar("V", bound=Model)


def version_in_force(versions: QuerySet[V], *, on: dt.date) -> V | None:
    """The latest version effective on ``on``; before the first version, the first one (the
    earliest rules known); None when there are no versions at all."""
    qs = versions.order_by("-effective_from", "-id")
    return qs.filter(effective_from__lte=on).first() or qs.order_by("effective_from", "id").first()
